/**
 * `/v3/roles` (global roles: list, create, show, delete) and `/v3/domains` (read-only: the
 * directory has the Default domain).
 */
import { Hono } from "hono";
import { findDomainByName, getDomain, getRole, listDomains, listRoles } from "@weft/projections/identity";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { nullable, object, optional, parseBody, string } from "../http/validate.ts";
import { enabledFilter, newKeystoneId, runIdentityCommand } from "./commandRunner.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { enforce } from "./policy.ts";
import { collectionLinks, domainView, identityUrl, roleView } from "./views.ts";

const createSchema = object({
  role: object({
    name: string({ min: 1, max: 255, trimmed: true }),
    description: optional(nullable(string({ max: 255 }))),
    domain_id: optional(nullable({ optional: false, parse: (value: unknown, path: string) => {
      throw new HttpFault(400, `Invalid input for field '${path}': domain-specific roles are not supported (got ${JSON.stringify(value)}).`);
    } })),
    options: optional(object({})),
  }),
});

export const roleRoutes = (deps: IdentityDeps) => {
  const found = (id: string) => {
    const role = getRole(deps.directory(), id);
    if (role === undefined) throw new HttpFault(404, `Could not find role: ${id}.`);
    return role;
  };
  return new Hono<IdentityEnv>()
    .get("/", (c) => {
      enforce(c.get("caller"), "identity:list_roles");
      const roles = listRoles(deps.directory(), { name: c.req.query("name") });
      return c.json({ roles: roles.map((role) => roleView(deps.publicUrl, role)), links: collectionLinks(identityUrl(deps.publicUrl, "/roles")) });
    })
    .post("/", async (c) => {
      enforce(c.get("caller"), "identity:create_role");
      const { role } = parseBody(createSchema, await readJsonObject(c));
      const roleId = newKeystoneId(deps);
      await runIdentityCommand(deps, c, { type: "CreateRole", data: { roleId, name: role.name, description: role.description ?? "" } });
      return c.json({ role: roleView(deps.publicUrl, found(roleId)) }, 201);
    })
    .get("/:roleId", (c) => {
      enforce(c.get("caller"), "identity:get_role");
      return c.json({ role: roleView(deps.publicUrl, found(c.req.param("roleId"))) });
    })
    .delete("/:roleId", async (c) => {
      enforce(c.get("caller"), "identity:delete_role");
      const roleId = found(c.req.param("roleId")).id;
      await runIdentityCommand(deps, c, { type: "DeleteRole", data: { roleId } });
      return c.body(null, 204);
    });
};

export const domainRoutes = (deps: IdentityDeps) =>
  new Hono<IdentityEnv>()
    .get("/", (c) => {
      enforce(c.get("caller"), "identity:list_domains");
      const doc = deps.directory();
      const name = c.req.query("name");
      const enabled = enabledFilter(c.req.query("enabled"));
      const domains = (name === undefined ? listDomains(doc) : [findDomainByName(doc, name) ?? []].flat()).filter(
        (domain) => enabled === undefined || domain.enabled === enabled,
      );
      return c.json({ domains: domains.map((domain) => domainView(deps.publicUrl, domain)), links: collectionLinks(identityUrl(deps.publicUrl, "/domains")) });
    })
    .get("/:domainId", (c) => {
      enforce(c.get("caller"), "identity:get_domain");
      const domain = getDomain(deps.directory(), c.req.param("domainId"));
      if (domain === undefined) throw new HttpFault(404, `Could not find domain: ${c.req.param("domainId")}.`);
      return c.json({ domain: domainView(deps.publicUrl, domain) });
    });
