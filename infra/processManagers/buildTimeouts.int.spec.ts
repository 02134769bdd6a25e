/**
 * Build timeouts against a real control plane (nats-server, sqlite, the compute handlers). The
 * builds are recorded before the process manager starts, so which of them are open is decided by
 * its fold of the log, not by a race with the clock.
 */
import { randomUUID } from "node:crypto";
import { Effect, Exit, Scope } from "effect";
import { describe, expect, inject, it } from "vitest";
import { buildTimedOutFault, type ServerCommand } from "@weft/domain/compute";
import { waitUntil, withControlPlane, type ControlPlane } from "../testing/index.ts";
import { runBuildTimeouts, type BuildTimeoutOptions } from "./buildTimeouts.ts";

const build = (cp: ControlPlane) =>
  Effect.gen(function* () {
    const serverId = randomUUID();
    yield* cp.accept("compute", {
      type: "RequestServerBuild",
      data: {
        serverId, projectId: randomUUID().replaceAll("-", ""), userId: "u1", name: "vm",
        flavor: { flavorId: "f1", name: "m1", vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
        image: { imageId: "img", name: "cirros", minDiskGb: 0, minRamMb: 0 },
        keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
      },
    } satisfies ServerCommand);
    return serverId;
  });

const accept = (cp: ControlPlane, serverId: string, ...types: ReadonlyArray<ServerCommand["type"]>) =>
  Effect.forEach(types, (type) => cp.accept("compute", { type, data: type === "ScheduleServer" ? { serverId, host: "h1", providerId: randomUUID(), availabilityZone: "nova" } : { serverId } } as ServerCommand), { discard: true });

const start = (cp: ControlPlane, options: BuildTimeoutOptions) => cp.provide(runBuildTimeouts(options));

const timedOut = (cp: ControlPlane, serverId: string) =>
  Effect.map(cp.serverEvents(serverId), (events) => events.filter((event) => event.type === "ServerBuildTimedOut"));

describe("build timeouts", () => {
  it("times out only the builds still open, scheduled or not, with Nova's fault", () =>
    withControlPlane(inject("natsUrl"), (cp) =>
      Effect.gen(function* () {
        const unscheduled = yield* build(cp);
        const spawning = yield* build(cp);
        yield* accept(cp, spawning, "ScheduleServer");
        const spawned = yield* build(cp);
        yield* accept(cp, spawned, "ScheduleServer", "ReportServerSpawned");
        const failed = yield* build(cp);
        yield* accept(cp, failed, "ScheduleServer");
        yield* cp.accept("compute", { type: "ReportServerSpawnFailed", data: { serverId: failed, fault: { code: 500, message: "boom", details: "" } } });
        const deleted = yield* build(cp);
        yield* accept(cp, deleted, "DeleteServer");

        const running = yield* start(cp, { buildTimeoutMs: 0, checkEveryMs: 10 });
        yield* waitUntil(Effect.sync(() => running.open().size === 0), "every open build is timed out");
        for (const serverId of [unscheduled, spawning]) {
          const events = yield* timedOut(cp, serverId);
          expect(events).toHaveLength(1);
          expect(events[0]!.data).toMatchObject({ serverId, fault: buildTimedOutFault });
        }
        for (const serverId of [spawned, failed, deleted]) expect(yield* timedOut(cp, serverId)).toEqual([]);
      })));

  it("remembers open builds across a restart, and times each out once however many run", () =>
    withControlPlane(inject("natsUrl"), (cp) =>
      Effect.gen(function* () {
        const servers = yield* Effect.forEach(Array.from({ length: 5 }), () => build(cp));
        const patient = yield* Scope.make();
        const first = yield* start(cp, { buildTimeoutMs: 60 * 60 * 1_000 }).pipe(Scope.provide(patient));
        expect([...first.open()].sort()).toEqual([...servers].sort());
        yield* Scope.close(patient, Exit.void);

        // Two replicas at once after the restart: the command id derived from the build keeps it to one event.
        const a = yield* start(cp, { buildTimeoutMs: 0, checkEveryMs: 10 });
        const b = yield* start(cp, { buildTimeoutMs: 0, checkEveryMs: 10 });
        yield* waitUntil(Effect.sync(() => a.open().size === 0 && b.open().size === 0), "both replicas are done");
        for (const serverId of servers) expect(yield* timedOut(cp, serverId)).toHaveLength(1);

        const head = yield* cp.head;
        const again = yield* start(cp, { buildTimeoutMs: 0, checkEveryMs: 10 });
        expect(again.open().size).toBe(0);
        expect(yield* cp.head).toBe(head);
      })));

  it("follows builds recorded while it runs", () =>
    withControlPlane(inject("natsUrl"), (cp) =>
      Effect.gen(function* () {
        const running = yield* start(cp, { buildTimeoutMs: 0, checkEveryMs: 10, commandTimeoutMs: 2_000 });
        const serverId = yield* build(cp);
        yield* waitUntil(Effect.map(timedOut(cp, serverId), (events) => events.length === 1), "the live build is timed out");
        expect(running.open().has(serverId)).toBe(false);
      })));
});
