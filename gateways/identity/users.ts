/**
 * `/v3/users`: list, create, show, update (including a new password), delete, the projects a
 * user has roles on, and the self-service password change. Passwords are hashed here, at the
 * edge, so only the hash ever reaches a command, an event or a log.
 */
import { Hono } from "hono";
import { getProject, getUser, listAssignments, listUsers } from "@weft/projections/identity";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { boolean, nullable, object, optional, parseBody, string } from "../http/validate.ts";
import { enabledFilter, newKeystoneId, runIdentityCommand } from "./commandRunner.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { enforce } from "./policy.ts";
import { unauthorized } from "./requireToken.ts";
import { collectionLinks, identityUrl, projectView, userView } from "./views.ts";

const name = string({ min: 1, max: 255, trimmed: true });
const password = string({ min: 1, max: 4096 });
const email = string({ max: 255 });
const description = string({ max: 65_535 });
const projectRef = string({ max: 64 });

const createSchema = object({
  user: object({
    name,
    domain_id: optional(nullable(string({ min: 1, max: 64 }))),
    password: optional(nullable(password)),
    email: optional(nullable(email)),
    description: optional(nullable(description)),
    enabled: optional(boolean()),
    default_project_id: optional(nullable(projectRef)),
    options: optional(object({})),
  }),
});

const updateSchema = object({
  user: object({
    name: optional(name),
    password: optional(password),
    email: optional(nullable(email)),
    description: optional(nullable(description)),
    enabled: optional(boolean()),
    default_project_id: optional(nullable(projectRef)),
    options: optional(object({})),
  }),
});

const changePasswordSchema = object({ user: object({ password, original_password: password }) });

export const userRoutes = (deps: IdentityDeps) => {
  const found = (id: string) => {
    const user = getUser(deps.directory(), id);
    if (user === undefined) throw new HttpFault(404, `Could not find user: ${id}.`);
    return user;
  };
  const hash = (clear: string) => hashPassword(clear, deps.scryptCost);

  return new Hono<IdentityEnv>()
    .get("/", (c) => {
      enforce(c.get("caller"), "identity:list_users");
      const users = listUsers(deps.directory(), {
        name: c.req.query("name"),
        domainId: c.req.query("domain_id"),
        enabled: enabledFilter(c.req.query("enabled")),
      });
      return c.json({ users: users.map((user) => userView(deps.publicUrl, user)), links: collectionLinks(identityUrl(deps.publicUrl, "/users")) });
    })
    .post("/", async (c) => {
      enforce(c.get("caller"), "identity:create_user");
      const { user } = parseBody(createSchema, await readJsonObject(c));
      const userId = newKeystoneId(deps);
      await runIdentityCommand(deps, c, {
        type: "CreateUser",
        data: {
          userId,
          domainId: user.domain_id ?? "default",
          name: user.name,
          // A user without a password cannot authenticate with one: an empty hash never verifies.
          passwordHash: user.password === undefined ? "" : await hash(user.password),
          email: user.email ?? "",
          description: user.description ?? "",
          enabled: user.enabled ?? true,
          defaultProjectId: user.default_project_id ?? "",
        },
      });
      return c.json({ user: userView(deps.publicUrl, found(userId)) }, 201);
    })
    .get("/:userId", (c) => {
      const userId = c.req.param("userId");
      enforce(c.get("caller"), "identity:get_user", { userId });
      return c.json({ user: userView(deps.publicUrl, found(userId)) });
    })
    .patch("/:userId", async (c) => {
      const userId = c.req.param("userId");
      enforce(c.get("caller"), "identity:update_user", { userId });
      const { user } = parseBody(updateSchema, await readJsonObject(c));
      found(userId);
      await runIdentityCommand(deps, c, {
        type: "UpdateUser",
        data: {
          userId,
          ...(user.name === undefined ? {} : { name: user.name }),
          ...(user.password === undefined ? {} : { passwordHash: await hash(user.password) }),
          ...(user.email === undefined ? {} : { email: user.email ?? "" }),
          ...(user.description === undefined ? {} : { description: user.description ?? "" }),
          ...(user.enabled === undefined ? {} : { enabled: user.enabled }),
          ...(user.default_project_id === undefined ? {} : { defaultProjectId: user.default_project_id ?? "" }),
        },
      });
      return c.json({ user: userView(deps.publicUrl, found(userId)) });
    })
    .delete("/:userId", async (c) => {
      const userId = c.req.param("userId");
      enforce(c.get("caller"), "identity:delete_user", { userId });
      found(userId);
      await runIdentityCommand(deps, c, { type: "DeleteUser", data: { userId } });
      return c.body(null, 204);
    })
    .post("/:userId/password", async (c) => {
      const userId = c.req.param("userId");
      if (c.get("caller").claims.userId !== userId) throw new HttpFault(403, "You are not authorized to perform the requested action: identity:change_password.");
      const { user } = parseBody(changePasswordSchema, await readJsonObject(c));
      if (!(await verifyPassword(user.original_password, found(userId).passwordHash))) throw unauthorized(deps.publicUrl);
      await runIdentityCommand(deps, c, { type: "UpdateUser", data: { userId, passwordHash: await hash(user.password) } });
      return c.body(null, 204);
    })
    .get("/:userId/projects", (c) => {
      const userId = c.req.param("userId");
      enforce(c.get("caller"), "identity:list_user_projects", { userId });
      found(userId);
      const doc = deps.directory();
      const projectIds = new Set(listAssignments(doc, { userId }).flatMap((assignment) => (assignment.system ? [] : [assignment.projectId])));
      const projects = [...projectIds].flatMap((id) => getProject(doc, id) ?? []);
      return c.json({ projects: projects.map((project) => projectView(deps.publicUrl, project)), links: collectionLinks(identityUrl(deps.publicUrl, `/users/${userId}/projects`)) });
    });
};
