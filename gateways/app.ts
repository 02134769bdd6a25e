/**
 * The whole HTTP surface on one port: request ids on every response, version discovery at `/`,
 * each service under its DevStack-style path, and one error handler that renders faults in the
 * owning service's body shape. An undeclared failure is a 500 whose body names only the request
 * id; the stack goes to the log, never to the client.
 */
import { Hono } from "hono";
import { glanceFaultBody, keystoneFaultBody, novaFaultBody, withFaults, type FaultStyle } from "./http/faults.ts";
import { requestId, type RequestIdVariables } from "./http/requestId.ts";
import type { AuditDeps } from "./audit/context.ts";
import { auditServiceRoutes } from "./audit/routes.ts";
import type { ComputeDeps } from "./compute/context.ts";
import { computeServiceRoutes } from "./compute/routes.ts";
import type { EventsDeps } from "./events/context.ts";
import { eventServiceRoutes } from "./events/routes.ts";
import type { IdentityDeps } from "./identity/context.ts";
import type { MeteringDeps } from "./metering/context.ts";
import { meteringServiceRoutes } from "./metering/routes.ts";
import { identityRoutes } from "./identity/routes.ts";
import { rootVersions } from "./identity/versions.ts";
import type { ImageDeps } from "./image/context.ts";
import { imageServiceRoutes } from "./image/routes.ts";
import type { PlacementDeps } from "./placement/context.ts";
import { placementFaultBody } from "./placement/faults.ts";
import { placementServiceRoutes } from "./placement/routes.ts";

export interface GatewayDeps {
  readonly identity: IdentityDeps;
  readonly image: ImageDeps;
  readonly compute: ComputeDeps;
  readonly placement: PlacementDeps;
  readonly events: EventsDeps;
  readonly audit: AuditDeps;
  /** The metering service's routes (os-simple-tenant-usage, /metering/v1, /metrics), when a meter runs in-process. */
  readonly metering?: MeteringDeps;
  readonly log?: (message: string, error: unknown) => void;
}

const faultStyleFor = (path: string): FaultStyle =>
  path.startsWith("/compute")
    ? novaFaultBody
    : path.startsWith("/image")
      ? glanceFaultBody
      : path.startsWith("/placement")
        ? placementFaultBody
        : keystoneFaultBody;

export const gatewayApp = (deps: GatewayDeps) => {
  const log = deps.log ?? ((message: string, error: unknown) => console.error(message, error));
  const app = new Hono<{ Variables: RequestIdVariables }>()
    .use(requestId())
    .route("/", rootVersions(deps.identity.publicUrl))
    .route("/identity", identityRoutes(deps.identity))
    .route("/image", imageServiceRoutes(deps.image))
    // Before Nova's routes: its os-simple-tenant-usage path is the meter's.
    .route("/", deps.metering === undefined ? new Hono() : meteringServiceRoutes(deps.metering))
    .route("/compute", computeServiceRoutes(deps.compute))
    .route("/placement", placementServiceRoutes(deps.placement))
    .route("/events", eventServiceRoutes(deps.events))
    .route("/audit", auditServiceRoutes(deps.audit));

  return withFaults(app, faultStyleFor, log);
};

export type GatewayApp = ReturnType<typeof gatewayApp>;
