/**
 * `/placement/resource_providers`: the providers compute hosts registered, read from the
 * placement read model. The list filters as Placement does, by version: `name`, `uuid`;
 * `member_of` (1.3: Weft has no aggregates, so only forbidden ones match anything); `resources`
 * (1.4: room for the amounts now); `in_tree` (1.14: every provider is its own tree); `required`
 * (1.18, `!` for forbidden from 1.22, `in:` from 1.39). Unknown or unversioned parameters are a 400.
 */
import { Hono, type Context } from "hono";
import { fits, inventoryOf } from "@weft/domain/placement";
import { getProvider, listProviders, type ProviderRecord } from "@weft/projections/placement";
import { HttpFault } from "../http/faults.ts";
import type { PlacementDeps, PlacementEnv } from "./context.ts";
import { atLeast, type PlacementVersion } from "./microversions.ts";
import { enforcePlacement } from "./policy.ts";
import { knownResourceClasses } from "./resourceClasses.ts";
import { inventoriesView, inventoryView, providerAllocationsView, providerView, usagesView } from "./views.ts";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const badQuery = (reason: string) => new HttpFault(400, `Invalid query string parameters: ${reason}`);

/** Placement's `last-modified` and `cache-control` from 1.15. */
export const cacheHeaders = (c: Context<PlacementEnv>, modified: string | number) => {
  if (!atLeast(c.get("placementMicroversion"), 15)) return;
  c.header("cache-control", "no-cache");
  c.header("last-modified", new Date(modified).toUTCString());
};

const queryNames = (version: PlacementVersion): ReadonlyArray<string> => [
  "name",
  "uuid",
  ...(atLeast(version, 3) ? ["member_of"] : []),
  ...(atLeast(version, 4) ? ["resources"] : []),
  ...(atLeast(version, 14) ? ["in_tree"] : []),
  ...(atLeast(version, 18) ? ["required"] : []),
];

/** `?resources=VCPU:2,MEMORY_MB:1024`. */
const resourcesParam = (text: string, known: ReadonlySet<string>): Record<string, number> => {
  const amounts: Record<string, number> = {};
  for (const pair of text.split(",")) {
    const match = /^([A-Z0-9_]+):(\d+)$/.exec(pair.trim());
    if (match === null) {
      throw new HttpFault(400, `Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: ${text}.`);
    }
    const [, resourceClass, amount] = match as unknown as [string, string, string];
    if (!known.has(resourceClass)) throw new HttpFault(400, `Invalid resource class in resources parameter: No such resource class ${resourceClass}.`);
    amounts[resourceClass] = Number(amount);
  }
  return amounts;
};

/** `?required=A,!B&required=in:C,D`: every group must hold (a trait, its absence, or one of several). */
const requiredParam = (version: PlacementVersion, values: ReadonlyArray<string>): ReadonlyArray<(traits: ReadonlyArray<string>) => boolean> =>
  values.flatMap((value) => {
    if (value.startsWith("in:")) {
      if (!atLeast(version, 39)) throw badQuery(`'${value}' is not a valid trait list before microversion 1.39`);
      const anyOf = value.slice(3).split(",").map((trait) => trait.trim());
      return [(traits: ReadonlyArray<string>) => anyOf.some((trait) => traits.includes(trait))];
    }
    return value.split(",").map((raw) => {
      const trait = raw.trim();
      if (trait.startsWith("!")) {
        if (!atLeast(version, 22)) throw new HttpFault(400, `Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${value}`);
        return (traits: ReadonlyArray<string>) => !traits.includes(trait.slice(1));
      }
      return (traits: ReadonlyArray<string>) => traits.includes(trait);
    });
  });

