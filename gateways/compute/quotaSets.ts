/**
 * `/v2.1/os-quota-sets/{project_id}` and `/v2.1/limits`: a project's compute quota. Reads come
 * from the compute read model (limits and usage as the quota aggregate decided them); a change
 * is `SetQuotaLimits` on the project's quota aggregate. As in Nova, the project must exist in
 * Keystone (400 otherwise), and a new limit below what the project already uses is refused
 * unless `force` is given; limits only ever stop new reservations, never running servers.
 */
import { Hono, type Context } from "hono";
import { defaultQuotaLimits, type QuotaLimits, type SetQuotaLimits } from "@weft/domain/compute";
import { quotaOf } from "@weft/projections/compute";
import { getProject } from "@weft/projections/identity";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { runComputeCommand } from "./commandRunner.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { atLeast, type Microversion } from "./microversions.ts";
import { enforceCompute } from "./policy.ts";
import { injectedFileQuotas, limitsView, networkQuotas, quotaApiNames, quotaDetailView, quotaSetView, type QuotaApiName } from "./quotaViews.ts";

// nova/db/constants.py MAX_INT.
const MAX_INT = 0x7fffffff;

const TRUE_STRINGS = ["1", "t", "true", "on", "y", "yes"];
const FALSE_STRINGS = ["0", "f", "false", "off", "n", "no"];

const invalidField = (field: string, value: unknown, reason: string) =>
  new HttpFault(400, `Invalid input for field/attribute ${field}. Value: ${typeof value === "string" ? value : JSON.stringify(value)}. ${reason}`);

/** Nova's `_common_quota`: an integer, or a string of one, from -1 (unlimited) to MAX_INT. */
const quotaValue = (field: string, value: unknown): number => {
  if (typeof value === "string" && !/^-?[0-9]+$/.test(value)) throw invalidField(field, value, `'${value}' does not match '^-?[0-9]+$'`);
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number)) throw invalidField(field, value, `${JSON.stringify(value)} is not of type 'integer', 'string'`);
  if (number < -1) throw invalidField(field, value, `${number} is less than the minimum of -1`);
  if (number > MAX_INT) throw invalidField(field, value, `${number} is greater than the maximum of ${MAX_INT}`);
  return number;
};

/** Nova's `parameter_types.boolean`. */
const booleanValue = (field: string, value: unknown): boolean => {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && TRUE_STRINGS.includes(value.toLowerCase())) return true;
  if (typeof value === "string" && FALSE_STRINGS.includes(value.toLowerCase())) return false;
  throw invalidField(field, value, `${JSON.stringify(value)} is not one of the accepted boolean values`);
};

interface QuotaUpdate {
  readonly limits: Partial<Record<QuotaApiName, number>>;
  readonly force: boolean;
}

/** The `quota_set` of a PUT, as the requested version's schema allows it. */
const parseUpdate = (version: Microversion, body: Record<string, unknown>): QuotaUpdate => {
  const extra = Object.keys(body).find((key) => key !== "quota_set");
  if (extra !== undefined) throw new HttpFault(400, `Invalid input for field/attribute . Additional properties are not allowed ('${extra}' was unexpected)`);
  const quotaSet = body.quota_set;
  if (quotaSet === undefined) throw new HttpFault(400, "Invalid input for field/attribute quota_set. 'quota_set' is a required property");
  if (typeof quotaSet !== "object" || quotaSet === null || Array.isArray(quotaSet)) throw invalidField("quota_set", quotaSet, "is not of type 'object'");
  const fixed: ReadonlyArray<string> = [
    ...(atLeast(version, 36) ? [] : Object.keys(networkQuotas)),
    ...(atLeast(version, 57) ? [] : Object.keys(injectedFileQuotas)),
  ];
  const limits: Partial<Record<QuotaApiName, number>> = {};
  let force = false;
  for (const [key, value] of Object.entries(quotaSet as Record<string, unknown>)) {
    if (key === "force") force = booleanValue(key, value);
    else if (Object.hasOwn(quotaApiNames, key)) limits[key as QuotaApiName] = quotaValue(key, value);
    else if (fixed.includes(key)) {
      quotaValue(key, value);
      throw new HttpFault(400, `Quota ${key} is fixed in this cloud and cannot be set.`);
    } else {
      throw new HttpFault(400, `Invalid input for field/attribute quota_set. Additional properties are not allowed ('${key}' was unexpected)`);
    }
  }
  return { limits, force };
};

