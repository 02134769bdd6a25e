/**
 * Who may do what, as Nova's default policy has it: any caller with a project-scoped token reads
 * flavors and their extra specs; only admins create and delete flavors or change extra specs; key
 * pairs belong to the calling user, so the user is the scope. Quotas and server groups are read by
 * the target project's readers, server groups changed by its members; services, hypervisors,
 * aggregates and quota changes are admin-only. A refusal is Nova's 403 naming the rule.
 */
import { HttpFault } from "../http/faults.ts";
import type { Caller } from "../identity/context.ts";

const isAdmin = (caller: Caller) => caller.roleNames.includes("admin");
const inProject = (caller: Caller) => caller.actor.projectId !== "" && caller.roleNames.length > 0;
// Nova's PROJECT_MEMBER_OR_ADMIN: a reader may look but not change. Which project the target is
// in is checked where the target is loaded (another project's server is a 404, as in Nova).
const projectMember = (caller: Caller) => isAdmin(caller) || (caller.actor.projectId !== "" && caller.roleNames.includes("member"));
const projectReader = (caller: Caller) => isAdmin(caller) || inProject(caller);
const anyone = () => true;

/** The project a request acts on, for the rules Nova checks against the target's `project_id`. */
export interface PolicyTarget {
  readonly projectId?: string;
}

const ofTargetProject = (role: "reader" | "member") => (caller: Caller, target: PolicyTarget) =>
  isAdmin(caller) || (caller.roleNames.includes(role) && caller.actor.projectId !== "" && caller.actor.projectId === target.projectId);
const targetReaderOrAdmin = ofTargetProject("reader");
const targetMemberOrAdmin = ofTargetProject("member");

type Rule = (caller: Caller, target: PolicyTarget) => boolean;

export const computePolicy = {
  "os_compute_api:os-flavor-manage:create": isAdmin,
  "os_compute_api:os-flavor-manage:delete": isAdmin,
  "os_compute_api:os-flavor-extra-specs:index": (caller) => isAdmin(caller) || inProject(caller),
  "os_compute_api:os-flavor-extra-specs:show": (caller) => isAdmin(caller) || inProject(caller),
  "os_compute_api:os-flavor-extra-specs:create": isAdmin,
  "os_compute_api:os-flavor-extra-specs:update": isAdmin,
  "os_compute_api:os-flavor-extra-specs:delete": isAdmin,
  "os_compute_api:os-keypairs:index": (caller) => caller.actor.userId !== "",
  "os_compute_api:os-keypairs:show": (caller) => caller.actor.userId !== "",
  "os_compute_api:os-keypairs:create": (caller) => caller.actor.userId !== "",
  "os_compute_api:os-keypairs:delete": (caller) => caller.actor.userId !== "",
  "os_compute_api:servers:index": projectReader,
  "os_compute_api:servers:detail": projectReader,
  "os_compute_api:servers:show": projectReader,
  "os_compute_api:servers:create": projectMember,
  "os_compute_api:servers:update": projectMember,
  "os_compute_api:servers:delete": projectMember,
  "os_compute_api:servers:start": projectMember,
  "os_compute_api:servers:stop": projectMember,
  "os_compute_api:servers:reboot": projectMember,
  "os_compute_api:server-metadata:index": projectReader,
  "os_compute_api:server-metadata:show": projectReader,
  "os_compute_api:server-metadata:create": projectMember,
  "os_compute_api:server-metadata:update": projectMember,
  "os_compute_api:server-metadata:update_all": projectMember,
  "os_compute_api:server-metadata:delete": projectMember,
  "os_compute_api:os-instance-actions:list": projectReader,
  "os_compute_api:os-instance-actions:show": projectReader,
  "os_compute_api:ips:index": projectReader,
  "os_compute_api:os-quota-sets:show": targetReaderOrAdmin,
  "os_compute_api:os-quota-sets:detail": targetReaderOrAdmin,
  "os_compute_api:os-quota-sets:defaults": anyone,
  "os_compute_api:os-quota-sets:update": isAdmin,
  "os_compute_api:limits": anyone,
  "os_compute_api:limits:other_project": isAdmin,
  "os_compute_api:os-availability-zone:list": anyone,
  "os_compute_api:os-availability-zone:detail": isAdmin,
  "os_compute_api:os-services:list": isAdmin,
  "os_compute_api:os-hypervisors:list": isAdmin,
  "os_compute_api:os-hypervisors:list-detail": isAdmin,
  "os_compute_api:os-hypervisors:show": isAdmin,
  "os_compute_api:os-hypervisors:statistics": isAdmin,
  "os_compute_api:os-hypervisors:uptime": isAdmin,
  "os_compute_api:os-hypervisors:search": isAdmin,
  "os_compute_api:os-aggregates:index": isAdmin,
  "os_compute_api:os-server-groups:index": targetReaderOrAdmin,
  "os_compute_api:os-server-groups:index:all_projects": isAdmin,
  "os_compute_api:os-server-groups:show": targetReaderOrAdmin,
  "os_compute_api:os-server-groups:create": targetMemberOrAdmin,
  "os_compute_api:os-server-groups:delete": targetMemberOrAdmin,
} satisfies Record<string, Rule>;

export type ComputeAction = keyof typeof computePolicy;

/** `target` names the project acted on; it defaults to the caller's own. */
export const enforceCompute = (caller: Caller, action: ComputeAction, target: PolicyTarget = { projectId: caller.actor.projectId }): void => {
  if (!computePolicy[action](caller, target)) throw new HttpFault(403, `Policy doesn't allow ${action} to be performed.`);
};

export const callerIsAdmin = isAdmin;
