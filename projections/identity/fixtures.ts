/**
 * Fixtures shared by the identity read-model specs: the events a real bootstrap decides, positions
 * and timestamps for them, and a fold through `foldProjected` that also proves duplicate delivery
 * changes nothing. Test-only: imported by `*.unit.spec.ts` files.
 */
import { expect } from "vitest";
import { isRejection } from "@weft/domain/shared";
import { identityDecider, type IdentityCommand, type IdentityEvent } from "@weft/domain/identity";
import { foldProjected, initialProjected, type ProjectedEvent } from "../shared/index.ts";
import type { IdentityDocument } from "./document.ts";
import { identityProjection } from "./index.ts";

export const ids = {
  domain: "default",
  adminProject: "p-admin",
  adminUser: "u-admin",
  admin: "r-admin",
  member: "r-member",
  reader: "r-reader",
};

const bootstrapCommand: IdentityCommand = {
  type: "BootstrapIdentity",
  data: {
    domainId: ids.domain, domainName: "Default", adminProjectId: ids.adminProject, adminProjectName: "admin",
    adminUserId: ids.adminUser, adminUserName: "admin", adminPasswordHash: "$argon2id$hash",
    adminRoleId: ids.admin, memberRoleId: ids.member, readerRoleId: ids.reader,
  },
};

const decided = identityDecider.decide(bootstrapCommand, identityDecider.initialState());
if (isRejection(decided)) throw new Error(`bootstrap rejected: ${decided.message}`);
/** What BootstrapIdentity decides on an empty directory. */
export const bootstrapEvents: ReadonlyArray<IdentityEvent> = decided;

/** Event n happens at position n, at 2025-01-01T00:00:00Z plus n seconds. */
export const at = (position: number): string => new Date(Date.UTC(2025, 0, 1) + position * 1000).toISOString();

export const projectedEvents = (events: ReadonlyArray<IdentityEvent>): ReadonlyArray<ProjectedEvent<IdentityEvent>> =>
  events.map((event, index) => ({
    event,
    stream: "identity-00000000-0000-4000-8000-000000000001",
    position: index + 1,
    occurredAt: at(index + 1),
  }));

const foldAll = (projected: ReadonlyArray<ProjectedEvent<IdentityEvent>>) =>
  projected.reduce((state, event) => foldProjected(identityProjection, state, event), initialProjected(identityProjection));

/**
 * Folds the events once, and again with every event delivered twice and the whole log replayed
 * at the end (at-least-once delivery); both must give the same document.
 */
export const fold = (events: ReadonlyArray<IdentityEvent>): IdentityDocument => {
  const projected = projectedEvents(events);
  const once = foldAll(projected);
  const redelivered = foldAll([...projected.flatMap((event) => [event, event]), ...projected]);
  expect(redelivered).toEqual(once);
  expect(once.position).toBe(projected.length);
  return once.doc;
};
