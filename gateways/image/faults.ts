/**
 * Every image rejection's HTTP status, as Glance answers the same refusal. `satisfies Record<…>`
 * makes a new rejection without a status a compile error; the message is the decider's, which
 * already follows Glance's wording.
 */
import type { ImageRejection } from "@weft/domain/image";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { CommandResult } from "../http/commands.ts";
import { HttpFault } from "../http/faults.ts";

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

export const rejectionFault = (result: Extract<CommandResult, { kind: "rejected" }>): HttpFault =>
  new HttpFault((imageRejectionStatus as Record<string, ContentfulStatusCode>)[result.tag] ?? 500, result.message);

/** Returns normally only when the command was accepted. */
export const expectAccepted: (result: CommandResult) => asserts result is Extract<CommandResult, { kind: "accepted" }> = (result) => {
  if (result.kind === "rejected") throw rejectionFault(result);
};
