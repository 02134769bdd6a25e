/**
 * Placement's microversions and their negotiation, as the `microversion_parse` middleware does
 * it for Placement: `OpenStack-API-Version: placement X.Y` (the last placement entry wins), none
 * means 1.0 and `latest` the maximum; a string that is no version is a 400, a version not in
 * the list a 406 whose body names the range (osc-placement reads `max_version` from it to fall
 * back). Every response, faults included, echoes the version served, with `Vary`.
 *
 * The list is Placement's own, append only; this gateway serves the reads of every version up to
 * its last entry (which fields each adds is in `views.ts`).
 */
import type { MiddlewareHandler } from "hono";
import { HttpFault } from "../http/faults.ts";

export interface PlacementVersion {
  readonly major: 1;
  readonly minor: number;
}

/** Append only: a version once announced is served for good. */
export const placementVersions: ReadonlyArray<{ readonly version: string; readonly change: string }> = [
  { version: "1.0", change: "resource providers, inventories, usages, allocations" },
  { version: "1.1", change: "provider aggregates (a link on each provider)" },
  { version: "1.2", change: "/resource_classes" },
  { version: "1.3", change: "member_of on GET /resource_providers" },
  { version: "1.4", change: "resources on GET /resource_providers" },
  { version: "1.5", change: "DELETE of all inventories" },
  { version: "1.6", change: "traits (a link on each provider)" },
  { version: "1.7", change: "PUT /resource_classes/{name} without a body" },
  { version: "1.8", change: "project_id and user_id required on PUT /allocations" },
  { version: "1.9", change: "GET /usages" },
  { version: "1.10", change: "GET /allocation_candidates" },
  { version: "1.11", change: "an allocations link on each provider" },
  { version: "1.12", change: "project_id and user_id on GET /allocations/{consumer}" },
  { version: "1.13", change: "POST /allocations" },
  { version: "1.14", change: "parent_provider_uuid and root_provider_uuid; in_tree" },
  { version: "1.15", change: "last-modified and cache-control headers" },
  { version: "1.16", change: "limit on GET /allocation_candidates" },
  { version: "1.17", change: "required traits on GET /allocation_candidates" },
  { version: "1.18", change: "required traits on GET /resource_providers" },
  { version: "1.19", change: "generations in provider aggregates" },
  { version: "1.20", change: "POST /resource_providers answers the provider" },
  { version: "1.21", change: "member_of on GET /allocation_candidates" },
  { version: "1.22", change: "forbidden traits" },
  { version: "1.23", change: "error codes in fault bodies" },
  { version: "1.24", change: "repeated member_of" },
  { version: "1.25", change: "granular resource requests" },
  { version: "1.26", change: "reserved may equal total" },
  { version: "1.27", change: "every class in provider summaries" },
  { version: "1.28", change: "consumer generations" },
  { version: "1.29", change: "nested providers in allocation candidates" },
  { version: "1.30", change: "POST /reshaper" },
  { version: "1.31", change: "in_tree on GET /allocation_candidates" },
  { version: "1.32", change: "forbidden aggregates" },
  { version: "1.33", change: "request group suffixes" },
  { version: "1.34", change: "mappings in allocation requests" },
  { version: "1.35", change: "root_required" },
  { version: "1.36", change: "same_subtree" },
  { version: "1.37", change: "re-parenting providers" },
  { version: "1.38", change: "consumer types" },
  { version: "1.39", change: "any-traits (in:) in required" },
];

const minorOf = (version: string) => Number(version.split(".")[1]);

export const MIN_PLACEMENT_VERSION = placementVersions[0]!.version;
export const MAX_PLACEMENT_VERSION = placementVersions.at(-1)!.version;
const known = new Set(placementVersions.map((entry) => entry.version));

export const formatPlacementVersion = (version: PlacementVersion) => `${version.major}.${version.minor}`;

const requested = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined;
  for (const entry of header.split(",").reverse()) {
    const [service, version] = entry.trim().split(/\s+/, 2);
    if (service?.toLowerCase() === "placement" && version !== undefined) return version.trim();
  }
  return undefined;
};

/** The version a request asks for; throws Placement's 400 or 406 when it cannot be served. */
export const negotiatePlacement = (header: string | undefined): PlacementVersion => {
  const asked = requested(header) ?? MIN_PLACEMENT_VERSION;
  if (asked === "latest") return { major: 1, minor: minorOf(MAX_PLACEMENT_VERSION) };
  const match = /^(\d+)\.(\d+)$/.exec(asked);
  if (match === null) throw new HttpFault(400, `Invalid microversion: invalid version string: ${asked}`);
  const version = `${Number(match[1])}.${Number(match[2])}`;
  if (!known.has(version)) throw new HttpFault(406, `Invalid microversion: Unacceptable version header: ${asked}`);
  return { major: 1, minor: Number(match[2]) };
};

export interface PlacementVersionVariables {
  placementMicroversion: PlacementVersion;
}

export const negotiatePlacementVersion = (): MiddlewareHandler<{ Variables: PlacementVersionVariables }> =>
  async function placementMicroversionMiddleware(c, next) {
    const version = negotiatePlacement(c.req.header("openstack-api-version"));
    c.set("placementMicroversion", version);
    c.header("OpenStack-API-Version", `placement ${formatPlacementVersion(version)}`);
    c.header("Vary", "openstack-api-version");
    await next();
  };

/** True when the request's version is at least 1.`minor`. */
export const atLeast = (version: PlacementVersion, minor: number) => version.minor >= minor;
