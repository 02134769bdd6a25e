/**
 * Snapshots of the compute read model: plain data that survives a JSON trip (and msgpack's
 * undefined-as-nil) and restores a document deep-equal to the one it came from, indexes
 * included, that folds on exactly as the original does.
 */
import { describe, expect, it } from "vitest";
import type { ProjectedEvent } from "../shared/index.ts";
import { at, fold, makeCloud, small } from "./fixtures.ts";
import {
  computeProjection,
  getServer,
  initialComputeDocument,
  InvalidComputeSnapshot,
  listServers,
  serverStatus,
  type ComputeDocument,
  type ComputeEvent,
} from "./index.ts";

const cloud = makeCloud();
cloud.flavors({
  type: "CreateFlavor",
  data: { flavorId: "2", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 5, swapMb: 1536, isPublic: true, description: "d" },
});
cloud.flavors({ type: "SetFlavorExtraSpecs", data: { flavorId: "2", extraSpecs: { "hw:cpu": "x" } } });
cloud.keypairs({ type: "ImportKeypair", data: { userId: "u-alice", name: "k1", type: "ssh", publicKey: "ssh-ed25519 A", fingerprint: "f1" } });
cloud.keypairs({ type: "ImportKeypair", data: { userId: "u-alice", name: "k0", type: "x509", publicKey: "cert", fingerprint: "f0" } });
const group = { projectId: "p-web", userId: "u-alice" };
cloud.group({ type: "CreateServerGroup", data: { ...group, groupId: "g1", name: "web", policy: "anti-affinity", maxServerPerHost: 1 } });
cloud.group({ type: "CreateServerGroup", data: { ...group, groupId: "g0", name: "db", policy: "affinity", maxServerPerHost: 0 } });
cloud.quota({ type: "SetQuotaLimits", data: { projectId: "p-web", instances: 20, keyPairs: 3 } });
cloud.boot("s1", { serverGroupId: "g1", flavor: small, metadata: { a: "1", b: "2" } });
cloud.boot("s2", { serverGroupId: "g1", host: "cmp-2" });
cloud.boot("s3", { until: "requested", projectId: "p-db" });
cloud.server({ type: "FailServerBuild", data: { serverId: "s3", fault: { code: 500, message: "No valid host was found. ", details: "" } } });
cloud.boot("s4", { until: "scheduled" });
cloud.server({ type: "ReportServerSpawnFailed", data: { serverId: "s4", fault: { code: 500, message: "boom", details: "" } } });
cloud.boot("s5", { until: "requested" });
cloud.server({ type: "StopServer", data: { serverId: "s1" } });
cloud.server({ type: "ReportServerStopped", data: { serverId: "s1" } });
cloud.server({ type: "DeleteServer", data: { serverId: "s4" } });
cloud.destroy("s2");
const history = cloud.log;

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
// What msgpack does: an undefined field comes back as null.
const viaNil = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, field: unknown) => (field === undefined ? null : field)));

describe("compute snapshots", () => {
  const doc = fold(history);
  const restore = (document: ComputeDocument, trip = viaJson) => computeProjection.fromSnapshot(trip(computeProjection.toSnapshot(document)));

  it("restore a deep-equal document, indexes included", () => {
    const restored = restore(doc);
    expect(restored).toEqual(doc);
    expect(restored.servers.listing).toEqual(doc.servers.listing);
    expect(restored.servers.changes).toEqual(doc.servers.changes);
    expect(restore(doc, viaNil)).toEqual(doc);
  });

  it("keep what the queries answer from", () => {
    const restored = restore(doc);
    expect(listServers(restored)).toEqual(listServers(doc));
    expect(listServers(restored, { changesSince: at(1) }).servers.map((s) => s.id)).toEqual(["s5", "s4", "s3", "s2", "s1"]);
    expect(getServer(restored, "s1")?.state).toEqual(getServer(doc, "s1")?.state);
    expect(serverStatus(getServer(restored, "s3")!).status).toBe("ERROR");
  });

  it("are plain data already", () => {
    const snapshot = computeProjection.toSnapshot(doc);
    expect(viaJson(snapshot)).toEqual(snapshot);
    expect(JSON.stringify(snapshot)).not.toContain("__ownerID");
  });

  it("round-trip an empty document", () => expect(restore(initialComputeDocument())).toEqual(initialComputeDocument()));

  it("fold on from a restored document as from the original", () => {
    const more = makeCloud();
    more.boot("s6", { requestedAt: at(1000) });
    const next = more.log.map((event, i): ProjectedEvent<ComputeEvent> => ({ ...event, position: history.length + i + 1 }));
    const continueFrom = (start: ComputeDocument) => next.reduce(computeProjection.evolve, start);
    const deleted: ProjectedEvent<ComputeEvent> = {
      event: { type: "ServerDeleted", data: { serverId: "s4", projectId: "p-web", providerId: "rp-cmp-1" } },
      stream: "server-s4",
      position: 999,
      occurredAt: at(999),
    };
    expect(continueFrom(restore(doc))).toEqual(continueFrom(doc));
    expect(computeProjection.evolve(restore(doc), deleted)).toEqual(computeProjection.evolve(doc, deleted));
  });

  it("refuse anything that is not a snapshot", () => {
    expect(() => computeProjection.fromSnapshot(null)).toThrow(InvalidComputeSnapshot);
    expect(() => computeProjection.fromSnapshot({ servers: [] })).toThrow(InvalidComputeSnapshot);
  });
});
