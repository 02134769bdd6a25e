import { describe, expect, it } from "vitest";
import { systemActor } from "@weft/proto";
import { contextOf, publishedEventTypes } from "../events/cloudEvents.ts";
import { isSecretField } from "../events/redaction.ts";
import { eventCodecs, memberActor, recordedEvent } from "../testing/recordedEvents.ts";
import { AuditIndex } from "./auditIndex.ts";
import { actionOf, subjectsOf, toAuditRecord } from "./cadf.ts";
import { parseAuditTime } from "./times.ts";

const serverId = "6a1f0c2e-0000-4000-8000-000000000001";
const projectHex = "8a8e2e79cfa94bd19a30dd891e5e457f";
const projectUuid = "8a8e2e79-cfa9-4bd1-9a30-dd891e5e457f";

// pycadf's action and resource taxonomies (cadftaxonomy.py); a refinement extends a node with `/…`.
const cadfActions = ["create", "read", "update", "delete", "start", "stop", "enable", "disable", "revoke"];
const cadfResources = ["compute/machine", "compute/node", "data/image", "data/template", "data/config", "data/security"];
const inTaxonomy = (value: string, taxonomy: ReadonlyArray<string>) => taxonomy.some((node) => value === node || value.startsWith(`${node}/`));

describe("toAuditRecord", () => {
  it("is a CADF activity: initiator, action, target, outcome, observer, with the request and command", () => {
    const event = recordedEvent(`server-${serverId}`, { type: "ServerStopRequested", data: { serverId, host: "node-1" } }, 42, memberActor, "StopServer");
    expect(toAuditRecord(event, projectHex)).toEqual({
      typeURI: "http://schemas.dmtf.org/cloud/audit/1.0/event",
      id: "event-42",
      eventType: "activity",
      eventTime: "2030-01-02T03:04:05.000Z",
      action: "stop",
      outcome: "pending",
      initiator: { typeURI: "service/security/account/user", id: "u-1", name: "alice", project_id: "p-1", domain_id: "default", roles: ["member", "reader"] },
      target: { typeURI: "compute/machine", id: serverId },
      observer: { typeURI: "service", id: "weft", name: "weft" },
      weft: {
        position: 42,
        eventType: "weft.compute.ServerStopRequested",
        stream: `server-${serverId}`,
        project: projectHex,
        requestId: "req-1",
        commandId: "cmd-1",
        commandType: "StopServer",
        correlationId: "corr-1",
        data: { serverId, host: "node-1" },
      },
    });
  });

  it("names the fabric as initiator of its own commands, and leaves out a command type older events lack", () => {
    const record = toAuditRecord(recordedEvent(`server-${serverId}`, { type: "ServerStopped", data: { serverId } }, 43, systemActor));
    expect(record.initiator).toEqual({ typeURI: "service", id: "weft", name: "weft", roles: ["admin"] });
    expect(record.outcome).toBe("success");
    expect(record.weft).not.toHaveProperty("commandType");
    expect(record.weft).not.toHaveProperty("project");
  });

  it("says failure for events that record one, pending for requests, success for the rest", () => {
    const outcome = (type: string) => toAuditRecord(recordedEvent(`server-${serverId}`, { type, data: { serverId } })).outcome;
    expect(["ServerSpawnFailed", "ServerBuildFailed", "ServerBuildTimedOut"].map(outcome)).toEqual(["failure", "failure", "failure"]);
    expect(["ServerBuildRequested", "ServerDeletionRequested"].map(outcome)).toEqual(["pending", "pending"]);
    expect(["ServerSpawned", "ServerDeleted"].map(outcome)).toEqual(["success", "success"]);
  });

  it("targets the identity entity an event names, as Keystone's CADF types it", () => {
    const target = (type: string, data: object) => toAuditRecord(recordedEvent("identity-d", { type, data })).target;
    expect(target("ProjectCreated", { projectId: projectHex, name: "demo" })).toEqual({ typeURI: "data/security/project", id: projectHex, name: "demo" });
    expect(target("UserDisabled", { userId: "u-9" })).toEqual({ typeURI: "data/security/account/user", id: "u-9" });
    expect(target("RoleCreated", { roleId: "r-1", name: "member" })).toEqual({ typeURI: "data/security/role", id: "r-1", name: "member" });
    expect(target("RoleAssignmentGranted", { roleId: "r-1", userId: "u-9", projectId: projectHex })).toEqual({ typeURI: "data/security/account/user/privilege", id: "u-9" });
    expect(target("TokenRevoked", { auditId: "a-1", userId: "u-9" })).toEqual({ typeURI: "data/security/credential", id: "a-1" });
  });

  it("shows a project's id as Keystone does, not as the quota stream spells it", () => {
    const record = toAuditRecord(recordedEvent(`quota-${projectUuid}`, { type: "QuotaLimitsSet", data: { projectId: projectHex } }));
    expect(record.target).toEqual({ typeURI: "data/config/quota", id: projectHex });
  });

  it("maps every published event type to a CADF action and a typed target with an id", () => {
    for (const type of publishedEventTypes) {
      const codec = eventCodecs[contextOf(type)!];
      const defaults = codec.decode(type, new Uint8Array()).data as Record<string, unknown>;
      const filled = Object.fromEntries(Object.entries(defaults).map(([field, value]) => [field, typeof value === "string" ? `id-${field}` : value]));
      const stream = contextOf(type) === "identity" ? "identity-d" : `x-${type}`;
      const record = toAuditRecord(recordedEvent(stream, { type, data: filled }));
      expect(inTaxonomy(record.action, cadfActions), `${type} action ${record.action}`).toBe(true);
      expect(record.target.id, type).not.toBe("");
      if (contextOf(type) === "identity") expect(inTaxonomy(record.target.typeURI, cadfResources), `${type} target ${record.target.typeURI}`).toBe(true);
    }
    expect(actionOf("ServerTeleported")).toBe("update");
  });
});

