/**
 * `/v2.1/os-server-groups`: a project's server groups. Create takes Nova's `policies` list of one
 * before 2.64 and `policy` with `rules` (`max_server_per_host`, anti-affinity only) from it; the
 * soft policies from 2.15. The `server_groups` quota is checked against the read model before the
 * create, as Nova checks it before writing. Members are the group's servers not deleted.
 */
import { Hono, type Context } from "hono";
import { serverGroupPolicies, type ServerGroupPolicy } from "@weft/domain/compute";
import { getServerGroup, listServerGroups, quotaOf, type ServerGroup } from "@weft/projections/compute";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { runComputeCommand } from "./commandRunner.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { atLeast, type Microversion } from "./microversions.ts";
import { enforceCompute } from "./policy.ts";

// Nova's `max_limit`.
const MAX_LIMIT = 1000;

/** `GET`, `POST` and list entries, by microversion. */
export const serverGroupView = (version: Microversion, group: ServerGroup) => ({
  id: group.id,
  name: group.name,
  ...(atLeast(version, 64)
    ? { policy: group.policy, rules: group.maxServerPerHost > 0 ? { max_server_per_host: group.maxServerPerHost } : {} }
    : { policies: [group.policy], metadata: {} }),
  members: group.members,
  ...(atLeast(version, 13) ? { project_id: group.projectId, user_id: group.userId } : {}),
});

const invalid = (field: string, value: unknown, reason: string) =>
  new HttpFault(400, `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(value)}. ${reason}`);

const unexpected = (where: string, keys: ReadonlyArray<string>, allowed: ReadonlyArray<string>) => {
  const extra = keys.find((key) => !allowed.includes(key));
  if (extra !== undefined) throw new HttpFault(400, `Invalid input for field/attribute ${where}. Additional properties are not allowed ('${extra}' was unexpected)`);
};

interface GroupRequest {
  readonly name: string;
  readonly policy: ServerGroupPolicy;
  readonly maxServerPerHost: number;
}

/** Nova's `create`, `create_v215` and `create_v264` schemas and the rules check that follows them. */
const parseCreate = (version: Microversion, body: Record<string, unknown>): GroupRequest => {
  unexpected("", Object.keys(body), ["server_group"]);
  const group = body.server_group;
  if (group === undefined) throw new HttpFault(400, "Invalid input for field/attribute server_group. 'server_group' is a required property");
  if (typeof group !== "object" || group === null || Array.isArray(group)) throw invalid("server_group", group, "is not of type 'object'");
  const fields = group as Record<string, unknown>;
  const modern = atLeast(version, 64);
  unexpected("server_group", Object.keys(fields), modern ? ["name", "policy", "rules"] : ["name", "policies"]);
  const allowed: ReadonlyArray<string> = atLeast(version, 15) ? serverGroupPolicies : ["anti-affinity", "affinity"];

  const { name } = fields;
  if (name === undefined) throw new HttpFault(400, "Invalid input for field/attribute name. 'name' is a required property");
  if (typeof name !== "string") throw invalid("name", name, `${JSON.stringify(name)} is not of type 'string'`);
  if (name.length < 1 || name.length > 255 || name.trim() !== name) throw invalid("name", name, "the name must be 1 to 255 characters with no leading or trailing whitespace");

  let policy: unknown;
  if (modern) {
    policy = fields.policy;
    if (policy === undefined) throw new HttpFault(400, "Invalid input for field/attribute policy. 'policy' is a required property");
  } else {
    const { policies } = fields;
    if (policies === undefined) throw new HttpFault(400, "Invalid input for field/attribute policies. 'policies' is a required property");
    if (!Array.isArray(policies) || policies.length !== 1) throw invalid("policies", policies, "exactly one policy must be given");
    policy = policies[0];
  }
  if (typeof policy !== "string" || !allowed.includes(policy)) throw invalid("policy", policy, `${JSON.stringify(policy)} is not one of ${JSON.stringify(allowed)}`);

  let maxServerPerHost = 0;
  if (modern && fields.rules !== undefined) {
    const { rules } = fields;
    if (typeof rules !== "object" || rules === null || Array.isArray(rules)) throw invalid("rules", rules, "is not of type 'object'");
    const given = rules as Record<string, unknown>;
    unexpected("rules", Object.keys(given), ["max_server_per_host"]);
    const raw = given.max_server_per_host;
    if (raw !== undefined) {
      const number = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof number !== "number" || !Number.isInteger(number) || number < 1) {
        throw invalid("max_server_per_host", raw, `${JSON.stringify(raw)} is not a positive integer`);
      }
      maxServerPerHost = number;
    }
    if (policy !== "anti-affinity" && Object.keys(given).length > 0) throw new HttpFault(400, "Only anti-affinity policy supports rules.");
  }
  return { name, policy: policy as ServerGroupPolicy, maxServerPerHost };
};

