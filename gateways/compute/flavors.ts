/**
 * `/v2.1/flavors`: list and detail with Nova's filters (`minRam`, `minDisk`, `is_public`) and
 * paging (`limit`, `marker`, `flavors_links`), show, create and delete (admin), and extra specs
 * (`os-extra_specs`: read by anyone in a project, written by admins).
 */
import { Hono, type Context } from "hono";
import { getFlavor, listFlavors, type Flavor, type FlavorListQuery } from "@weft/projections/compute";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { boolean, nullable, object, optional, parseBody, string, type Field } from "../http/validate.ts";
import { runComputeCommand } from "./commandRunner.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { atLeast } from "./microversions.ts";
import { callerIsAdmin, enforceCompute } from "./policy.ts";
import { flavorSummary, flavorView } from "./views.ts";

// Nova's `max_limit`.
const MAX_LIMIT = 1000;
const DB_MAX_INT = 2147483647;

/** Nova's flavor integers: a JSON integer or a string of digits, within bounds. */
const flavorInteger = (minimum: number): Field<number> => ({
  optional: false,
  parse: (value, path) => {
    const number = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number)) {
      throw new HttpFault(400, `Invalid input for field/attribute ${path.replace(/^flavor\./, "")}. Value: ${JSON.stringify(value)}. ${JSON.stringify(value)} is not of type 'integer', 'string'`);
    }
    if (number < minimum || number > DB_MAX_INT) {
      const bound = number < minimum ? `less than the minimum of ${minimum}` : `greater than the maximum of ${DB_MAX_INT}`;
      throw new HttpFault(400, `Invalid input for field/attribute ${path.replace(/^flavor\./, "")}. Value: ${number}. ${number} is ${bound}`);
    }
    return number;
  },
});

const number = (): Field<number> => ({
  optional: false,
  parse: (value, path) => {
    if (typeof value !== "number" || value <= 0) throw new HttpFault(400, `Invalid input for field/attribute ${path}. Value: ${JSON.stringify(value)}.`);
    return value;
  },
});

const flavorName = string({ min: 1, max: 255, trimmed: true });
const flavorId = string({ min: 1, max: 255, trimmed: true });

const createSchema = (withDescription: boolean) =>
  object({
    flavor: object({
      name: flavorName,
      ram: flavorInteger(1),
      vcpus: flavorInteger(1),
      disk: flavorInteger(0),
      id: optional(nullable(flavorId)),
      "OS-FLV-EXT-DATA:ephemeral": optional(flavorInteger(0)),
      swap: optional(flavorInteger(0)),
      rxtx_factor: optional(number()),
      "os-flavor-access:is_public": optional(boolean()),
      ...(withDescription ? { description: optional(nullable(string({ max: 65535 }))) } : {}),
    }),
  });

const EXTRA_SPEC_KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

const extraSpecsOf = (value: unknown, path: string): Record<string, string> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpFault(400, `Invalid input for field/attribute ${path}. Value: ${JSON.stringify(value)}. ${JSON.stringify(value)} is not of type 'object'`);
  const specs: Record<string, string> = {};
  for (const [key, spec] of Object.entries(value)) {
    if (!EXTRA_SPEC_KEY.test(key)) throw new HttpFault(400, `Invalid input for field/attribute ${path}. Additional properties are not allowed ('${key}' was unexpected)`);
    if (typeof spec !== "string" && typeof spec !== "number" && typeof spec !== "boolean") {
      throw new HttpFault(400, `Invalid input for field/attribute ${path}/${key}. Value: ${JSON.stringify(spec)}. ${JSON.stringify(spec)} is not of type 'string', 'number', 'boolean'`);
    }
    const text = typeof spec === "boolean" ? (spec ? "True" : "False") : String(spec);
    if (text.length > 255) throw new HttpFault(400, `Invalid input for field/attribute ${path}/${key}. Value is too long (maximum 255)`);
    specs[key] = text;
  }
  return specs;
};

const integerParam = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new HttpFault(400, `Invalid ${name} filter [${value}]`);
  return Number(value);
};

/** Nova's `_parse_is_public`: absent is public only; `none` is all; else a boolean. */
const isPublicParam = (value: string | undefined): boolean | undefined => {
  if (value === undefined) return true;
  const lowered = value.toLowerCase();
  if (lowered === "none") return undefined;
  if (["1", "t", "true", "on", "y", "yes"].includes(lowered)) return true;
  if (["0", "f", "false", "off", "n", "no"].includes(lowered)) return false;
  throw new HttpFault(400, `Invalid is_public filter [${value}]`);
};

const listQuery = (c: Context<ComputeEnv>): FlavorListQuery => {
  const q = (name: string) => c.req.query(name);
  const limitText = q("limit");
  if (limitText !== undefined && !/^\d+$/.test(limitText)) throw new HttpFault(400, "limit param must be an integer");
  const limit = Math.min(limitText === undefined ? MAX_LIMIT : Number(limitText), MAX_LIMIT);
  // Only admins may see private flavors; everyone else lists the public ones (no flavor access lists yet).
  const isPublic = callerIsAdmin(c.get("caller")) ? isPublicParam(q("is_public")) : true;
  const minRam = integerParam("minRam", q("minRam"));
  const minDisk = integerParam("minDisk", q("minDisk"));
  const marker = q("marker");
  return {
    limit,
    ...(isPublic === undefined ? {} : { isPublic }),
    ...(minRam === undefined ? {} : { minRam }),
    ...(minDisk === undefined ? {} : { minDisk }),
    ...(marker === undefined ? {} : { marker }),
  };
};

