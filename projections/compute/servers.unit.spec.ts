/**
 * Servers in the compute read model: the record Nova's server views read through a whole
 * lifecycle decided by the real server decider, failures and their faults, and deleted servers
 * leaving the default list. Every fold goes through `foldProjected` with duplicate delivery.
 */
import { describe, expect, it } from "vitest";
import { buildTimedOutFault, powerStates } from "@weft/domain/compute";
import { at, cirros, fold, makeCloud, tiny } from "./fixtures.ts";
import { computeProjection, getServer, listServers, serverStatus, type Server } from "./index.ts";

const lifecycle = makeCloud();
lifecycle.boot("s1", { name: "web-1", metadata: { role: "web" }, keyName: "k1" });
const spawnedAt = lifecycle.log.length;
lifecycle.server({ type: "StopServer", data: { serverId: "s1" } });
const stopping = lifecycle.log.length;
lifecycle.server({ type: "ReportServerStopped", data: { serverId: "s1" } });
const stopped = lifecycle.log.length;
lifecycle.server({ type: "StartServer", data: { serverId: "s1" } });
lifecycle.server({ type: "ReportServerStarted", data: { serverId: "s1" } });
lifecycle.server({ type: "RebootServer", data: { serverId: "s1", hard: true } });
const rebooting = lifecycle.log.length;
lifecycle.server({ type: "ReportServerRebooted", data: { serverId: "s1" } });
lifecycle.server({ type: "RenameServer", data: { serverId: "s1", name: "web-01" } });
lifecycle.server({ type: "SetServerMetadata", data: { serverId: "s1", items: { tier: "1" } } });
lifecycle.server({ type: "DeleteServerMetadata", data: { serverId: "s1", key: "role" } });
const renamed = lifecycle.log.length;
lifecycle.server({ type: "DeleteServer", data: { serverId: "s1" } });
const deleting = lifecycle.log.length;
lifecycle.destroy("s1");

const serverAfter = (position: number): Server => getServer(fold(lifecycle.log.slice(0, position)), "s1")!;
const shown = (server: Server) => serverStatus(server);

describe("a server's lifecycle", () => {
  it("shows everything Nova's server view needs once spawned", () => {
    const server = serverAfter(spawnedAt);
    expect({ ...server, state: undefined }).toEqual({
      id: "s1", name: "web-1", projectId: "p-web", userId: "u-alice", flavor: tiny, image: cirros, keyName: "k1",
      metadata: { role: "web" }, serverGroupId: "", availabilityZone: "nova", host: "cmp-1", providerId: "rp-cmp-1", state: undefined,
      fault: null, created: at(1), updated: at(spawnedAt), launchedAt: at(spawnedAt), terminatedAt: null, deleted: false,
    });
    expect(shown(server)).toEqual({ status: "ACTIVE", taskState: null, powerState: powerStates.RUNNING, vmState: "active" });
  });

  it("is BUILD while scheduling, with the zone it asked for", () => {
    const server = serverAfter(2);
    expect(shown(server)).toEqual({ status: "BUILD", taskState: "scheduling", powerState: powerStates.NOSTATE, vmState: "building" });
    expect([server.host, server.availabilityZone, server.launchedAt]).toEqual(["", "", null]);
  });

  it("follows stop, start and reboot with Nova's task and power states", () => {
    expect(shown(serverAfter(stopping))).toMatchObject({ status: "ACTIVE", taskState: "powering-off" });
    expect(shown(serverAfter(stopped))).toEqual({ status: "SHUTOFF", taskState: null, powerState: powerStates.SHUTDOWN, vmState: "stopped" });
    expect(shown(serverAfter(rebooting))).toMatchObject({ status: "HARD_REBOOT", taskState: "rebooting_hard" });
    expect(serverAfter(rebooting).launchedAt).toBe(at(spawnedAt));
  });

  it("applies renames and metadata changes", () => {
    const server = serverAfter(renamed);
    expect([server.name, server.metadata, server.updated]).toEqual(["web-01", { tier: "1" }, at(renamed)]);
  });

  it("keeps its status while deleting, then is DELETED with its termination time", () => {
    expect(shown(serverAfter(deleting))).toMatchObject({ status: "ACTIVE", taskState: "deleting" });
    const doc = fold(lifecycle.log);
    const server = getServer(doc, "s1")!;
    expect(shown(server)).toEqual({ status: "DELETED", taskState: null, powerState: powerStates.NOSTATE, vmState: "deleted" });
    expect([server.deleted, server.terminatedAt, server.name, server.host]).toEqual([true, at(deleting + 1), "web-01", "cmp-1"]);
    expect(listServers(doc).servers).toEqual([]);
    expect(listServers(doc, { changesSince: at(deleting) }).servers.map((s) => s.id)).toEqual(["s1"]);
  });
});

describe("failed servers", () => {
  const cloud = makeCloud();
  cloud.boot("s-spawn", { until: "scheduled" });
  cloud.server({ type: "ReportServerSpawnFailed", data: { serverId: "s-spawn", fault: { code: 500, message: "boom", details: "trace" } } });
  const spawnFailed = cloud.log.length;
  cloud.boot("s-novalid", { until: "requested" });
  cloud.server({ type: "FailServerBuild", data: { serverId: "s-novalid", fault: { code: 500, message: "No valid host was found. ", details: "" } } });
  cloud.boot("s-slow", { until: "scheduled" });
  cloud.server({ type: "TimeOutServerBuild", data: { serverId: "s-slow" } });
  const timedOut = cloud.log.length;
  cloud.destroy("s-novalid");
  const doc = fold(cloud.log.slice(0, timedOut));
  const afterDelete = fold(cloud.log);

  it("record the fault with the time it happened, and stay listed as ERROR", () => {
    expect(getServer(doc, "s-spawn")?.fault).toEqual({ code: 500, message: "boom", details: "trace", created: at(spawnFailed) });
    expect(getServer(doc, "s-slow")?.fault).toEqual({ ...buildTimedOutFault, created: at(timedOut) });
    expect(listServers(doc).servers.map((s) => [s.id, shown(s).status, s.host])).toEqual([
      ["s-slow", "ERROR", "cmp-1"],
      ["s-novalid", "ERROR", ""],
      ["s-spawn", "ERROR", "cmp-1"],
    ]);
    expect(getServer(doc, "s-spawn")?.launchedAt).toBeNull();
  });

  it("go at once when deleted before they had a host", () => {
    // DeleteServer decides ServerDeletionRequested and ServerDeleted together; the release follows.
    expect(getServer(afterDelete, "s-novalid")).toMatchObject({ deleted: true, terminatedAt: at(timedOut + 2) });
    expect(listServers(afterDelete).servers.map((s) => s.id)).toEqual(["s-slow", "s-spawn"]);
  });
});

describe("facts the document cannot place", () => {
  it("change nothing", () => {
    const doc = computeProjection.initial();
    const stray = { stream: "server-x", position: 1, occurredAt: at(1) };
    expect(computeProjection.evolve(doc, { ...stray, event: { type: "ServerSpawned", data: { serverId: "ghost" } } })).toBe(doc);
    expect(computeProjection.evolve(doc, { ...stray, event: { type: "ServerRenamed", data: { serverId: "ghost", name: "x" } } })).toBe(doc);
  });

  it("nor does a fact about a deleted server", () => {
    const doc = fold(lifecycle.log);
    const late = { stream: "server-s1", position: lifecycle.log.length + 1, occurredAt: at(99) };
    expect(computeProjection.evolve(doc, { ...late, event: { type: "ServerRenamed", data: { serverId: "s1", name: "again" } } })).toBe(doc);
  });
});
