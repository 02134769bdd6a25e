/**
 * The scheduler against the real thing: the compute and placement context handlers on a real
 * nats-server (a subject prefix of its own per test), a sqlite store in a temp dir, and the
 * scheduler run by the process-manager runtime. Each test drives the cloud with commands, waits
 * for the scheduler's outcome in the store, and asserts on the recorded events themselves:
 * where servers went, what placement and quota hold, and that nothing was appended twice.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Effect, Layer, type Scope } from "effect";
import { describe, expect, inject, it } from "vitest";
import {
  quotaDecider,
  quotaStream,
  serverStream,
  type FlavorSnapshot,
  type QuotaEvent,
  type ServerCommand,
  type ServerEvent,
  type ServerGroupCommand,
  type QuotaCommand,
} from "@weft/domain/compute";
import {
  capacityOf,
  NO_VALID_HOST,
  resourceProviderDecider,
  resourceProviderStream,
  type PlacementCommand,
  type PlacementEvent,
} from "@weft/domain/placement";
import type { Message } from "@weft/domain/shared";
import { systemActor, type PayloadCodec } from "@weft/proto";
import { CommandBus, Nats, natsCommandBusLayer } from "../bus/index.ts";
import { computeCommandCodec, computeEventCodec, computeModules } from "../contexts/compute.ts";
import { placementCommandCodec, placementEventCodec, resourceProviderModule } from "../contexts/placement.ts";
import { EventStore } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { memoryCheckpointStore, type CheckpointStore } from "../runtime/checkpoints.ts";
import { makeContextHandler } from "../runtime/contextHandler.ts";
import { tempDir } from "../testing/index.ts";
import { runScheduler, type RunningScheduler } from "./scheduler.ts";

type Cloud = CommandBus | EventStore | Scope.Scope;

const withCloud = async (body: Effect.Effect<void, unknown, Cloud>) => {
  await using dir = await tempDir();
  const layer = Layer.mergeAll(
    natsCommandBusLayer({ subjectPrefix: `t${randomUUID().slice(0, 8)}` }).pipe(Layer.provide(Nats.layer(inject("natsUrl")))),
    sqliteEventStoreLayer(join(dir.path, "events.sqlite")),
  );
  await Effect.runPromise(
    Effect.gen(function* () {
      const bus = yield* CommandBus;
      yield* bus.serve("compute", yield* makeContextHandler(computeModules));
      yield* bus.serve("placement", yield* makeContextHandler([resourceProviderModule]));
      yield* body;
    }).pipe(Effect.scoped, Effect.provide(layer)),
  );
};

const codecs: Readonly<Record<"compute" | "placement", PayloadCodec<Message>>> = { compute: computeCommandCodec, placement: placementCommandCodec };

const accept = (context: keyof typeof codecs, command: ServerCommand | ServerGroupCommand | QuotaCommand | PlacementCommand) =>
  Effect.gen(function* () {
    const reply = yield* (yield* CommandBus).send(context, {
      commandId: randomUUID(), requestId: `req-${randomUUID()}`, actor: systemActor, issuedAt: new Date().toISOString(),
      type: command.type, payload: codecs[context].encode(command), correlationId: "", causationId: "",
    });
    if (reply.outcome !== "accepted") throw new Error(`${command.type} not accepted: ${JSON.stringify(reply)}`);
  });

const eventsOf = <E extends Message>(stream: string, codec: { readonly decode: (type: string, bytes: Uint8Array) => Message }) =>
  Effect.map(EventStore.use((store) => store.read(stream)), (recorded) => recorded.map((event) => codec.decode(event.type, event.data) as E));
const serverEvents = (serverId: string) => eventsOf<ServerEvent>(serverStream(serverId), computeEventCodec);
const providerEvents = (providerId: string) => eventsOf<PlacementEvent>(resourceProviderStream(providerId), placementEventCodec);
const quotaEvents = (projectId: string) => eventsOf<QuotaEvent>(quotaStream(projectId), computeEventCodec);

const waitUntil = <E, R>(condition: Effect.Effect<boolean, E, R>, what: string, everyMs = 20) =>
  Effect.gen(function* () {
    for (let waited = 0; !(yield* condition); waited += everyMs) {
      if (waited > 15_000) throw new Error(`timed out waiting until ${what}`);
      yield* Effect.sleep(everyMs);
    }
  });

/** Scheduled or failed: the scheduler is done with the server. */
const outcomeOf = (serverId: string) =>
  Effect.map(serverEvents(serverId), (events) => events.find((e) => e.type === "ServerScheduled" || e.type === "ServerBuildFailed"));
