/**
 * The identity read model: `identityProjection` folds the identity directory's events into an
 * `IdentityDocument`, and the query functions answer the Keystone gateway from it.
 */
import { identityEventTypes, type IdentityEvent } from "@weft/domain/identity";
import type { Projection } from "../shared/index.ts";
import { evolveIdentity, initialIdentityDocument, type IdentityDocument } from "./document.ts";
import { identityFromSnapshot, identityToSnapshot } from "./snapshot.ts";

export * from "./queries.ts";
export {
  evolveIdentity,
  initialIdentityDocument,
  type Domain,
  type IdentityDocument,
  type Project,
  type Role,
  type RoleAssignment,
  type User,
} from "./document.ts";
export { identityFromSnapshot, identityToSnapshot, InvalidIdentitySnapshot, type IdentitySnapshot } from "./snapshot.ts";

export const identityProjection: Projection<IdentityDocument, IdentityEvent> = {
  name: "identity",
  version: 1,
  eventTypes: new Set(identityEventTypes),
  initial: initialIdentityDocument,
  evolve: evolveIdentity,
  toSnapshot: identityToSnapshot,
  fromSnapshot: identityFromSnapshot,
};
