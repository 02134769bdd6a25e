/**
 * Role grants (`PUT/HEAD/DELETE …/users/{user}/roles/{role}` and the list beside them), on a
 * project or on the whole system, and `/v3/role_assignments` with Keystone's filters,
 * `effective` (implied roles expanded) and `include_names`.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { effectiveRoleIds, getDomain, getProject, getRole, getUser, listAssignments, type IdentityDocument } from "@weft/projections/identity";
import { HttpFault } from "../http/faults.ts";
import { runIdentityCommand } from "./commandRunner.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { enforce } from "./policy.ts";
import { collectionLinks, identityUrl, roleView } from "./views.ts";

type GrantTarget = { readonly projectId: string; readonly system: false } | { readonly projectId: ""; readonly system: true };

const grantRoutes = (deps: IdentityDeps, targetOf: (c: Context<IdentityEnv>) => GrantTarget) => {
  const resolve = (c: Context<IdentityEnv>, withRole: boolean) => {
    const doc = deps.directory();
    const target = targetOf(c);
    if (!target.system && getProject(doc, target.projectId) === undefined) throw new HttpFault(404, `Could not find project: ${target.projectId}.`);
    const userId = c.req.param("userId") ?? "";
    if (getUser(doc, userId) === undefined) throw new HttpFault(404, `Could not find user: ${userId}.`);
    const roleId = withRole ? (c.req.param("roleId") ?? "") : "";
    if (withRole && getRole(doc, roleId) === undefined) throw new HttpFault(404, `Could not find role: ${roleId}.`);
    return { doc, target, userId, roleId };
  };
  const granted = (doc: IdentityDocument, target: GrantTarget, userId: string) =>
    listAssignments(doc, { userId, ...(target.system ? { system: true } : { projectId: target.projectId }) });

  return new Hono<IdentityEnv>()
    .get("/users/:userId/roles", (c) => {
      enforce(c.get("caller"), "identity:list_grants");
      const { doc, target, userId } = resolve(c, false);
      const roles = granted(doc, target, userId).flatMap((assignment) => getRole(doc, assignment.roleId) ?? []);
      return c.json({ roles: roles.map((role) => roleView(deps.publicUrl, role)), links: collectionLinks(c.req.url) });
    })
    .put("/users/:userId/roles/:roleId", async (c) => {
      enforce(c.get("caller"), "identity:create_grant");
      const { target, userId, roleId } = resolve(c, true);
      await runIdentityCommand(deps, c, { type: "GrantRole", data: { roleId, userId, projectId: target.projectId, system: target.system } });
      return c.body(null, 204);
    })
    .on("HEAD", "/users/:userId/roles/:roleId", (c) => {
      enforce(c.get("caller"), "identity:check_grant");
      const { doc, target, userId, roleId } = resolve(c, true);
      const exists = granted(doc, target, userId).some((assignment) => assignment.roleId === roleId);
      return c.body(null, exists ? 204 : 404);
    })
    .get("/users/:userId/roles/:roleId", (c) => {
      enforce(c.get("caller"), "identity:check_grant");
      const { doc, target, userId, roleId } = resolve(c, true);
      if (!granted(doc, target, userId).some((assignment) => assignment.roleId === roleId)) {
        throw new HttpFault(404, `Could not find role assignment with role: ${roleId}, user or group: ${userId}.`);
      }
      return c.body(null, 204);
    })
    .delete("/users/:userId/roles/:roleId", async (c) => {
      enforce(c.get("caller"), "identity:revoke_grant");
      const { target, userId, roleId } = resolve(c, true);
      await runIdentityCommand(deps, c, { type: "RevokeRoleAssignment", data: { roleId, userId, projectId: target.projectId, system: target.system } });
      return c.body(null, 204);
    });
};

export const projectGrantRoutes = (deps: IdentityDeps) =>
  grantRoutes(deps, (c) => ({ projectId: c.req.param("projectId") ?? "", system: false }));

export const systemGrantRoutes = (deps: IdentityDeps) => grantRoutes(deps, () => ({ projectId: "", system: true }));

const flag = (value: string | undefined) => value !== undefined && value.toLowerCase() !== "false" && value !== "0";

export const roleAssignmentRoutes = (deps: IdentityDeps) =>
  new Hono<IdentityEnv>().get("/", (c) => {
    const query = c.req.query();
    const caller = c.get("caller");
    const userId = query["user.id"];
    enforce(caller, "identity:list_role_assignments", userId === undefined ? {} : { userId });
    if (query["group.id"] !== undefined || query["scope.domain.id"] !== undefined) {
      return c.json({ role_assignments: [], links: collectionLinks(c.req.url) });
    }
    const doc = deps.directory();
    const system = query["scope.system"] !== undefined;
    const projectId = query["scope.project.id"];
    const roleId = query["role.id"];
    const effective = flag(query["effective"]);
    const names = flag(query["include_names"]);

    const direct = listAssignments(doc, {
      ...(userId === undefined ? {} : { userId }),
      ...(projectId === undefined ? {} : { projectId }),
      ...(system ? { system: true } : {}),
    });
    // Effective assignments list each implied role as its own assignment, as Keystone does.
    const expanded = effective
      ? [...new Map(direct.flatMap((assignment) =>
          effectiveRoleIds(doc, assignment.userId, assignment.system ? { system: true } : { projectId: assignment.projectId }).map((id) => {
            const row = { ...assignment, roleId: id };
            return [`${row.userId}/${row.projectId}/${row.system}/${row.roleId}`, row] as const;
          }),
        )).values()]
      : direct;
    const rows = expanded.filter((assignment) => roleId === undefined || assignment.roleId === roleId);

    const named = <T extends { readonly id: string }>(record: T, name: string | undefined, domainId?: string) => {
      if (!names) return record;
      const domain = domainId === undefined ? undefined : getDomain(doc, domainId);
      return { ...record, name, ...(domain === undefined ? {} : { domain: { id: domain.id, name: domain.name } }) };
    };

    return c.json({
      role_assignments: rows.map((assignment) => {
        const user = getUser(doc, assignment.userId);
        const project = assignment.system ? undefined : getProject(doc, assignment.projectId);
        const scopePath = assignment.system ? "/system" : `/projects/${assignment.projectId}`;
        return {
          role: named({ id: assignment.roleId }, getRole(doc, assignment.roleId)?.name),
          user: named({ id: assignment.userId }, user?.name, user?.domainId),
          scope: assignment.system ? { system: { all: true } } : { project: named({ id: assignment.projectId }, project?.name, project?.domainId) },
          links: { assignment: identityUrl(deps.publicUrl, `${scopePath}/users/${assignment.userId}/roles/${assignment.roleId}`) },
        };
      }),
      links: collectionLinks(c.req.url),
    });
  });