/** The flavor if the caller may see it: a private one is an admin's only (no access lists yet). */
const visibleFlavor = (deps: ComputeDeps, c: Context<ComputeEnv>, id: string): Flavor => {
  const flavor = getFlavor(deps.compute(), id);
  if (flavor === undefined || (!flavor.isPublic && !callerIsAdmin(c.get("caller")))) throw new HttpFault(404, `Flavor ${id} could not be found.`);
  return flavor;
};

export const flavorRoutes = (deps: ComputeDeps) => {
  const list = (c: Context<ComputeEnv>, detailed: boolean) => {
    const query = listQuery(c);
    const { flavors, markerNotFound } = listFlavors(deps.compute(), query);
    if (markerNotFound) throw new HttpFault(400, `marker [${query.marker}] not found`);
    const version = c.get("microversion");
    const view = detailed ? flavorView : flavorSummary;
    const body: Record<string, unknown> = { flavors: flavors.map((flavor) => view(deps.publicUrl, version, flavor)) };
    const limitGiven = c.req.query("limit") !== undefined;
    if (limitGiven && query.limit !== undefined && flavors.length > 0 && flavors.length >= query.limit) {
      const params = new URLSearchParams(c.req.query());
      params.set("marker", flavors.at(-1)!.id);
      body.flavors_links = [{ rel: "next", href: `${deps.publicUrl}/compute/v2.1/flavors${detailed ? "/detail" : ""}?${params.toString()}` }];
    }
    return c.json(body);
  };

  return new Hono<ComputeEnv>()
    .get("/", (c) => list(c, false))
    .get("/detail", (c) => list(c, true))
    .post("/", async (c) => {
      const caller = c.get("caller");
      enforceCompute(caller, "os_compute_api:os-flavor-manage:create");
      const version = c.get("microversion");
      const { flavor } = parseBody(createSchema(atLeast(version, 55)), await readJsonObject(c));
      const id = flavor.id ?? deps.newId();
      await runComputeCommand(deps, c, {
        type: "CreateFlavor",
        data: {
          flavorId: id,
          name: flavor.name,
          vcpus: flavor.vcpus,
          ramMb: flavor.ram,
          diskGb: flavor.disk,
          ephemeralGb: flavor["OS-FLV-EXT-DATA:ephemeral"] ?? 0,
          swapMb: flavor.swap ?? 0,
          isPublic: flavor["os-flavor-access:is_public"] ?? true,
          description: (flavor as { description?: string | undefined }).description ?? "",
        },
      });
      return c.json({ flavor: flavorView(deps.publicUrl, version, getFlavor(deps.compute(), id)!) });
    })
    .get("/:id", (c) => c.json({ flavor: flavorView(deps.publicUrl, c.get("microversion"), visibleFlavor(deps, c, c.req.param("id"))) }))
    .delete("/:id", async (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-flavor-manage:delete");
      await runComputeCommand(deps, c, { type: "DeleteFlavor", data: { flavorId: c.req.param("id") } });
      return c.body(null, 202);
    })
    .get("/:id/os-extra_specs", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-flavor-extra-specs:index");
      return c.json({ extra_specs: visibleFlavor(deps, c, c.req.param("id")).extraSpecs });
    })
    .post("/:id/os-extra_specs", async (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-flavor-extra-specs:create");
      const body = await readJsonObject(c);
      const unexpected = Object.keys(body).filter((key) => key !== "extra_specs");
      if (!("extra_specs" in body) || unexpected.length > 0) {
        throw new HttpFault(400, unexpected.length > 0 ? `Invalid input for field/attribute . Additional properties are not allowed ('${unexpected[0]}' was unexpected)` : "Invalid input for field/attribute extra_specs. 'extra_specs' is a required property");
      }
      const extraSpecs = extraSpecsOf(body.extra_specs, "extra_specs");
      const flavorId = c.req.param("id");
      if (Object.keys(extraSpecs).length > 0) await runComputeCommand(deps, c, { type: "SetFlavorExtraSpecs", data: { flavorId, extraSpecs } });
      else if (getFlavor(deps.compute(), flavorId) === undefined) throw new HttpFault(404, `Flavor ${flavorId} could not be found.`);
      return c.json({ extra_specs: extraSpecs });
    })
    .get("/:id/os-extra_specs/:key", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-flavor-extra-specs:show");
      const id = c.req.param("id");
      const key = c.req.param("key");
      const specs = visibleFlavor(deps, c, id).extraSpecs;
      if (!Object.hasOwn(specs, key)) throw new HttpFault(404, `Flavor ${id} has no extra specs with key ${key}.`);
      return c.json({ [key]: specs[key] });
    })
    .put("/:id/os-extra_specs/:key", async (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-flavor-extra-specs:update");
      const key = c.req.param("key");
      const body = await readJsonObject(c);
      if (!(key in body)) throw new HttpFault(400, "Request body and URI mismatch");
      if (Object.keys(body).length > 1) throw new HttpFault(400, "Request body contains too many items");
      const extraSpecs = extraSpecsOf(body, "");
      await runComputeCommand(deps, c, { type: "SetFlavorExtraSpecs", data: { flavorId: c.req.param("id"), extraSpecs } });
      return c.json(extraSpecs);
    })
    .delete("/:id/os-extra_specs/:key", async (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-flavor-extra-specs:delete");
      await runComputeCommand(deps, c, { type: "UnsetFlavorExtraSpec", data: { flavorId: c.req.param("id"), key: c.req.param("key") } });
      return c.body(null, 200);
    });
};
