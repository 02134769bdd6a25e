/**
 * The identity directory (Keystone v3): one aggregate, stream `identityStream`, holding every
 * domain, project, user, role and role assignment of the cloud, so name uniqueness and
 * referential integrity are decided atomically. Read models live in `projections/identity`.
 */
import type { Decider } from "../shared/index.ts";
import type { IdentityCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { IdentityEvent } from "./events.ts";
import type { IdentityRejection } from "./rejections.ts";
import { evolve, initialState, type IdentityState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export {
  IDENTITY_DIRECTORY_ID,
  identityStream,
  initialState,
  evolve,
  impliedRoleClosure,
  assignmentKey,
  assignmentOf,
  nameOwner,
  claimName,
  releaseName,
  type ScopedNames,
  type IdentityState,
  type EmptyDirectory,
  type Directory,
  type ProjectEntry,
  type UserEntry,
  type RoleEntry,
  type RoleAssignment,
} from "./state.ts";
export { decide } from "./decide.ts";

export const identityDecider: Decider<IdentityCommand, IdentityEvent, IdentityState, IdentityRejection> = {
  initialState,
  evolve,
  decide,
};