const settled = (serverIds: ReadonlyArray<string>) =>
  waitUntil(Effect.map(Effect.forEach(serverIds, outcomeOf), (outcomes) => outcomes.every((o) => o !== undefined)), "every build is settled");
/** The scheduler has handled every event, its own commands' included. */
const idle = (running: RunningScheduler) =>
  waitUntil(Effect.map(EventStore.use((store) => store.head), (head) => running.position() === head), "the scheduler is idle");

const hex = () => randomUUID().replaceAll("-", "");

const addHost = (host: string, ramMb: number, vcpus = 16, diskGb = 200) =>
  Effect.gen(function* () {
    const providerId = randomUUID();
    yield* accept("placement", { type: "CreateResourceProvider", data: { providerId, name: host, host, availabilityZone: "nova", traits: [] } });
    const inventory = (resourceClass: string, total: number) => ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio: 1 });
    yield* accept("placement", {
      type: "SetInventory",
      data: { providerId, inventories: [inventory("VCPU", vcpus), inventory("MEMORY_MB", ramMb), inventory("DISK_GB", diskGb)] },
    });
    return providerId;
  });

const flavor = (ramMb: number, vcpus = 1, diskGb = 10): FlavorSnapshot =>
  ({ flavorId: "f1", name: "m1.test", vcpus, ramMb, diskGb, ephemeralGb: 0, swapMb: 0, extraSpecs: {} });

const requestBuild = (projectId: string, size: FlavorSnapshot, serverGroupId = "", serverId: string = randomUUID()) =>
  Effect.gen(function* () {
    yield* accept("compute", {
      type: "RequestServerBuild",
      data: {
        serverId, projectId, userId: hex(), name: `vm-${serverId.slice(0, 8)}`, flavor: size,
        image: { imageId: randomUUID(), name: "cirros", minDiskGb: 0, minRamMb: 0 },
        keyName: "", keyPublicKey: "", serverGroupId, availabilityZone: "", metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
      },
    });
    return serverId;
  });

/** The quota saga's first step, as the gateway runs it before RequestServerBuild. */
const reserveAndBuild = (projectId: string, size: FlavorSnapshot, serverGroupId = "") =>
  Effect.gen(function* () {
    const serverId = randomUUID();
    yield* accept("compute", { type: "ReserveServerResources", data: { projectId, serverId, instances: 1, cores: size.vcpus, ramMb: size.ramMb } });
    return yield* requestBuild(projectId, size, serverGroupId, serverId);
  });

const quotaUsed = (projectId: string) =>
  Effect.map(quotaEvents(projectId), (events) => events.reduce(quotaDecider.evolve, quotaDecider.initialState()).used);

const startScheduler = (checkpoints: CheckpointStore = memoryCheckpointStore(), concurrency?: number) =>
  runScheduler({ checkpoints, checkpointEveryMs: 50, ...(concurrency === undefined ? {} : { concurrency }) });

/** The most builds a scheduler had under way at once, sampled until the scope closes. */
const mostInFlight = (running: RunningScheduler) =>
  Effect.gen(function* () {
    let most = 0;
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sync(() => void (most = Math.max(most, running.inFlight()))), Effect.sleep(1))));
    return () => most;
  });

/**
 * Folds each provider event by event: no usage ever passes capacity. Returns who holds an
 * allocation where at the end.
 */
const neverOverCommitted = (providerIds: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const holders = new Map<string, string>();
    for (const providerId of providerIds) {
      let state = resourceProviderDecider.initialState();
      for (const event of yield* providerEvents(providerId)) {
        state = resourceProviderDecider.evolve(state, event);
        if (state.status !== "active") continue;
        for (const inventory of Object.values(state.inventories)) expect(state.usage[inventory.resourceClass] ?? 0).toBeLessThanOrEqual(capacityOf(inventory));
      }
      if (state.status !== "active") throw new Error("the provider is gone");
      for (const consumerId of state.allocations.keys()) {
        expect(holders.has(consumerId), `${consumerId} holds two allocations`).toBe(false);
        holders.set(consumerId, providerId);
      }
    }
    return holders;
  });

