/**
 * Every compute rejection's HTTP status, as Nova answers the same refusal. `satisfies Record<…>`
 * makes a new rejection without a status a compile error; the message is the decider's, which
 * already follows Nova's wording, and the app renders it in Nova's body (`{"itemNotFound": …}`).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FlavorRejectionTag, KeypairRejectionTag, QuotaRejectionTag, ServerGroupRejectionTag, ServerRejectionTag } from "@weft/domain/compute";

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

