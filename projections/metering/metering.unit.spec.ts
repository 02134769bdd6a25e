/**
 * The metering fold and its period queries: given CloudEvents, the intervals and hours Nova's
 * os-simple-tenant-usage would report; a re-delivered event (same or older position) changes
 * nothing; the snapshot round-trips.
 */
import { describe, expect, it } from "vitest";
import type { FlavorSnapshot } from "@weft/domain/compute";
import {
  evolveMetering,
  flavorUsage,
  foldMetering,
  hoursIn,
  initialMeteringDocument,
  meteringFromSnapshot,
  meteringToSnapshot,
  projectTotals,
  serversByStatus,
  usageForPeriod,
  usageSeries,
  usageToDate,
  type MeteredEvent,
} from "./index.ts";

const HOUR = 3_600_000;
const t0 = Date.UTC(2030, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

const tiny: FlavorSnapshot = { flavorId: "1", name: "m1.tiny", vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} };
const small: FlavorSnapshot = { flavorId: "2", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 5, swapMb: 0, extraSpecs: {} };

/** A log under construction: each event gets the next position. */
const log = () => {
  const events: MeteredEvent[] = [];
  const add = (type: string, serverId: string, at: number, data: object) =>
    events.push({ type: `weft.compute.${type}`, subject: serverId, time: iso(at), weftposition: events.length + 1, data: { serverId, ...data } });
  return {
    events,
    build: (serverId: string, projectId: string, at: number, flavor = tiny) =>
      add("ServerBuildRequested", serverId, at, { projectId, userId: "u", name: `vm-${serverId}`, flavor, requestedAt: iso(at) }),
    spawn: (serverId: string, at: number) => add("ServerSpawned", serverId, at, {}),
    stop: (serverId: string, at: number) => add("ServerStopped", serverId, at, {}),
    start: (serverId: string, at: number) => add("ServerStarted", serverId, at, {}),
    fail: (serverId: string, at: number) => add("ServerSpawnFailed", serverId, at, { projectId: "p", fault: { code: 500, message: "x", details: "" } }),
    rename: (serverId: string, at: number, name: string) => add("ServerRenamed", serverId, at, { name }),
    remove: (serverId: string, projectId: string, at: number) => add("ServerDeleted", serverId, at, { projectId, providerId: "rp" }),
  };
};

const day = { start: t0, end: t0 + 24 * HOUR };

describe("metering fold", () => {
  it("bills a server from its launch to its deletion, stopped or not, clipped to the period", () => {
    const given = log();
    given.build("a", "p1", t0 + 1 * HOUR);
    given.spawn("a", t0 + 2 * HOUR);
    given.stop("a", t0 + 3 * HOUR);
    given.start("a", t0 + 4 * HOUR);
    given.remove("a", "p1", t0 + 6 * HOUR);
    const doc = foldMetering(initialMeteringDocument(), given.events);

    expect(doc.position).toBe(5);
    expect(doc.usage.get("p1")?.get("a")).toEqual({
      serverId: "a", projectId: "p1", name: "vm-a", flavor: { id: "1", name: "m1.tiny", vcpus: 1, ramMb: 512, localGb: 1 },
      startedAt: t0 + 2 * HOUR, endedAt: t0 + 6 * HOUR, vmState: "active",
    });
    expect(projectTotals(doc, "p1", day)).toEqual({ hours: 4, vcpuHours: 4, ramMbHours: 2048, diskGbHours: 4 });
    expect(projectTotals(doc, "p1", { start: t0 + 5 * HOUR, end: t0 + 24 * HOUR }).hours).toBe(1);
    expect(projectTotals(doc, "p1", { start: t0 + 7 * HOUR, end: t0 + 24 * HOUR }).hours).toBe(0);
    expect(doc.live.size).toBe(0);
  });

  it("counts a running server to the end of the period it is asked for", () => {
    const given = log();
    given.build("a", "p1", t0);
    given.spawn("a", t0 + HOUR);
    const doc = foldMetering(initialMeteringDocument(), given.events);
    expect(projectTotals(doc, "p1", day).hours).toBe(23);
    expect(usageToDate(doc, t0 + 3 * HOUR).hours).toBe(2);
  });

  it("never bills a server that did not launch", () => {
    const given = log();
    given.build("a", "p1", t0);
    given.fail("a", t0 + HOUR);
    given.remove("a", "p1", t0 + 2 * HOUR);
    given.build("b", "p1", t0);
    const doc = foldMetering(initialMeteringDocument(), given.events);
    expect(doc.usage.size).toBe(0);
    expect(projectTotals(doc, "p1", day)).toEqual({ hours: 0, vcpuHours: 0, ramMbHours: 0, diskGbHours: 0 });
    expect([...serversByStatus(doc)]).toEqual([["BUILD", 1]]);
  });

  it("ignores a re-delivered event: the same position or an older one", () => {
    const given = log();
    given.build("a", "p1", t0);
    given.spawn("a", t0 + HOUR);
    given.remove("a", "p1", t0 + 3 * HOUR);
    const once = foldMetering(initialMeteringDocument(), given.events);
    // At-least-once delivery: the whole log again, then each event twice.
    const again = foldMetering(once, given.events);
    const twice = foldMetering(initialMeteringDocument(), given.events.flatMap((event) => [event, event]));
    expect(again).toBe(once);
    expect(meteringToSnapshot(twice)).toEqual(meteringToSnapshot(once));
    expect(projectTotals(twice, "p1", day).hours).toBe(2);
    expect(once.eventCounts.get("weft.compute.ServerSpawned")).toBe(1);
  });

  it("moves the position past event types it does not bill", () => {
    const doc = evolveMetering(initialMeteringDocument(), { type: "weft.image.ImageCreated", subject: "i", time: iso(t0), weftposition: 7, data: {} });
    expect(doc.position).toBe(7);
    expect(doc.eventCounts.get("weft.image.ImageCreated")).toBe(1);
  });

  it("keeps the name the server has now, and its vm_state", () => {
    const given = log();
    given.build("a", "p1", t0);
    given.spawn("a", t0 + HOUR);
    given.rename("a", t0 + 2 * HOUR, "renamed");
    given.stop("a", t0 + 3 * HOUR);
    const doc = foldMetering(initialMeteringDocument(), given.events);
    expect(doc.usage.get("p1")?.get("a")).toMatchObject({ name: "renamed", vmState: "stopped" });
    expect([...serversByStatus(doc)]).toEqual([["SHUTOFF", 1]]);
  });
});

