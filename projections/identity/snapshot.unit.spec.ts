/**
 * Snapshots of the identity read model: plain data that survives a JSON (or msgpack) trip and
 * restores a document deep-equal to the one it came from, indexes included.
 */
import { describe, expect, it } from "vitest";
import type { IdentityEvent } from "@weft/domain/identity";
import { bootstrapEvents, fold, ids } from "./fixtures.ts";
import { findProjectByName, findUserByName, identityProjection, initialIdentityDocument, InvalidIdentitySnapshot } from "./index.ts";

const history: ReadonlyArray<IdentityEvent> = [
  ...bootstrapEvents,
  { type: "ProjectCreated", data: { projectId: "p1", domainId: ids.domain, name: "web", description: "d", enabled: false, tags: ["a", "b"] } },
  { type: "UserCreated", data: { userId: "u1", domainId: ids.domain, name: "alice", passwordHash: "h", email: "e", description: "", enabled: true, defaultProjectId: "p1" } },
  { type: "UserPasswordChanged", data: { userId: "u1", passwordHash: "h2" } },
  { type: "UserDisabled", data: { userId: ids.adminUser } },
  { type: "RoleCreated", data: { roleId: "r1", name: "operator", description: "x" } },
  { type: "RoleImplied", data: { priorRoleId: "r1", impliedRoleId: ids.reader } },
  { type: "RoleAssignmentGranted", data: { roleId: "r1", userId: "u1", projectId: "p1", system: false } },
  { type: "RoleAssignmentGranted", data: { roleId: ids.member, userId: "u1", projectId: "", system: true } },
  { type: "TokenRevoked", data: { auditId: "a1", userId: "u1", expiresAt: "2030-01-01T00:00:00Z" } },
];

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("identity snapshots", () => {
  const doc = fold(history);

  it("restore a deep-equal document from JSON-like data", () => {
    const restored = identityProjection.fromSnapshot(viaJson(identityProjection.toSnapshot(doc)));
    expect(restored).toEqual(doc);
    expect(findUserByName(restored, ids.domain, "alice")?.passwordHash).toBe("h2");
    expect(findProjectByName(restored, ids.domain, "web")?.tags).toEqual(["a", "b"]);
  });

  it("are plain data already", () => {
    const snapshot = identityProjection.toSnapshot(doc);
    expect(viaJson(snapshot)).toEqual(snapshot);
    expect(JSON.stringify(snapshot)).not.toContain("__ownerID");
  });

  it("round-trip an empty document", () =>
    expect(identityProjection.fromSnapshot(viaJson(identityProjection.toSnapshot(initialIdentityDocument())))).toEqual(initialIdentityDocument()));

  it("fold on from a restored document as from the original", () => {
    const more: IdentityEvent = { type: "UserRenamed", data: { userId: "u1", name: "alicia" } };
    const event = { event: more, stream: "identity-x", position: history.length + 1, occurredAt: "2026-01-01T00:00:00.000Z" };
    const restored = identityProjection.fromSnapshot(viaJson(identityProjection.toSnapshot(doc)));
    expect(identityProjection.evolve(restored, event)).toEqual(identityProjection.evolve(doc, event));
  });

  it("refuse anything that is not a snapshot", () => {
    expect(() => identityProjection.fromSnapshot(null)).toThrow(InvalidIdentitySnapshot);
    expect(() => identityProjection.fromSnapshot({ domains: [] })).toThrow(InvalidIdentitySnapshot);
  });
});
