/**
 * The whole loop on real parts: nats-server, a sqlite store and the compute and placement
 * handlers (`startControlPlane`), the scheduler, the relay, and host agents with the fake driver.
 * Tests send commands as the gateway would and assert on what the store recorded and on what the
 * driver runs: every outcome reported exactly once, nothing booted twice, restarts reconciled.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Effect, Exit, Layer, Scope } from "effect";
import { describe, expect, inject, it } from "vitest";
import { Nats, natsCommandBusLayer, type CommandBus } from "@weft/infra/bus";
import { agentConsumerName, hostInstructionCodec, hostProviderId, hostStreamName, watchHeartbeats, type HostLiveness } from "@weft/infra/host";
import { runScheduler } from "@weft/infra/processManagers";
import { runRelay } from "@weft/infra/relay";
import { memoryCheckpointStore } from "@weft/infra/runtime";
import { startControlPlane, tempDir, waitUntil, type ControlPlane } from "@weft/infra/testing";
import { makeFakeDriver, type ComputeDriverShape, type FakeDriverOptions, type InstanceSpec } from "../drivers/index.ts";
import { runHostAgent, type RunningHostAgent } from "./hostAgent.ts";

type Env = Nats | CommandBus | Scope.Scope;

interface Cloud {
  readonly cp: ControlPlane;
  readonly prefix: string;
  readonly dir: string;
  /** A fake driver that counts the boots it attempts (an existing instance is not a boot). */
  readonly driver: (options?: FakeDriverOptions) => { readonly driver: ComputeDriverShape; readonly boots: () => number };
  readonly startAgent: (host: string, driver: ComputeDriverShape, scope?: Scope.Scope, stopGraceMs?: number) => Effect.Effect<RunningHostAgent, unknown, Env>;
  /** The heartbeat monitor the scheduler asks, when the test has one. */
  readonly monitor: HostLiveness | undefined;
}

const withCloud = async (body: (cloud: Cloud) => Effect.Effect<void, unknown, Env>, liveness?: { readonly downAfterMs: number }) => {
  await using dir = await tempDir();
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const nats = Nats.layer(inject("natsUrl"));
  const layer = Layer.merge(nats, natsCommandBusLayer({ subjectPrefix: prefix }).pipe(Layer.provide(nats)));
  await Effect.runPromise(
    Effect.gen(function* () {
      const cp = yield* startControlPlane({ dataDir: dir.path, subjectPrefix: prefix });
      let monitor: HostLiveness | undefined;
      if (liveness !== undefined) monitor = yield* watchHeartbeats({ subjectPrefix: prefix, downAfterMs: liveness.downAfterMs });
      yield* cp.provide(runScheduler({ checkpoints: memoryCheckpointStore(), ...(monitor === undefined ? {} : { isUp: monitor.isUp }) }));
      yield* cp.provide(runRelay({ checkpoints: memoryCheckpointStore(), subjectPrefix: prefix, checkpointEveryMs: 50 }));
      const driver = (options: FakeDriverOptions = {}) => {
        let boots = 0;
        const failBoot = (spec: InstanceSpec) => {
          boots += 1;
          return options.failBoot?.(spec);
        };
        return { driver: makeFakeDriver({ ...options, failBoot }), boots: () => boots };
      };
      const startAgent = (host: string, agentDriver: ComputeDriverShape, scope?: Scope.Scope, stopGraceMs?: number) => {
        const agent = runHostAgent({ host, driver: agentDriver, subjectPrefix: prefix, heartbeatIntervalMs: 50, ...(stopGraceMs === undefined ? {} : { stopGraceMs }) });
        return scope === undefined ? agent : Scope.provide(agent, scope);
      };
      yield* body({ cp, prefix, dir: dir.path, driver, startAgent, monitor });
    }).pipe(Effect.scoped, Effect.provide(layer)),
  );
};

