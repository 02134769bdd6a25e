/**
 * Every compute rejection's HTTP status, as Nova answers the same refusal. `satisfies Record<…>`
 * makes a new rejection without a status a compile error; the message is the decider's, which
 * already follows Nova's wording, and the app renders it in Nova's body (`{"itemNotFound": …}`).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FlavorRejectionTag, KeypairRejectionTag, QuotaRejectionTag, ServerGroupRejectionTag, ServerRejectionTag } from "@weft/domain/compute";
import type { CommandResult } from "../http/commands.ts";
import { HttpFault } from "../http/faults.ts";

type ComputeRejectionTag = FlavorRejectionTag | KeypairRejectionTag | ServerRejectionTag | ServerGroupRejectionTag | QuotaRejectionTag;

export const computeRejectionStatus = {
  FlavorNameTaken: 409,
  FlavorIdTaken: 409,
  InvalidFlavor: 400,
  FlavorNotFound: 404,
  FlavorExtraSpecNotFound: 404,
  KeypairNameTaken: 409,
  KeypairNotFound: 404,
  InvalidKeypair: 400,
  ServerAlreadyExists: 409,
  ServerNotFound: 404,
  ServerNotBuilding: 409,
  ServerNotActive: 409,
  ServerNotStopped: 409,
  ServerTaskInProgress: 409,
  ServerMetadataKeyNotFound: 404,
  FlavorMemoryTooSmall: 400,
  FlavorDiskSmallerThanMinDisk: 400,
  ServerGroupAlreadyExists: 409,
  ServerGroupNotFound: 404,
  InvalidServerGroup: 400,
  QuotaExceeded: 403,
  InvalidQuotaLimit: 400,
  InvalidReservation: 400,
} satisfies Record<ComputeRejectionTag, ContentfulStatusCode>;

export const rejectionFault = (result: Extract<CommandResult, { kind: "rejected" }>): HttpFault =>
  new HttpFault((computeRejectionStatus as Record<string, ContentfulStatusCode>)[result.tag] ?? 500, result.message);

/** Returns normally only when the command was accepted. */
export const expectAccepted: (result: CommandResult) => asserts result is Extract<CommandResult, { kind: "accepted" }> = (result) => {
  if (result.kind === "rejected") throw rejectionFault(result);
};
