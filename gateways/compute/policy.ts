/**
 * Who may do what with flavors and key pairs, as Nova's default policy has it: any caller with a
 * project-scoped token reads flavors and their extra specs; only admins create and delete
 * flavors or change extra specs; key pairs belong to the calling user, so the user is the scope.
 * A refusal is Nova's 403 naming the rule.
 */
import { HttpFault } from "../http/faults.ts";
import type { Caller } from "../identity/context.ts";

const isAdmin = (caller: Caller) => caller.roleNames.includes("admin");
const inProject = (caller: Caller) => caller.actor.projectId !== "" && caller.roleNames.length > 0;

type Rule = (caller: Caller) => boolean;

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
} satisfies Record<string, Rule>;

export type ComputeAction = keyof typeof computePolicy;

export const enforceCompute = (caller: Caller, action: ComputeAction): void => {
  if (!computePolicy[action](caller)) throw new HttpFault(403, `Policy doesn't allow ${action} to be performed.`);
};

export const callerIsAdmin = isAdmin;