/** How many times each server's quota was given back. */
const releasesOf = (projectId: string) =>
  Effect.map(quotaEvents(projectId), (events) => {
    const counts = new Map<string, number>();
    for (const e of events) if (e.type === "ServerResourcesReleased") counts.set(e.data.serverId, (counts.get(e.data.serverId) ?? 0) + 1);
    return counts;
  });

describe("the scheduler", () => {
  it("schedules a server on the host with the most free RAM and claims its flavor there", () =>
    withCloud(Effect.gen(function* () {
      const small = yield* addHost("small", 8192);
      const big = yield* addHost("big", 16384);
      yield* startScheduler();
      const serverId = yield* requestBuild(hex(), { ...flavor(2048, 2, 20), ephemeralGb: 5, swapMb: 1024 });
      yield* settled([serverId]);

      expect(yield* outcomeOf(serverId)).toEqual({ type: "ServerScheduled", data: { serverId, host: "big", providerId: big, availabilityZone: "nova" } });
      const claims = (yield* providerEvents(big)).filter((e) => e.type === "AllocationClaimed");
      expect(claims).toHaveLength(1);
      // Root plus ephemeral disk; swap is not a placement resource.
      expect(claims[0]!.data).toMatchObject({ consumerId: serverId, resources: { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 25 } });
      expect((yield* providerEvents(small)).some((e) => e.type === "AllocationClaimed")).toBe(false);
    })));

  it("fails a build no host can take with no valid host, and gives its quota back", () =>
    withCloud(Effect.gen(function* () {
      yield* addHost("a", 4096);
      yield* addHost("b", 8192);
      const running = yield* startScheduler();
      const projectId = hex();
      const serverId = yield* reserveAndBuild(projectId, flavor(16384, 4));
      yield* settled([serverId]);

      const outcome = yield* outcomeOf(serverId);
      expect(outcome?.type).toBe("ServerBuildFailed");
      expect(outcome?.data).toMatchObject({ serverId, projectId, fault: { code: 500, message: NO_VALID_HOST } });
      expect(NO_VALID_HOST).toBe("No valid host was found.");
      yield* waitUntil(Effect.map(quotaUsed(projectId), (used) => used.instances === 0), "the quota is released");
      yield* idle(running);
      expect(yield* quotaUsed(projectId)).toEqual({ instances: 0, cores: 0, ramMb: 0 });
      expect((yield* quotaEvents(projectId)).map((e) => e.type)).toEqual(["ServerResourcesReserved", "ServerResourcesReleased"]);
    })));

  it("never over-commits a host: two schedulers, five builds, room for two", () =>
    withCloud(Effect.gen(function* () {
      const providerId = yield* addHost("tight", 4096, 4);
      // Two replicas at once, as during a rolling restart: each with its own view, only placement's word counts.
      const first = yield* startScheduler();
      const second = yield* startScheduler();
      const projectId = hex();
      const serverIds = yield* Effect.forEach(Array.from({ length: 5 }), () => reserveAndBuild(projectId, flavor(2048, 2)), { concurrency: "unbounded" });
      yield* settled(serverIds);
      yield* idle(first);
      yield* idle(second);

      const outcomes = yield* Effect.forEach(serverIds, outcomeOf);
      expect(outcomes.filter((o) => o?.type === "ServerScheduled")).toHaveLength(2);
      const failed = outcomes.filter((o) => o?.type === "ServerBuildFailed");
      expect(failed).toHaveLength(3);
      expect(failed.every((o) => o?.type === "ServerBuildFailed" && o.data.fault.message === NO_VALID_HOST)).toBe(true);

      // Fold the provider event by event: usage never passes capacity, and the two holders are the scheduled ones.
      const events = yield* providerEvents(providerId);
      let state = resourceProviderDecider.initialState();
      for (const event of events) {
        state = resourceProviderDecider.evolve(state, event);
        if (state.status !== "active") continue;
        for (const inventory of Object.values(state.inventories)) expect(state.usage[inventory.resourceClass] ?? 0).toBeLessThanOrEqual(capacityOf(inventory));
      }
      if (state.status !== "active") throw new Error("the provider is gone");
      const scheduled = outcomes.flatMap((o) => (o?.type === "ServerScheduled" ? [o.data.serverId] : []));
      expect([...state.allocations.keys()].sort()).toEqual([...scheduled].sort());
      expect(events.filter((e) => e.type === "AllocationClaimed")).toHaveLength(2);
      // The three failed builds gave their quota back; the two scheduled keep theirs.
      expect(yield* quotaUsed(projectId)).toEqual({ instances: 2, cores: 4, ramMb: 4096 });
    })), 60_000);

  it("keeps anti-affinity members on different hosts, and fails the one with no host left", () =>
    withCloud(Effect.gen(function* () {
      const hosts = new Map<string, string>([[yield* addHost("a", 16384), "a"], [yield* addHost("b", 16384), "b"]]);
      yield* startScheduler();
      const groupId = randomUUID();
      const projectId = hex();
      yield* accept("compute", { type: "CreateServerGroup", data: { groupId, projectId, userId: hex(), name: "web", policy: "anti-affinity", maxServerPerHost: 0 } });
      // Requested together: all three build requests are in the log before any member is scheduled.
      const serverIds = yield* Effect.forEach(Array.from({ length: 3 }), () => requestBuild(projectId, flavor(1024), groupId), { concurrency: "unbounded" });
      yield* settled(serverIds);

      const outcomes = yield* Effect.forEach(serverIds, outcomeOf);
      const placed = outcomes.flatMap((o) => (o?.type === "ServerScheduled" ? [o.data] : []));
      expect(placed.map((p) => p.host).sort()).toEqual(["a", "b"]);
      expect(placed.every((p) => hosts.get(p.providerId) === p.host)).toBe(true);
      expect(outcomes.filter((o) => o?.type === "ServerBuildFailed" && o.data.fault.message === NO_VALID_HOST)).toHaveLength(1);
    })));

  it("gives back a deleted server's allocation and quota, and a spawn failure's allocation only", () =>
    withCloud(Effect.gen(function* () {
      const providerId = yield* addHost("a", 16384);
      const running = yield* startScheduler();
      const projectId = hex();
      const deleted = yield* reserveAndBuild(projectId, flavor(2048, 2));
      const broken = yield* reserveAndBuild(projectId, flavor(1024, 1));
      yield* settled([deleted, broken]);
      expect((yield* outcomeOf(deleted))?.type).toBe("ServerScheduled");

      yield* accept("compute", { type: "DeleteServer", data: { serverId: deleted } });
      yield* accept("compute", { type: "ReportServerDestroyed", data: { serverId: deleted } });
      yield* accept("compute", { type: "ReportServerSpawnFailed", data: { serverId: broken, fault: { code: 500, message: "qemu died", details: "" } } });
      const released = Effect.map(providerEvents(providerId), (events) => events.filter((e) => e.type === "AllocationReleased"));
      yield* waitUntil(Effect.map(released, (events) => events.length === 2), "both allocations are released");
      yield* idle(running);

      expect((yield* released).map((e) => e.data.consumerId).sort()).toEqual([deleted, broken].sort());
      const deletion = (yield* serverEvents(deleted)).find((e) => e.type === "ServerDeleted");
      expect(deletion?.data).toEqual({ serverId: deleted, projectId, providerId });
      // The ERROR server still counts against the quota until it is deleted, as in Nova.
      expect(yield* quotaUsed(projectId)).toEqual({ instances: 1, cores: 1, ramMb: 1024 });
    })));

  it("resumes from its checkpoint after a stop without scheduling or claiming anything twice", () =>
    withCloud(Effect.gen(function* () {
      const providerIds = [yield* addHost("a", 65536), yield* addHost("b", 65536), yield* addHost("c", 65536)];
      const checkpoints = memoryCheckpointStore();
      const projectId = hex();
      yield* accept("compute", { type: "SetQuotaLimits", data: { projectId, instances: 30, cores: 30, ramMb: 1_000_000 } });
      const serverIds = yield* Effect.forEach(Array.from({ length: 24 }), () => reserveAndBuild(projectId, flavor(1024)), { concurrency: 4 });

      // Stopped once a few claims are made: with builds placed at once, many are between their claim and their schedule.
      yield* Effect.scoped(Effect.gen(function* () {
        const running = yield* startScheduler(checkpoints);
        const claims = () => [...running.view().providers.values()].reduce((count, { provider }) => count + provider.allocations.size, 0);
        yield* waitUntil(Effect.sync(() => claims() >= 3), "some claims are made", 1);
      }));
      const stoppedAt = yield* checkpoints.load("scheduler");
      yield* Effect.scoped(Effect.gen(function* () {
        const running = yield* startScheduler(checkpoints);
        yield* settled(serverIds);
        yield* idle(running);
      }));
      expect(yield* checkpoints.load("scheduler")).toBeGreaterThan(stoppedAt);

      const count = Effect.gen(function* () {
        const serverStreams = yield* Effect.forEach(serverIds, serverEvents);
        const providerStreams = yield* Effect.forEach(providerIds, providerEvents);
        return {
          scheduled: serverStreams.map((events) => events.filter((e) => e.type === "ServerScheduled").length),
          claims: providerStreams.flat().filter((e) => e.type === "AllocationClaimed").map((e) => (e.type === "AllocationClaimed" ? e.data.consumerId : "")),
          releases: providerStreams.flat().filter((e) => e.type === "AllocationReleased").length,
          failed: serverStreams.filter((events) => events.some((e) => e.type === "ServerBuildFailed")).length,
        };
      });
      const after = yield* count;
      expect(after.scheduled).toEqual(serverIds.map(() => 1));
      expect([...after.claims].sort()).toEqual([...serverIds].sort());
      expect(after.releases).toBe(0);
      expect(after.failed).toBe(0);

      // A lost checkpoint: every event handled again from the start appends nothing.
      const head = yield* EventStore.use((store) => store.head);
      yield* Effect.scoped(Effect.gen(function* () {
        yield* idle(yield* startScheduler(memoryCheckpointStore()));
      }));
      expect(yield* EventStore.use((store) => store.head)).toBe(head);
      expect(yield* count).toEqual(after);
    })), 60_000);

  it("places a burst of builds at once: anti-affinity members on distinct hosts, no host over-committed, quota back for each failure", () =>
    withCloud(Effect.gen(function* () {
      const providerIds = yield* Effect.forEach(["a", "b", "c", "d"], (host) => addHost(host, 8192, 8));
      const hostOf = new Map<string, string>(providerIds.map((id, i) => [id, "abcd"[i]!]));
      const groupId = randomUUID();
      const projectId = hex();
      yield* accept("compute", { type: "SetQuotaLimits", data: { projectId, instances: 100, cores: 100, ramMb: 1_000_000 } });
      yield* accept("compute", { type: "CreateServerGroup", data: { groupId, projectId, userId: hex(), name: "web", policy: "anti-affinity", maxServerPerHost: 0 } });
      // All in the log before the scheduler starts: it finds 26 builds waiting and takes 16 at once.
      // Room for 32: the 20 loners and 4 members fit, the 5th and 6th member have no host left.
      const members = yield* Effect.forEach(Array.from({ length: 6 }), () => reserveAndBuild(projectId, flavor(1024), groupId), { concurrency: "unbounded" });
      const loners = yield* Effect.forEach(Array.from({ length: 20 }), () => reserveAndBuild(projectId, flavor(1024)), { concurrency: "unbounded" });
      const running = yield* startScheduler();
      const most = yield* mostInFlight(running);
      yield* settled([...members, ...loners]);
      yield* idle(running);
      expect(most()).toBeGreaterThan(1);

      const memberOutcomes = yield* Effect.forEach(members, outcomeOf);
      const placed = memberOutcomes.flatMap((o) => (o?.type === "ServerScheduled" ? [o.data] : []));
      expect(placed.map((p) => p.host).sort()).toEqual(["a", "b", "c", "d"]);
      expect(placed.every((p) => hostOf.get(p.providerId) === p.host)).toBe(true);
      const failed = memberOutcomes.flatMap((o) => (o?.type === "ServerBuildFailed" && o.data.fault.message === NO_VALID_HOST ? [o.data.serverId] : []));
      expect(failed).toHaveLength(2);
      expect((yield* Effect.forEach(loners, outcomeOf)).every((o) => o?.type === "ServerScheduled")).toBe(true);

      const holders = yield* neverOverCommitted(providerIds);
      const scheduled = [...placed.map((p) => p.serverId), ...loners];
      expect([...holders.keys()].sort()).toEqual([...scheduled].sort());
      expect(Object.fromEntries(yield* releasesOf(projectId))).toEqual(Object.fromEntries(failed.map((id) => [id, 1])));
      expect(yield* quotaUsed(projectId)).toEqual({ instances: 24, cores: 24, ramMb: 24 * 1024 });
    })), 60_000);

  it("two replicas placing a burst at once never over-commit; every build ends scheduled or without a valid host, its quota back once", () =>
    withCloud(Effect.gen(function* () {
      // Room for 12 of the 30.
      const providerIds = yield* Effect.forEach(["a", "b", "c"], (host) => addHost(host, 4096, 4));
      const projectId = hex();
      yield* accept("compute", { type: "SetQuotaLimits", data: { projectId, instances: 100, cores: 100, ramMb: 1_000_000 } });
      const serverIds = yield* Effect.forEach(Array.from({ length: 30 }), () => reserveAndBuild(projectId, flavor(1024)), { concurrency: "unbounded" });
      const first = yield* startScheduler(memoryCheckpointStore(), 8);
      const second = yield* startScheduler(memoryCheckpointStore(), 8);
      yield* settled(serverIds);
      yield* idle(first);
      yield* idle(second);

      const outcomes = yield* Effect.forEach(serverIds, outcomeOf);
      const scheduled = outcomes.flatMap((o) => (o?.type === "ServerScheduled" ? [o.data] : []));
      const failed = outcomes.flatMap((o) => (o?.type === "ServerBuildFailed" && o.data.fault.message === NO_VALID_HOST ? [o.data.serverId] : []));
      expect(scheduled.length + failed.length).toBe(30);
      expect(scheduled.length).toBeGreaterThan(0);
      expect(scheduled.length).toBeLessThanOrEqual(12);
      // No claim left behind: each scheduled server holds one allocation, where it was scheduled; nothing else is held.
      const holders = yield* neverOverCommitted(providerIds);
      expect(Object.fromEntries(holders)).toEqual(Object.fromEntries(scheduled.map((p) => [p.serverId, p.providerId])));
      expect(Object.fromEntries(yield* releasesOf(projectId))).toEqual(Object.fromEntries(failed.map((id) => [id, 1])));
      expect((yield* quotaUsed(projectId)).instances).toBe(scheduled.length);
    })), 60_000);

  it("handles a deletion that arrives while its build is under way after the build: nothing stays claimed, the quota comes back once", () =>
    withCloud(Effect.gen(function* () {
      const providerIds = [yield* addHost("a", 65536), yield* addHost("b", 65536)];
      const projectId = hex();
      yield* accept("compute", { type: "SetQuotaLimits", data: { projectId, instances: 100 } });
      const serverIds = yield* Effect.forEach(Array.from({ length: 12 }), () => reserveAndBuild(projectId, flavor(1024)), { concurrency: "unbounded" });
      // Deleted before any is scheduled: the scheduler meets each deletion while that server's build is under way.
      yield* Effect.forEach(serverIds, (serverId) => accept("compute", { type: "DeleteServer", data: { serverId } }), { concurrency: "unbounded" });
      const running = yield* startScheduler();
      yield* waitUntil(Effect.map(releasesOf(projectId), (counts) => counts.size === serverIds.length), "every quota is given back");
      yield* idle(running);

      expect([...(yield* neverOverCommitted(providerIds)).keys()]).toEqual([]);
      expect([...(yield* releasesOf(projectId)).values()]).toEqual(serverIds.map(() => 1));
      expect(yield* quotaUsed(projectId)).toEqual({ instances: 0, cores: 0, ramMb: 0 });
      const streams = yield* Effect.forEach(serverIds, serverEvents);
      expect(streams.every((events) => events.some((e) => e.type === "ServerDeleted") && !events.some((e) => e.type === "ServerScheduled"))).toBe(true);
    })), 60_000);
});