describe("secrets in audit records", () => {
  it("never shows a user's password hash, on creation or on a change", () => {
    const hash = "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA";
    for (const event of [
      { type: "UserCreated", data: { userId: "u", domainId: "default", name: "bob", passwordHash: hash, email: "", description: "", enabled: true, defaultProjectId: "" } },
      { type: "UserPasswordChanged", data: { userId: "u", passwordHash: hash } },
    ]) {
      const record = toAuditRecord(recordedEvent("identity-d", event));
      expect(JSON.stringify(record)).not.toContain(hash);
      expect(record.weft.data).not.toHaveProperty("passwordHash");
      expect(record.target.id).toBe("u");
    }
  });

  it("shows a key pair's public key and fingerprint, never anything secret", () => {
    const record = toAuditRecord(recordedEvent("keypairs-u", { type: "KeypairImported", data: { userId: "u", name: "mykey", type: "ssh", publicKey: "ssh-ed25519 AAAA", fingerprint: "f" } }));
    expect(record.target).toEqual({ typeURI: "data/security/key", id: "mykey", name: "mykey" });
    expect(record.weft.data).toEqual({ userId: "u", name: "mykey", type: "ssh", publicKey: "ssh-ed25519 AAAA", fingerprint: "f" });
  });

  it("drops exactly the secret fields of every event type, and keeps the rest", () => {
    const dropped: Array<string> = [];
    for (const type of publishedEventTypes) {
      const defaults = eventCodecs[contextOf(type)!].decode(type, new Uint8Array()).data as Record<string, unknown>;
      const filled = Object.fromEntries(Object.entries(defaults).map(([field, value]) => [field, typeof value === "string" ? `marker:${type}.${field}` : value]));
      const json = JSON.stringify(toAuditRecord(recordedEvent("server-s", { type, data: filled })));
      for (const [field, value] of Object.entries(defaults)) {
        if (typeof value !== "string") continue;
        const marker = `marker:${type}.${field}`;
        expect(json.includes(marker), `${type}.${field}`).toBe(!isSecretField(field));
        if (isSecretField(field)) dropped.push(`${type}.${field}`);
      }
    }
    expect(dropped.sort()).toEqual(["UserCreated.passwordHash", "UserPasswordChanged.passwordHash"]);
  });
});