const build = (cp: ControlPlane, name = `vm-${randomUUID().slice(0, 4)}`, ramMb = 1024) =>
  Effect.gen(function* () {
    const serverId = randomUUID();
    yield* cp.accept("compute", {
      type: "RequestServerBuild",
      data: {
        serverId, projectId: randomUUID().replaceAll("-", ""), userId: "u1", name,
        flavor: { flavorId: "f1", name: "m1", vcpus: 2, ramMb, diskGb: 10, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
        image: { imageId: "img-1", name: "cirros", minDiskGb: 0, minRamMb: 0 },
        keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
      },
    });
    return serverId;
  });

const act = (cp: ControlPlane, serverId: string, type: "StopServer" | "StartServer" | "DeleteServer") => cp.accept("compute", { type, data: { serverId } });

const count = (cp: ControlPlane, serverId: string, type: string) =>
  Effect.map(cp.serverEvents(serverId), (events) => events.filter((event) => event.type === type).length);

const reached = (cp: ControlPlane, serverId: string, type: string) =>
  waitUntil(Effect.map(count(cp, serverId, type), (n) => n > 0), `server ${serverId.slice(0, 8)} has ${type}`);

/** The agent's consumer has nothing left to deliver or to hear back about. */
const drained = (host: string, prefix: string) =>
  waitUntil(
    Nats.use(({ connection }) =>
      Effect.promise(async () => {
        const info = await (await jetstreamManager(connection)).consumers.info(hostStreamName(prefix), agentConsumerName(host));
        return info.num_pending === 0 && info.num_ack_pending === 0;
      })),
    `the consumer of ${host} is drained`,
  );

const instance = (driver: ComputeDriverShape, serverId: string) => Effect.map(driver.list, (list) => list.find((i) => i.serverId === serverId));

describe("the host agent", () => {
  it("registers its host, boots a requested server to ACTIVE, and carries out stop, start, reboot and delete", () =>
    withCloud(({ cp, driver, startAgent }) =>
      Effect.gen(function* () {
        const fake = driver({ capacity: { vcpus: 8, ramMb: 16_384, diskGb: 100 } });
        const agent = yield* startAgent("node-1", fake.driver);
        expect(agent.providerId).toBe(hostProviderId("node-1"));
        const registration = yield* cp.providerEvents(agent.providerId);
        expect(registration.map((event) => event.type)).toEqual(["ResourceProviderCreated", "InventorySet"]);
        expect(registration[1]!.data).toMatchObject({
          inventories: [
            { resourceClass: "VCPU", total: 8, allocationRatio: 16 },
            { resourceClass: "MEMORY_MB", total: 16_384, allocationRatio: 1.5 },
            { resourceClass: "DISK_GB", total: 100, allocationRatio: 1 },
          ],
        });

        const vm = yield* build(cp, "web-1");
        yield* reached(cp, vm, "ServerSpawned");
        const scheduled = (yield* cp.serverEvents(vm)).find((event) => event.type === "ServerScheduled");
        expect(scheduled?.data).toMatchObject({ host: "node-1", providerId: agent.providerId });
        expect(yield* instance(fake.driver, vm)).toEqual({ serverId: vm, name: "web-1", powerState: "running", vcpus: 2, ramMb: 1024, diskGb: 10 });

        yield* act(cp, vm, "StopServer");
        yield* reached(cp, vm, "ServerStopped");
        expect((yield* instance(fake.driver, vm))?.powerState).toBe("shutoff");
        yield* act(cp, vm, "StartServer");
        yield* reached(cp, vm, "ServerStarted");
        expect((yield* instance(fake.driver, vm))?.powerState).toBe("running");
        yield* cp.accept("compute", { type: "RebootServer", data: { serverId: vm, hard: true } });
        yield* reached(cp, vm, "ServerRebooted");
        expect(yield* fake.driver.consoleLog(vm)).toContain("hard reboot");
        yield* act(cp, vm, "DeleteServer");
        yield* reached(cp, vm, "ServerDeleted");
        expect(yield* fake.driver.list).toEqual([]);

        for (const type of ["ServerScheduled", "ServerSpawned", "ServerStopped", "ServerStarted", "ServerRebooted", "ServerDeleted"]) {
          expect(yield* count(cp, vm, type)).toBe(1);
        }
        expect(fake.boots()).toBe(1);
      })));

  it("reports a failed boot with the hypervisor's words as the fault", () =>
    withCloud(({ cp, driver, startAgent }) =>
      Effect.gen(function* () {
        const fake = driver({ failBoot: (spec) => (spec.name === "doomed" ? "no bootable device" : undefined) });
        yield* startAgent("node-1", fake.driver);
        const vm = yield* build(cp, "doomed");
        yield* reached(cp, vm, "ServerSpawnFailed");
        const failed = (yield* cp.serverEvents(vm)).find((event) => event.type === "ServerSpawnFailed");
        expect(failed?.data).toMatchObject({ serverId: vm, fault: { code: 500, message: "no bootable device" } });
        expect(yield* fake.driver.list).toEqual([]);
      })));

  it("never boots twice for a redelivered instruction, in the same agent or after a restart", () =>
    withCloud(({ cp, prefix, dir, driver, startAgent }) =>
      Effect.gen(function* () {
        const stateFile = join(dir, "node-1.json");
        const first = driver({ stateFile });
        const life = yield* Scope.make();
        yield* startAgent("node-1", first.driver, life);
        const vm = yield* build(cp);
        yield* reached(cp, vm, "ServerSpawned");

        // The same instruction again, under another message id, as JetStream redelivers it.
        const redeliver = Nats.use(({ connection }) =>
          Effect.promise(async () => {
            const jsm = await jetstreamManager(connection);
            const name = hostStreamName(prefix);
            const spawn = await jsm.streams.getMessage(name, { seq: 1 });
            expect(hostInstructionCodec.decode(spawn!.data)).toMatchObject({ serverId: vm, action: "spawn" });
            await jetstream(connection).publish(spawn!.subject, spawn!.data, { msgID: randomUUID() });
          }));
        yield* redeliver;
        yield* drained("node-1", prefix);
        expect(first.boots()).toBe(1);

        yield* Scope.close(life, Exit.void);
        const second = driver({ stateFile });
        yield* startAgent("node-1", second.driver);
        yield* redeliver;
        yield* drained("node-1", prefix);
        expect(second.boots()).toBe(0);
        expect((yield* second.driver.list).map((i) => i.serverId)).toEqual([vm]);
        expect(yield* count(cp, vm, "ServerSpawned")).toBe(1);
      })));

  it("reconciles after a restart: destroys what was deleted or unknown, carries out what it missed, boots what a crash interrupted", () =>
    withCloud(({ cp, prefix, dir, driver, startAgent }) =>
      Effect.gen(function* () {
        const stateFile = join(dir, "node-1.json");
        const life = yield* Scope.make();
        yield* startAgent("node-1", driver({ stateFile }).driver, life);
        const deleted = yield* build(cp);
        const stopped = yield* build(cp);
        yield* reached(cp, deleted, "ServerSpawned");
        yield* reached(cp, stopped, "ServerSpawned");
        yield* Scope.close(life, Exit.void);

        // While the agent is down: a delete, a stop, and a new build it must boot.
        yield* act(cp, deleted, "DeleteServer");
        yield* act(cp, stopped, "StopServer");
        const missed = yield* build(cp);
        yield* reached(cp, missed, "ServerScheduled");
        // An instance the control plane never heard of, as after a lost deletion.
        const orphan = randomUUID();
        yield* makeFakeDriver({ stateFile }).create({ serverId: orphan, name: "orphan", vcpus: 1, ramMb: 64, diskGb: 1, imageId: "img", keyPublicKey: "" });

        const restarted = driver({ stateFile });
        const agent = yield* startAgent("node-1", restarted.driver);
        expect(agent.reconciliation.destroyed).toEqual([orphan]);
        expect([...agent.reconciliation.carriedOut].sort()).toEqual([deleted, stopped, missed].sort());
        // JetStream delivers the same three instructions afterwards: nothing is done or recorded twice.
        yield* drained("node-1", prefix);
        expect(yield* count(cp, deleted, "ServerDeleted")).toBe(1);
        expect(yield* count(cp, stopped, "ServerStopped")).toBe(1);
        expect(yield* count(cp, missed, "ServerSpawned")).toBe(1);
        expect(restarted.boots()).toBe(1);
        const running = new Map((yield* restarted.driver.list).map((i) => [i.serverId, i.powerState]));
        expect(running).toEqual(new Map([[stopped, "shutoff"], [missed, "running"]]));
      })));

  it("boots a server exactly once when the agent dies mid-boot and comes back", () =>
    withCloud(({ cp, dir, driver, startAgent }) =>
      Effect.gen(function* () {
        const stateFile = join(dir, "node-1.json");
        const life = yield* Scope.make();
        const slow = driver({ stateFile, bootDelayMs: 60_000 });
        yield* startAgent("node-1", slow.driver, life, 0);
        const vm = yield* build(cp);
        yield* waitUntil(Effect.sync(() => slow.boots() === 1), "the boot has started");
        // Interrupted mid-boot and never acknowledged: as a kill -9 leaves it.
        yield* Scope.close(life, Exit.void);

        const back = driver({ stateFile });
        const agent = yield* startAgent("node-1", back.driver);
        expect(agent.reconciliation.carriedOut).toEqual([vm]);
        yield* reached(cp, vm, "ServerSpawned");
        expect(back.boots()).toBe(1);
        expect(yield* count(cp, vm, "ServerSpawned")).toBe(1);
        expect((yield* back.driver.list).map((i) => i.serverId)).toEqual([vm]);
      })));

  it("runs many hosts in one process, and the scheduler stops choosing a host whose agent is silent", () =>
    withCloud(({ cp, driver, startAgent, monitor }) =>
      Effect.gen(function* () {
        const agents = yield* Effect.forEach(["node-1", "node-2", "node-3"], (host) => startAgent(host, driver({ capacity: { ramMb: 8_192 } }).driver));
        expect(new Set(agents.map((agent) => agent.providerId)).size).toBe(3);
        // A host with far more free RAM, registered but never heartbeating: down once the monitor's grace ends.
        const silent = hostProviderId("silent");
        yield* cp.accept("placement", { type: "CreateResourceProvider", data: { providerId: silent, name: "silent", host: "silent", availabilityZone: "nova", traits: [] } });
        const inventory = (resourceClass: string, total: number) => ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio: 1 });
        yield* cp.accept("placement", { type: "SetInventory", data: { providerId: silent, inventories: [inventory("VCPU", 64), inventory("MEMORY_MB", 1_000_000), inventory("DISK_GB", 1_000)] } });
        yield* waitUntil(Effect.sync(() => monitor?.isUp("silent") === false), "the silent host is down");
        expect(agents.every((agent) => monitor?.isUp(agent.host) === true)).toBe(true);

        const vms = yield* Effect.forEach(Array.from({ length: 6 }), () => build(cp));
        yield* Effect.forEach(vms, (vm) => reached(cp, vm, "ServerSpawned"), { discard: true });
        const hosts = yield* Effect.forEach(vms, (vm) =>
          Effect.map(cp.serverEvents(vm), (events) => events.flatMap((event) => (event.type === "ServerScheduled" ? [event.data.host] : []))[0]));
        expect(hosts).not.toContain("silent");
        // Spread by free RAM over the three live hosts.
        expect(new Set(hosts)).toEqual(new Set(["node-1", "node-2", "node-3"]));
      }), { downAfterMs: 300 }));

  it("refuses a host name that is not a NATS subject token", () =>
    withCloud(({ driver, startAgent }) =>
      Effect.gen(function* () {
        const refused = yield* Effect.flip(startAgent("node.1", driver().driver));
        expect(refused).toMatchObject({ _tag: "InvalidHostName", host: "node.1" });
        expect(String((refused as { message: string }).message)).toContain("letters, digits, '-' or '_'");
      })));
});
