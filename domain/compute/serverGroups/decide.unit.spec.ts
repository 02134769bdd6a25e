/**
 * A server group's rules: created once with one of Nova's four policies, the
 * max_server_per_host rule only with anti-affinity, deleted once.
 */
import { describe, it, expect } from "vitest";
import { deciderSpecification } from "../../shared/index.ts";
import {
  serverGroupDecider,
  serverGroupPolicies,
  serverGroupStream,
  serverGroupStreamFor,
  type CreateServerGroup,
  type ServerGroupCommand,
  type ServerGroupEvent,
} from "./index.ts";

const spec = deciderSpecification(serverGroupDecider);

const group: CreateServerGroup = { groupId: "g1", projectId: "p1", userId: "u1", name: "web", policy: "anti-affinity", maxServerPerHost: 0 };
const create = (changes: Partial<CreateServerGroup> = {}): ServerGroupCommand => ({ type: "CreateServerGroup", data: { ...group, ...changes } });
const created = (changes: Partial<CreateServerGroup> = {}): ServerGroupEvent => ({ type: "ServerGroupCreated", data: { ...group, ...changes } });
const remove: ServerGroupCommand = { type: "DeleteServerGroup", data: { groupId: "g1" } };
const removed: ServerGroupEvent = { type: "ServerGroupDeleted", data: { groupId: "g1" } };

describe("CreateServerGroup", () => {
  it.each(serverGroupPolicies)("creates a group with the %s policy", (policy) => spec.given([]).when(create({ policy })).then([created({ policy })]));
  it("creates an anti-affinity group with max_server_per_host", () =>
    spec.given([]).when(create({ maxServerPerHost: 2 })).then([created({ maxServerPerHost: 2 })]));
  it.each(["affinity", "soft-affinity", "soft-anti-affinity"] as const)("refuses max_server_per_host with %s", (policy) =>
    spec.given([]).when(create({ policy, maxServerPerHost: 2 })).thenRejects("InvalidServerGroup"));
  it("refuses a negative max_server_per_host", () => spec.given([]).when(create({ maxServerPerHost: -1 })).thenRejects("InvalidServerGroup"));
  it("refuses an unknown policy", () => spec.given([]).when(create({ policy: "spread" as "affinity" })).thenRejects("InvalidServerGroup"));
  it("refuses an id already used, even once deleted", () => {
    spec.given([created()]).when(create()).thenRejects("ServerGroupAlreadyExists");
    spec.given([created(), removed]).when(create()).thenRejects("ServerGroupAlreadyExists");
  });
});

describe("DeleteServerGroup", () => {
  it("deletes a group", () => spec.given([created()]).when(remove).then([removed]));
  it("does not find a group never created or already deleted, in Nova's words", () => {
    spec.given([]).when(remove).thenRejects("ServerGroupNotFound");
    spec.given([created(), removed]).when(remove).thenRejects("ServerGroupNotFound");
    expect(serverGroupDecider.decide(remove, serverGroupDecider.initialState()))
      .toEqual({ _tag: "ServerGroupNotFound", message: "Instance group g1 could not be found." });
  });
});

describe("server group streams", () => {
  it("names the stream after the group", () => {
    expect(serverGroupStream("0f0e0d0c-0000-4000-8000-000000000001")).toBe("serverGroup-0f0e0d0c-0000-4000-8000-000000000001");
    expect(serverGroupStreamFor(remove)).toBe("serverGroup-g1");
  });
});