export const quotaSetRoutes = (deps: ComputeDeps) => {
  /** The project named in the path, once the caller may act on it and Keystone knows it. */
  const targetProject = (c: Context<ComputeEnv>, action: "show" | "detail" | "defaults" | "update" | "delete"): string => {
    const projectId = c.req.param("id") ?? "";
    enforceCompute(c.get("caller"), action === "delete" ? "os_compute_api:os-quota-sets:update" : `os_compute_api:os-quota-sets:${action}`, { projectId });
    if (getProject(deps.directory(), projectId) === undefined) throw new HttpFault(400, `Project ID ${projectId} is not a valid project.`);
    return projectId;
  };

  const setLimits = async (c: Context<ComputeEnv>, projectId: string, limits: Partial<QuotaLimits>) => {
    if (Object.keys(limits).length > 0) await runComputeCommand(deps, c, { type: "SetQuotaLimits", data: { projectId, ...limits } satisfies SetQuotaLimits });
  };

  return new Hono<ComputeEnv>()
    .get("/:id/detail", (c) => {
      const projectId = targetProject(c, "detail");
      const { limits, inUse } = quotaOf(deps.compute(), projectId, c.req.query("user_id"));
      return c.json(quotaDetailView(c.get("microversion"), projectId, limits, inUse));
    })
    .get("/:id/defaults", (c) => c.json(quotaSetView(c.get("microversion"), targetProject(c, "defaults"), defaultQuotaLimits)))
    .get("/:id", (c) => {
      const projectId = targetProject(c, "show");
      return c.json(quotaSetView(c.get("microversion"), projectId, quotaOf(deps.compute(), projectId).limits));
    })
    .put("/:id", async (c) => {
      const projectId = targetProject(c, "update");
      if (c.req.query("user_id") !== undefined) throw new HttpFault(400, "Per-user quotas are not supported by this cloud; set the project's quota instead.");
      const version = c.get("microversion");
      const { limits, force } = parseUpdate(version, await readJsonObject(c));
      const { inUse } = quotaOf(deps.compute(), projectId);
      const changes: Partial<Record<keyof QuotaLimits, number>> = {};
      for (const [name, limit] of Object.entries(limits) as Array<[QuotaApiName, number]>) {
        const used = name === "instances" ? inUse.instances : name === "cores" ? inUse.cores : name === "ram" ? inUse.ramMb : name === "server_groups" ? inUse.serverGroups : 0;
        if (!force && limit !== -1 && limit < used) {
          throw new HttpFault(400, `Quota limit ${limit} for ${name} must be greater than or equal to already used and reserved ${used}.`);
        }
        changes[quotaApiNames[name]] = limit;
      }
      await setLimits(c, projectId, changes);
      return c.json(quotaSetView(version, undefined, quotaOf(deps.compute(), projectId).limits));
    })
    .delete("/:id", async (c) => {
      const projectId = targetProject(c, "delete");
      // Back to the defaults: the aggregate keeps no "unset", and the defaults are constants.
      await setLimits(c, projectId, defaultQuotaLimits);
      return c.body(null, 202);
    });
};

export const limitsRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>().get("/", (c) => {
    const caller = c.get("caller");
    enforceCompute(caller, "os_compute_api:limits");
    const tenantId = c.req.query("tenant_id");
    if (tenantId !== undefined) enforceCompute(caller, "os_compute_api:limits:other_project");
    const { limits, inUse } = quotaOf(deps.compute(), tenantId ?? caller.actor.projectId);
    return c.json(limitsView(c.get("microversion"), limits, inUse));
  });
