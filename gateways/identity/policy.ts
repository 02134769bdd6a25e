/**
 * Who may do what in identity, as data: one rule per Keystone policy name. Only admins manage
 * the directory; a user may read itself, its own projects and its own token. A refusal is a 403
 * naming the action, as Keystone words it.
 */
import { HttpFault } from "../http/faults.ts";
import type { Caller } from "./context.ts";

interface Target {
  readonly projectId?: string;
  readonly userId?: string;
}

type Rule = (caller: Caller, target: Target) => boolean;

const admin: Rule = (caller) => caller.roleNames.includes("admin");
const self: Rule = (caller, target) => target.userId !== undefined && caller.claims.userId === target.userId;
const scopedTo: Rule = (caller, target) =>
  caller.claims.scope.kind === "project" && target.projectId !== undefined && caller.claims.scope.projectId === target.projectId;
const either = (...rules: ReadonlyArray<Rule>): Rule => (caller, target) => rules.some((rule) => rule(caller, target));
const anyone: Rule = () => true;

export const identityPolicy = {
  "identity:get_project": either(admin, scopedTo),
  "identity:list_projects": admin,
  "identity:create_project": admin,
  "identity:update_project": admin,
  "identity:delete_project": admin,
  "identity:get_user": either(admin, self),
  "identity:list_users": admin,
  "identity:create_user": admin,
  "identity:update_user": admin,
  "identity:delete_user": admin,
  "identity:list_user_projects": either(admin, self),
  "identity:get_role": admin,
  "identity:list_roles": admin,
  "identity:create_role": admin,
  "identity:delete_role": admin,
  "identity:get_domain": anyone,
  "identity:list_domains": admin,
  "identity:create_grant": admin,
  "identity:check_grant": admin,
  "identity:list_grants": admin,
  "identity:revoke_grant": admin,
  "identity:list_role_assignments": either(admin, self),
  "identity:validate_token": either(admin, self),
  "identity:revoke_token": either(admin, self),
  "identity:list_services": admin,
  "identity:list_endpoints": admin,
} satisfies Record<string, Rule>;

export type IdentityAction = keyof typeof identityPolicy;

export const enforce = (caller: Caller, action: IdentityAction, target: Target = {}): void => {
  if (!identityPolicy[action](caller, target)) {
    throw new HttpFault(403, `You are not authorized to perform the requested action: ${action}.`);
  }
};
