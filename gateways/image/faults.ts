/**
 * Every image rejection's HTTP status, as Glance answers the same refusal. `satisfies Record<…>`
 * makes a new rejection without a status a compile error; the message is the decider's, which
 * already follows Glance's wording.
 */
import type { ImageRejection } from "@weft/domain/image";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const imageRejectionStatus = {
  ImageNotFound: 404,
  ImageAlreadyExists: 409,
  InvalidImageProperty: 400,
  ReservedImageProperty: 403,
  InvalidImageUpload: 400,
  ImageNotQueued: 409,
  ImageNotSaving: 409,
  ImageNotActive: 403,
  ImageNotDeactivated: 403,
  ImageProtected: 403,
} satisfies Record<ImageRejection["_tag"], ContentfulStatusCode>;