describe("metering queries", () => {
  const given = log();
  given.build("a", "p1", t0);
  given.spawn("a", t0);
  given.build("b", "p2", t0, small);
  given.spawn("b", t0 + 12 * HOUR);
  given.build("c", "p1", t0, small);
  given.spawn("c", t0 + 18 * HOUR);
  given.remove("c", "p1", t0 + 30 * HOUR);
  const doc = foldMetering(initialMeteringDocument(), given.events);

  it("groups servers by project in launch order, with Nova's totals", () => {
    const page = usageForPeriod(doc, day);
    expect(page.projects.map((project) => [project.projectId, project.hours, project.vcpuHours, project.ramMbHours, project.diskGbHours])).toEqual([
      ["p1", 24 + 6, 24 + 12, 512 * 24 + 2048 * 6, 24 + 25 * 6],
      ["p2", 12, 24, 2048 * 12, 25 * 12],
    ]);
    expect(page.servers.map((server) => server.interval.serverId)).toEqual(["a", "c", "b"]);
  });

  it("pages by server after a marker, and says when the marker is unknown", () => {
    const first = usageForPeriod(doc, day, { limit: 2 });
    expect(first.servers.map((server) => server.interval.serverId)).toEqual(["a", "c"]);
    const next = usageForPeriod(doc, day, { limit: 2, marker: "c" });
    expect(next.servers.map((server) => server.interval.serverId)).toEqual(["b"]);
    expect(usageForPeriod(doc, day, { marker: "b" }).servers).toEqual([]);
    expect(usageForPeriod(doc, day, { marker: "nope" }).markerFound).toBe(false);
  });

  it("answers one project from its own intervals", () => {
    const page = usageForPeriod(doc, day, { projectId: "p2" });
    expect(page.projects.map((project) => project.projectId)).toEqual(["p2"]);
    expect(usageForPeriod(doc, day, { projectId: "unknown" }).projects).toEqual([]);
  });

  it("leaves out servers deleted by the start or launched after the end", () => {
    const later = { start: t0 + 31 * HOUR, end: t0 + 48 * HOUR };
    expect(usageForPeriod(doc, later).servers.map((server) => server.interval.serverId)).toEqual(["a", "b"]);
    const interval = doc.usage.get("p1")!.get("c")!;
    expect(hoursIn(interval, { start: t0, end: t0 + 17 * HOUR })).toBe(0);
  });

  it("splits usage per flavor and into a time series that sums to the period", () => {
    expect(flavorUsage(doc, "p1", day).map((flavor) => [flavor.flavorName, flavor.hours])).toEqual([["m1.tiny", 24], ["m1.small", 6]]);
    const series = usageSeries(doc, "p1", day, 6 * HOUR);
    expect(series.map((point) => point.hours)).toEqual([6, 6, 6, 12]);
    expect(series.reduce((sum, point) => sum + point.vcpuHours, 0)).toBe(projectTotals(doc, "p1", day).vcpuHours);
  });

  it("survives its snapshot", () => {
    const restored = meteringFromSnapshot(structuredClone(meteringToSnapshot(doc)));
    expect(meteringToSnapshot(restored)).toEqual(meteringToSnapshot(doc));
    expect(usageForPeriod(restored, day)).toEqual(usageForPeriod(doc, day));
    expect(() => meteringFromSnapshot({ version: 0 })).toThrow("not a metering snapshot");
  });
});
