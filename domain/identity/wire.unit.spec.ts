/**
 * Keeps the TypeScript commands and events of this context identical to the wire: one sample per
 * union member (the mapped types make a missing sample a compile error), each encoded with the
 * `weft.identity.v1` payload codec and decoded back deep-equal. Every field carries a non-default
 * value, so a field misspelt on either side decodes as a default and fails. The other direction
 * (a proto message without a TS type) is `proto/identity.unit.spec.ts`'s list of published names.
 */
import { describe, expect, it } from "vitest";
import { payloadCodec } from "@weft/proto";
import {
  identityCommandTypes,
  identityEventTypes,
  type IdentityCommand,
  type IdentityCommandType,
  type IdentityEvent,
  type IdentityEventType,
} from "./index.ts";

type DataOf<U extends { readonly type: string; readonly data: object }, T extends U["type"]> = Extract<U, { readonly type: T }>["data"];

const commandSamples: { readonly [T in IdentityCommandType]: DataOf<IdentityCommand, T> } = {
  BootstrapIdentity: {
    domainId: "d", domainName: "Default", adminProjectId: "p", adminProjectName: "admin", adminUserId: "u", adminUserName: "admin",
    adminPasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", adminRoleId: "r1", memberRoleId: "r2", readerRoleId: "r3",
  },
  CreateProject: { projectId: "p", domainId: "d", name: "web", description: "the web tier", enabled: true, tags: ["a", "b"] },
  UpdateProject: { projectId: "p", name: "api", description: "the api", enabled: true },
  DeleteProject: { projectId: "p" },
  CreateUser: {
    userId: "u", domainId: "d", name: "alice", passwordHash: "$hash", email: "a@example.org", description: "ops", enabled: true, defaultProjectId: "p",
  },
  UpdateUser: { userId: "u", name: "alicia", passwordHash: "$hash2", email: "b@example.org", description: "dev", enabled: true, defaultProjectId: "p2" },
  DeleteUser: { userId: "u" },
  CreateRole: { roleId: "r", name: "operator", description: "runs things" },
  DeleteRole: { roleId: "r" },
  GrantRole: { roleId: "r", userId: "u", projectId: "p", system: true },
  RevokeRoleAssignment: { roleId: "r", userId: "u", projectId: "p", system: true },
  RevokeToken: { auditId: "audit", userId: "u", expiresAt: "2030-01-01T00:00:00Z" },
};

const eventSamples: { readonly [T in IdentityEventType]: DataOf<IdentityEvent, T> } = {
  DomainCreated: { domainId: "d", name: "Default", description: "The default domain", enabled: true },
  RoleCreated: { roleId: "r", name: "operator", description: "runs things" },
  RoleImplied: { priorRoleId: "r1", impliedRoleId: "r2" },
  RoleDeleted: { roleId: "r" },
  ProjectCreated: { projectId: "p", domainId: "d", name: "web", description: "the web tier", enabled: true, tags: ["a", "b"] },
  ProjectRenamed: { projectId: "p", name: "api" },
  ProjectDescriptionChanged: { projectId: "p", description: "the api" },
  ProjectEnabled: { projectId: "p" },
  ProjectDisabled: { projectId: "p" },
  ProjectDeleted: { projectId: "p" },
  UserCreated: {
    userId: "u", domainId: "d", name: "alice", passwordHash: "$hash", email: "a@example.org", description: "ops", enabled: true, defaultProjectId: "p",
  },
  UserRenamed: { userId: "u", name: "alicia" },
  UserPasswordChanged: { userId: "u", passwordHash: "$hash2" },
  UserEmailChanged: { userId: "u", email: "b@example.org" },
  UserDescriptionChanged: { userId: "u", description: "dev" },
  UserDefaultProjectChanged: { userId: "u", defaultProjectId: "p2" },
  UserEnabled: { userId: "u" },
  UserDisabled: { userId: "u" },
  UserDeleted: { userId: "u" },
  RoleAssignmentGranted: { roleId: "r", userId: "u", projectId: "p", system: true },
  RoleAssignmentRevoked: { roleId: "r", userId: "u", projectId: "p", system: true },
  TokenRevoked: { auditId: "audit", userId: "u", expiresAt: "2030-01-01T00:00:00Z" },
};

const samplesOf = <P extends { readonly type: string; readonly data: object }>(samples: Record<string, object>): ReadonlyArray<P> =>
  Object.entries(samples).map(([type, data]) => ({ type, data }) as unknown as P);

const commands = samplesOf<IdentityCommand>(commandSamples);
const events = samplesOf<IdentityEvent>(eventSamples);

// Optional fields: absent stays absent, and a present default (false, "") stays present.
const optionalEdges: ReadonlyArray<IdentityCommand> = [
  { type: "UpdateProject", data: { projectId: "p" } },
  { type: "UpdateProject", data: { projectId: "p", description: "", enabled: false } },
  { type: "UpdateUser", data: { userId: "u" } },
  { type: "UpdateUser", data: { userId: "u", enabled: false, defaultProjectId: "", email: "" } },
];

describe("identity payloads on the wire", () => {
  const codec = payloadCodec<IdentityCommand | IdentityEvent>("weft.identity.v1");

  it("have one sample per command and event type", () => {
    expect(commands.map((c) => c.type)).toEqual([...identityCommandTypes]);
    expect(events.map((e) => e.type)).toEqual([...identityEventTypes]);
  });

  it.each([...commands, ...events, ...optionalEdges])("$type round-trips unchanged", (payload) => {
    expect(codec.has(payload.type)).toBe(true);
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });

  it("decodes absent fields of a minimal message as proto3 defaults", () =>
    expect(codec.decode("CreateProject", codec.encode({ type: "CreateProject", data: { projectId: "p" } } as never)))
      .toEqual({ type: "CreateProject", data: { projectId: "p", domainId: "", name: "", description: "", enabled: false, tags: [] } }));
});
