/**
 * The commands an agent sends, and their codecs: its host's registration in placement and the
 * reports of what it did. Typed here, so agents (which may not import the domain) still cannot
 * send a field the wire does not have.
 */
import type { ServerCommand } from "@weft/domain/compute";
import type { PlacementCommand } from "@weft/domain/placement";
import { payloadCodec } from "@weft/proto";

export type { Inventory } from "@weft/domain/placement";

export const hostReportTypes = [
  "ReportServerSpawned",
  "ReportServerSpawnFailed",
  "ReportServerStopped",
  "ReportServerStarted",
  "ReportServerRebooted",
  "ReportServerDestroyed",
] as const;

export type HostReport = Extract<ServerCommand, { readonly type: (typeof hostReportTypes)[number] }>;

export const hostRegistrationTypes = ["CreateResourceProvider", "SetInventory"] as const;

export type HostRegistration = Extract<PlacementCommand, { readonly type: (typeof hostRegistrationTypes)[number] }>;

/** Reports go to the `compute` context. */
export const hostReportCodec = payloadCodec<HostReport>("weft.compute.v1", hostReportTypes);
/** Registrations go to the `placement` context. */
export const hostRegistrationCodec = payloadCodec<HostRegistration>("weft.placement.v1", hostRegistrationTypes);
