/**
 * Nova's microversions: the append-only list of the versions whose changes this gateway
 * serves (appending an entry raises the maximum it announces), and the negotiation middleware.
 *
 * A request names its version with `OpenStack-API-Version: compute X.Y` (or the legacy
 * `X-OpenStack-Nova-API-Version: X.Y`); none means 2.1, `latest` the maximum. A version out of
 * range is Nova's 406; a malformed one Nova's 400 (`InvalidAPIVersionString`). Every response
 * echoes the version served in both headers, with `Vary` naming them.
 */
import type { MiddlewareHandler } from "hono";
import { HttpFault } from "../http/faults.ts";

export interface Microversion {
  readonly major: 2;
  readonly minor: number;
}

/** Append only (in version order): a version once announced is served for good. */
export const microversions: ReadonlyArray<{ readonly version: string; readonly change: string }> = [
  { version: "2.1", change: "the v2.1 API: flavors, flavor extra specs, key pairs" },
  { version: "2.2", change: "key pairs show their type; create answers 201 and delete 204" },
  { version: "2.3", change: "admins see more extended server attributes (reservation id, launch index, hostname…)" },
  { version: "2.9", change: "servers show `locked`" },
  { version: "2.19", change: "servers show a description" },
  { version: "2.21", change: "the instance actions of a deleted server stay readable" },
  { version: "2.26", change: "servers show their tags" },
  { version: "2.37", change: "`networks` may be \"none\" or \"auto\" (accepted at every version here)" },
  { version: "2.47", change: "servers embed their flavor instead of linking it" },
  { version: "2.51", change: "everyone sees the events of an instance action" },
  { version: "2.55", change: "flavors carry a description" },
  { version: "2.58", change: "instance actions show `updated_at`" },
  { version: "2.61", change: "flavors show their extra specs" },
  { version: "2.62", change: "instance action events show the host (`hostId`, and `host` to admins)" },
  { version: "2.63", change: "servers show `trusted_image_certificates`" },
  { version: "2.71", change: "server show and update list the server's groups" },
  { version: "2.73", change: "servers show `locked_reason`" },
  { version: "2.75", change: "a flavor's swap of 0 is shown as 0, not \"\"" },
  { version: "2.79", change: "the maximum this gateway announces" },
];

const minorOf = (version: string) => Number(version.split(".")[1]);

export const MIN_VERSION = microversions[0]!.version;
export const MAX_VERSION = microversions.at(-1)!.version;
const MIN_MINOR = minorOf(MIN_VERSION);
const MAX_MINOR = minorOf(MAX_VERSION);

export const format = (version: Microversion) => `${version.major}.${version.minor}`;

const requested = (modern: string | undefined, legacy: string | undefined): string | undefined => {
  if (modern !== undefined) {
    // `OpenStack-API-Version: volume 3.0, compute 2.5`: the compute entry only.
    for (const entry of modern.split(",")) {
      const [service, version] = entry.trim().split(/\s+/, 2);
      if (service?.toLowerCase() === "compute" && version !== undefined) return version;
    }
  }
  return legacy?.trim();
};

/** The version a request asks for; throws Nova's 400 or 406 fault when it cannot be served. */
export const negotiate = (modern: string | undefined, legacy: string | undefined): Microversion => {
  const asked = requested(modern, legacy);
  if (asked === undefined || asked === "") return { major: 2, minor: MIN_MINOR };
  if (asked.toLowerCase() === "latest") return { major: 2, minor: MAX_MINOR };
  const match = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(asked);
  if (match === null) throw new HttpFault(400, `API Version String ${asked} is of invalid format. Must be of format MajorNum.MinorNum.`);
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major !== 2 || minor < MIN_MINOR || minor > MAX_MINOR) {
    throw new HttpFault(406, `Version ${asked} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.`);
  }
  return { major: 2, minor };
};

export const versionHeaders = (version: Microversion): Record<string, string> => ({
  "OpenStack-API-Version": `compute ${format(version)}`,
  "X-OpenStack-Nova-API-Version": format(version),
  Vary: "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
});

export const negotiateMicroversion = (): MiddlewareHandler<{ Variables: { microversion: Microversion } }> =>
  async function microversionMiddleware(c, next) {
    const version = negotiate(c.req.header("openstack-api-version"), c.req.header("x-openstack-nova-api-version"));
    c.set("microversion", version);
    for (const [name, value] of Object.entries(versionHeaders(version))) c.header(name, value);
    await next();
  };

/** True when the request's version is at least 2.`minor`. */
export const atLeast = (version: Microversion, minor: number) => version.minor >= minor;
