/**
 * Who may read usage. Nova's defaults for os-simple-tenant-usage: the list of every project is
 * admin-only (`os_compute_api:os-simple-tenant-usage:list`), one project's usage is for its
 * readers and admins (`…:show`, PROJECT_READER_OR_ADMIN). `/metering/v1` follows the same split,
 * and the fabric-wide `/metrics` is admin-only. A refusal is a 403 naming the rule, as Nova's is.
 */
import type { MiddlewareHandler } from "hono";
import { HttpFault } from "../http/faults.ts";
import { unauthorized } from "../identity/requireToken.ts";
import type { MeterCaller, MeteringDeps, MeteringEnv } from "./context.ts";

export const isAdmin = (caller: MeterCaller) => caller.roleNames.includes("admin");

const readerOf = (caller: MeterCaller, projectId: string) => isAdmin(caller) || (caller.projectId !== "" && caller.projectId === projectId && caller.roleNames.length > 0);

export const meteringPolicy = {
  "os_compute_api:os-simple-tenant-usage:list": (caller: MeterCaller) => isAdmin(caller),
  "os_compute_api:os-simple-tenant-usage:show": readerOf,
  "metering:usage:list": (caller: MeterCaller) => isAdmin(caller),
  "metering:usage:show": readerOf,
  "metering:metrics": (caller: MeterCaller) => isAdmin(caller),
} satisfies Record<string, (caller: MeterCaller, projectId: string) => boolean>;

export type MeteringAction = keyof typeof meteringPolicy;

export const enforceMetering = (caller: MeterCaller, action: MeteringAction, projectId = caller.projectId): void => {
  if (!meteringPolicy[action](caller, projectId)) throw new HttpFault(403, `Policy doesn't allow ${action} to be performed.`);
};

/** Middleware: a valid `X-Auth-Token`, else Keystone's 401; the caller goes on the context. */
export const requireMeterCaller = (deps: Pick<MeteringDeps, "authenticate" | "publicUrl">, authUrl = deps.publicUrl): MiddlewareHandler<MeteringEnv> =>
  async function requireMeterCallerMiddleware(c, next) {
    const token = c.req.header("x-auth-token");
    const caller = token === undefined || token === "" ? undefined : await deps.authenticate(token);
    if (caller === undefined) throw unauthorized(authUrl);
    c.set("meterCaller", caller);
    await next();
  };

/** The meter's document, or 503 while the meter has not started. */
export const meterDocument = (deps: Pick<MeteringDeps, "meter">) => {
  const doc = deps.meter();
  if (doc === undefined) throw new HttpFault(503, "The metering service is not following the event stream (starting, or stopped: see the cloud's log); try again shortly.", { "retry-after": "1" });
  return doc;
};