describe("subjectsOf", () => {
  it("puts a role assignment in the history of its user, project and role", () => {
    expect(subjectsOf("identity-d", { type: "RoleAssignmentGranted", data: { roleId: "R", userId: "U", projectId: projectUuid, system: false } }).toSorted()).toEqual(
      ["d", "r", "u", projectHex].toSorted(),
    );
  });

  it("puts a quota reservation and an allocation in the server's history", () => {
    expect(subjectsOf(`quota-${projectUuid}`, { type: "ServerResourcesReserved", data: { projectId: projectHex, serverId } })).toContain(serverId.replaceAll("-", ""));
    expect(subjectsOf("resourceProvider-p", { type: "AllocationClaimed", data: { providerId: "p", consumerId: serverId } })).toContain(serverId.replaceAll("-", ""));
  });
});

describe("AuditIndex", () => {
  it("finds a resource by either form of its id, a user's actions, and the owner of a stream", () => {
    const index = new AuditIndex();
    const admin = { ...memberActor, userId: "ADMIN", roles: ["admin"] };
    index.add(recordedEvent(`quota-${projectUuid}`, { type: "QuotaLimitsSet", data: { projectId: projectHex } }, 1, admin));
    index.add(recordedEvent(`server-${serverId}`, { type: "ServerBuildRequested", data: { serverId, projectId: projectHex } }, 2));
    index.add(recordedEvent(`quota-${projectUuid}`, { type: "ServerResourcesReserved", data: { projectId: projectHex, serverId } }, 3));
    index.add(recordedEvent(`server-${serverId}`, { type: "ServerSpawned", data: { serverId } }, 4, systemActor));
    index.add(recordedEvent(`server-${serverId}`, { type: "ServerSpawned", data: { serverId } }, 4, systemActor));

    expect(index.resource(serverId)?.positions).toEqual([2, 3, 4]);
    expect(index.resource(serverId.replaceAll("-", "").toUpperCase())?.positions).toEqual([2, 3, 4]);
    expect(index.resource(projectHex)?.positions).toEqual([1, 3]);
    expect(index.resource(projectHex)?.streams).toEqual(new Set([`quota-${projectUuid}`]));
    expect(index.user("u-1")?.positions).toEqual([2, 3]);
    expect(index.user("admin")?.positions).toEqual([1]);
    expect(index.ownerOf(`server-${serverId}`)).toBe(projectHex);
    expect(index.resource("nothing")).toBeUndefined();
    expect(index.position).toBe(4);
  });
});

describe("parseAuditTime", () => {
  it("reads ISO 8601 dates and times, as UTC without a zone", () => {
    expect(parseAuditTime("2030-01-02")).toBe(Date.parse("2030-01-02T00:00:00Z"));
    expect(parseAuditTime("2030-01-02T03:04:05Z")).toBe(Date.parse("2030-01-02T03:04:05Z"));
    expect(parseAuditTime("2030-01-02T03:04:05.123")).toBe(Date.parse("2030-01-02T03:04:05.123Z"));
    expect(parseAuditTime("2030-01-02T03:04:05+02:00")).toBe(Date.parse("2030-01-02T01:04:05Z"));
    expect(parseAuditTime("2030-01-02 03:04")).toBe(Date.parse("2030-01-02T03:04:00Z"));
    expect(parseAuditTime("2032-02-29")).toBe(Date.parse("2032-02-29T00:00:00Z"));
  });

  it("refuses anything else", () => {
    for (const text of ["", "yesterday", "1700000000", "2030-13-01", "2030-01-02T25:00:00Z", "2030-01-02T03:04:05Zjunk", "2030-02-30", "2031-02-29T00:00:00Z", "2030-04-31"]) {
      expect(parseAuditTime(text), text).toBeUndefined();
    }
  });
});
