/**
 * Every identity rejection's HTTP status. `satisfies Record<…>` makes a new rejection without a
 * status a compile error; the message is the decider's, shown to the client as is.
 */
import type { IdentityRejection } from "@weft/domain/identity";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const identityRejectionStatus = {
  AlreadyBootstrapped: 409,
  IdentityNotBootstrapped: 503,
  DomainNotFound: 404,
  ProjectNotFound: 404,
  ProjectNameTaken: 409,
  ProjectIdTaken: 409,
  UserNotFound: 404,
  UserNameTaken: 409,
  UserIdTaken: 409,
  RoleNotFound: 404,
  RoleNameTaken: 409,
  RoleIdTaken: 409,
  RoleAssignmentNotFound: 404,
} satisfies Record<IdentityRejection["_tag"], ContentfulStatusCode>;

