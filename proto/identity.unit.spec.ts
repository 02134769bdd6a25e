/**
 * The published message names of `weft.identity.v1`. Names are forever (a type string in the log
 * is a message name), so this list only grows. A message added here also needs its TypeScript
 * type in `domain/identity/commands.ts` or `events.ts` and a sample in
 * `domain/identity/wire.unit.spec.ts`, which round-trips every TS type through this codec: lint
 * keeps proto/ from importing domain/, so the two halves of the check live on either side.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { payloadCodec } from "./index.ts";

const publishedCommands = [
  "BootstrapIdentity", "CreateProject", "UpdateProject", "DeleteProject", "CreateUser", "UpdateUser", "DeleteUser",
  "CreateRole", "DeleteRole", "GrantRole", "RevokeRoleAssignment", "RevokeToken",
];

const publishedEvents = [
  "DomainCreated", "RoleCreated", "RoleImplied", "RoleDeleted",
  "ProjectCreated", "ProjectRenamed", "ProjectDescriptionChanged", "ProjectEnabled", "ProjectDisabled", "ProjectDeleted",
  "UserCreated", "UserRenamed", "UserPasswordChanged", "UserEmailChanged", "UserDescriptionChanged", "UserDefaultProjectChanged",
  "UserEnabled", "UserDisabled", "UserDeleted",
  "RoleAssignmentGranted", "RoleAssignmentRevoked", "TokenRevoked",
];

const messagesOf = (file: string, packageName: string): ReadonlyArray<string> => {
  const namespace = protobuf.loadSync(new URL(file, import.meta.url).pathname).lookup(packageName);
  if (!(namespace instanceof protobuf.Namespace)) throw new Error(`no package ${packageName} in ${file}`);
  return namespace.nestedArray.filter((nested) => nested instanceof protobuf.Type).map((type) => type.name);
};

describe("weft.identity.v1", () => {
  const codec = payloadCodec("weft.identity.v1");

  it("declares exactly the published commands and events", () =>
    expect([...messagesOf("weft/identity/v1/identity.proto", "weft.identity.v1")].sort())
      .toEqual([...publishedCommands, ...publishedEvents].sort()));

  it.each([...publishedCommands, ...publishedEvents])("has a codec for %s", (type) => expect(codec.has(type)).toBe(true));

  it("round-trips a payload, keeping an unset optional field absent and a set one present", () => {
    const payload = { type: "UpdateProject", data: { projectId: "p", enabled: false } };
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });
});
