/**
 * `/v3/projects`: list, create, show, update, delete, and the user role grants under a project.
 */
import { Hono } from "hono";
import { getProject, listProjects } from "@weft/projections/identity";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { arrayOf, boolean, literal, nullable, object, optional, parseBody, string } from "../http/validate.ts";
import { enabledFilter, newKeystoneId, runIdentityCommand } from "./commandRunner.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { enforce } from "./policy.ts";
import { collectionLinks, identityUrl, projectView } from "./views.ts";

const name = string({ min: 1, max: 64, trimmed: true });
const description = string({ max: 65_535 });
const tags = arrayOf(string({ min: 1, max: 255 }), { max: 80 });

const createSchema = object({
  project: object({
    name,
    domain_id: optional(nullable(string({ min: 1, max: 64 }))),
    description: optional(nullable(description)),
    enabled: optional(boolean()),
    parent_id: optional(nullable(string({ max: 64 }))),
    is_domain: optional(literal(false)),
    tags: optional(tags),
    options: optional(object({})),
  }),
});

const updateSchema = object({
  project: object({
    name: optional(name),
    description: optional(nullable(description)),
    enabled: optional(boolean()),
    options: optional(object({})),
  }),
});

export const projectRoutes = (deps: IdentityDeps) => {
  const found = (id: string) => {
    const project = getProject(deps.directory(), id);
    if (project === undefined) throw new HttpFault(404, `Could not find project: ${id}.`);
    return project;
  };

  return new Hono<IdentityEnv>()
    .get("/", (c) => {
      enforce(c.get("caller"), "identity:list_projects");
      const projects = listProjects(deps.directory(), {
        name: c.req.query("name"),
        domainId: c.req.query("domain_id"),
        enabled: enabledFilter(c.req.query("enabled")),
      });
      return c.json({ projects: projects.map((project) => projectView(deps.publicUrl, project)), links: collectionLinks(identityUrl(deps.publicUrl, "/projects")) });
    })
    .post("/", async (c) => {
      enforce(c.get("caller"), "identity:create_project");
      const { project } = parseBody(createSchema, await readJsonObject(c));
      const domainId = project.domain_id ?? "default";
      if (project.parent_id !== undefined && project.parent_id !== domainId) {
        throw new HttpFault(400, "Project hierarchies are not supported: parent_id must be the project's domain.");
      }
      const projectId = newKeystoneId(deps);
      await runIdentityCommand(deps, c, {
        type: "CreateProject",
        data: { projectId, domainId, name: project.name, description: project.description ?? "", enabled: project.enabled ?? true, tags: project.tags ?? [] },
      });
      return c.json({ project: projectView(deps.publicUrl, found(projectId)) }, 201);
    })
    .get("/:projectId", (c) => {
      const projectId = c.req.param("projectId");
      enforce(c.get("caller"), "identity:get_project", { projectId });
      return c.json({ project: projectView(deps.publicUrl, found(projectId)) });
    })
    .patch("/:projectId", async (c) => {
      const projectId = c.req.param("projectId");
      enforce(c.get("caller"), "identity:update_project", { projectId });
      const { project } = parseBody(updateSchema, await readJsonObject(c));
      found(projectId);
      await runIdentityCommand(deps, c, {
        type: "UpdateProject",
        data: {
          projectId,
          ...(project.name === undefined ? {} : { name: project.name }),
          ...(project.description === undefined ? {} : { description: project.description ?? "" }),
          ...(project.enabled === undefined ? {} : { enabled: project.enabled }),
        },
      });
      return c.json({ project: projectView(deps.publicUrl, found(projectId)) });
    })
    .delete("/:projectId", async (c) => {
      const projectId = c.req.param("projectId");
      enforce(c.get("caller"), "identity:delete_project", { projectId });
      found(projectId);
      await runIdentityCommand(deps, c, { type: "DeleteProject", data: { projectId } });
      return c.body(null, 204);
    });
};