export const providerRoutes = (deps: PlacementDeps) => {
  const provider = (c: Context<PlacementEnv>): ProviderRecord => {
    const uuid = c.req.param("uuid") ?? "";
    const record = getProvider(deps.placement(), uuid.toLowerCase());
    if (record === undefined) throw new HttpFault(404, `No resource provider with uuid ${uuid} found`);
    return record;
  };

  const list = (c: Context<PlacementEnv>): ReadonlyArray<ProviderRecord> => {
    const version = c.get("placementMicroversion");
    const allowed = queryNames(version);
    const query = c.req.queries();
    for (const name of Object.keys(query)) {
      if (!allowed.includes(name)) throw badQuery(`Additional properties are not allowed ('${name}' was unexpected)`);
      if (name !== "required" && name !== "member_of" && (query[name]?.length ?? 0) > 1) throw badQuery(`${JSON.stringify(query[name])} is not of type 'string'`);
    }
    const one = (name: string) => query[name]?.[0];
    const uuid = one("uuid");
    if (uuid !== undefined && !UUID.test(uuid)) throw badQuery(`'${uuid}' is not a 'uuid'`);
    const inTree = one("in_tree");
    if (inTree !== undefined && !UUID.test(inTree)) throw badQuery(`'${inTree}' is not a 'uuid'`);
    const doc = deps.placement();
    const resources = one("resources") === undefined ? undefined : resourcesParam(one("resources")!, knownResourceClasses(doc));
    const required = requiredParam(version, query.required ?? []);
    // No provider is in an aggregate: a positive member_of matches none, a forbidden one all.
    const memberOf = query.member_of ?? [];
    const noneMatch = memberOf.some((value) => !value.startsWith("!"));
    const name = one("name");
    return listProviders(doc, name === undefined ? {} : { name }).filter(({ provider }) =>
      !noneMatch &&
      (uuid === undefined || provider.providerId === uuid.toLowerCase()) &&
      (inTree === undefined || provider.providerId === inTree.toLowerCase()) &&
      (resources === undefined || fits(provider, resources)) &&
      required.every((holds) => holds(provider.traits)),
    );
  };

  return new Hono<PlacementEnv>()
    .get("/", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_providers:list");
      const records = list(c);
      const version = c.get("placementMicroversion");
      cacheHeaders(c, records.map((record) => record.updatedAt).sort().at(-1) ?? deps.now());
      return c.json({ resource_providers: records.map((record) => providerView(version, record)) });
    })
    .get("/:uuid", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_providers:show");
      const record = provider(c);
      cacheHeaders(c, record.updatedAt);
      return c.json(providerView(c.get("placementMicroversion"), record));
    })
    .get("/:uuid/inventories", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_providers:inventories:list");
      const record = provider(c);
      cacheHeaders(c, record.updatedAt);
      return c.json(inventoriesView(record));
    })
    .get("/:uuid/inventories/:resourceClass", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_providers:inventories:show");
      const record = provider(c);
      const resourceClass = c.req.param("resourceClass");
      const inventory = inventoryOf(record.provider.inventories, resourceClass);
      if (inventory === undefined) throw new HttpFault(404, `No inventory of class ${resourceClass} for ${record.provider.providerId}`);
      cacheHeaders(c, record.updatedAt);
      return c.json({ ...inventoryView(inventory), resource_provider_generation: record.generation });
    })
    .get("/:uuid/usages", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_providers:usages");
      const record = provider(c);
      // Placement: usage is "now", so its last-modified is now.
      cacheHeaders(c, deps.now());
      return c.json(usagesView(record));
    })
    .get("/:uuid/allocations", (c) => {
      enforcePlacement(c.get("caller"), "placement:resource_providers:allocations:list");
      const record = provider(c);
      cacheHeaders(c, record.updatedAt);
      return c.json(providerAllocationsView(c.get("placementMicroversion"), record));
    })
    .get("/:uuid/aggregates", (c) => {
      if (!atLeast(c.get("placementMicroversion"), 1)) throw new HttpFault(404, "The resource could not be found.");
      enforcePlacement(c.get("caller"), "placement:resource_providers:aggregates:list");
      const record = provider(c);
      cacheHeaders(c, record.updatedAt);
      return c.json({ aggregates: [], ...(atLeast(c.get("placementMicroversion"), 19) ? { resource_provider_generation: record.generation } : {}) });
    })
    .get("/:uuid/traits", (c) => {
      if (!atLeast(c.get("placementMicroversion"), 6)) throw new HttpFault(404, "The resource could not be found.");
      enforcePlacement(c.get("caller"), "placement:resource_providers:traits:list");
      const record = provider(c);
      cacheHeaders(c, record.updatedAt);
      return c.json({ traits: [...record.provider.traits], resource_provider_generation: record.generation });
    });
};
