/**
 * The metering service's route table (docs/metering.md), mounted at the root of the gateway in
 * the all-in-one (before Nova's routes, so its os-simple-tenant-usage path is answered here) and
 * of a standalone `weft meter`. Every path needs a valid `X-Auth-Token`.
 *
 *   GET /compute/v2.1/os-simple-tenant-usage[/{tenant_id}]   Nova's usage report (tenantUsage.ts)
 *   GET /metering/v1/usage                                   every project's totals (admin)
 *   GET /metering/v1/projects/{id}/usage|resources|series    one project's usage (meteringApi.ts)
 *   GET /metrics                                             Prometheus text (admin; metrics.ts)
 */
import { Hono } from "hono";
import { keystoneFaultBody, novaFaultBody, withFaults, type FaultStyle } from "../http/faults.ts";
import { requestId, type RequestIdVariables } from "../http/requestId.ts";
import type { MeteringDeps } from "./context.ts";
import { meteringApiRoutes } from "./meteringApi.ts";
import { metricsRoutes } from "./metrics.ts";
import { tenantUsageRoutes } from "./tenantUsage.ts";

export const tenantUsagePath = "/compute/v2.1/os-simple-tenant-usage";

export const meteringServiceRoutes = (deps: MeteringDeps) =>
  new Hono()
    .route(tenantUsagePath, tenantUsageRoutes(deps))
    .route("/metering/v1", meteringApiRoutes(deps))
    .route("/metrics", metricsRoutes(deps));

const faultStyleFor = (path: string): FaultStyle => (path.startsWith("/compute") ? novaFaultBody : keystoneFaultBody);

/**
 * The standalone meter's whole HTTP surface: request ids, the metering routes, and faults in the
 * owning service's shape (Nova's under /compute), never a stack trace.
 */
export const meterApp = (deps: MeteringDeps, log: (message: string, error: unknown) => void = (message, error) => console.error(message, error)) => {
  const app = new Hono<{ Variables: RequestIdVariables }>().use(requestId()).route("/", meteringServiceRoutes(deps));
  return withFaults(app, faultStyleFor, log);
};