/** Nova's `common.limited`: `offset` and `limit`, both non-negative integers. */
const pageOf = <T>(c: Context<ComputeEnv>, items: ReadonlyArray<T>): ReadonlyArray<T> => {
  const read = (name: string, fallback: number) => {
    const text = c.req.query(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) throw new HttpFault(400, `${name} param must be an integer`);
    return Number(text);
  };
  const offset = read("offset", 0);
  const limit = Math.min(read("limit", MAX_LIMIT), MAX_LIMIT);
  return items.slice(offset, offset + limit);
};

export const serverGroupRoutes = (deps: ComputeDeps) => {
  const existing = (c: Context<ComputeEnv>, action: "show" | "delete"): ServerGroup => {
    const id = c.req.param("id") ?? "";
    const group = getServerGroup(deps.compute(), id);
    if (group === undefined) throw new HttpFault(404, `Instance group ${id} could not be found.`);
    enforceCompute(c.get("caller"), `os_compute_api:os-server-groups:${action}`, { projectId: group.projectId });
    return group;
  };

  return new Hono<ComputeEnv>()
    .get("/", (c) => {
      const caller = c.get("caller");
      enforceCompute(caller, "os_compute_api:os-server-groups:index");
      // As Nova: `all_projects` from a non-admin quietly lists the caller's own.
      const allProjects = c.req.query("all_projects") !== undefined && caller.roleNames.includes("admin");
      if (allProjects) enforceCompute(caller, "os_compute_api:os-server-groups:index:all_projects");
      const groups = listServerGroups(deps.compute(), allProjects ? undefined : caller.actor.projectId);
      const version = c.get("microversion");
      return c.json({ server_groups: pageOf(c, groups).map((group) => serverGroupView(version, group)) });
    })
    .post("/", async (c) => {
      const caller = c.get("caller");
      const { projectId, userId } = caller.actor;
      enforceCompute(caller, "os_compute_api:os-server-groups:create");
      const { limits, inUse } = quotaOf(deps.compute(), projectId);
      if (limits.serverGroups >= 0 && inUse.serverGroups + 1 > limits.serverGroups) throw new HttpFault(403, "Quota exceeded, too many server groups.");
      const version = c.get("microversion");
      const request = parseCreate(version, await readJsonObject(c));
      const groupId = deps.newId();
      await runComputeCommand(deps, c, { type: "CreateServerGroup", data: { groupId, projectId, userId, ...request } });
      return c.json({ server_group: serverGroupView(version, getServerGroup(deps.compute(), groupId)!) });
    })
    .get("/:id", (c) => c.json({ server_group: serverGroupView(c.get("microversion"), existing(c, "show")) }))
    .delete("/:id", async (c) => {
      const group = existing(c, "delete");
      await runComputeCommand(deps, c, { type: "DeleteServerGroup", data: { groupId: group.id } });
      return c.body(null, 204);
    });
};
