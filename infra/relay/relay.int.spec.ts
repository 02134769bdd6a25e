/**
 * The relay against a real control plane (nats-server, sqlite, the compute and placement
 * handlers) with no scheduler or agent: the spec sends the commands they would, then reads the
 * host stream itself and asserts on each message: its subject, its id, the instruction it carries.
 */
import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { Effect, Exit, Scope } from "effect";
import { describe, expect, inject, it } from "vitest";
import type { FlavorSnapshot, ServerCommand } from "@weft/domain/compute";
import { serverStream } from "@weft/domain/compute";
import { Nats } from "../bus/Nats.ts";
import { EventStore } from "../eventStore/EventStore.ts";
import { requestDesiredState } from "../host/desiredState.ts";
import { hostInstructionCodec, type HostInstruction } from "../host/messages.ts";
import { hostStreamName } from "../host/names.ts";
import { memoryCheckpointStore, type CheckpointStore } from "../runtime/checkpoints.ts";
import { storedMessages, waitUntil, withControlPlane, type ControlPlane } from "../testing/index.ts";
import { runRelay, type RunningRelay } from "./relay.ts";

interface Relayed {
  readonly subject: string;
  readonly msgId: string;
  readonly instruction: HostInstruction;
}

/** Every message in the control plane's host stream, oldest first. */
const relayed = (prefix: string) =>
  Effect.map(storedMessages(hostStreamName(prefix)), (stored) =>
    stored.map((message): Relayed => ({ subject: message.subject, msgId: message.header.get("Nats-Msg-Id"), instruction: hostInstructionCodec.decode(message.data) })));

const flavor: FlavorSnapshot = { flavorId: "f1", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 0, ephemeralGb: 5, swapMb: 512, extraSpecs: {} };

const build = (cp: ControlPlane, name = "vm") =>
  Effect.gen(function* () {
    const serverId = randomUUID();
    yield* cp.accept("compute", {
      type: "RequestServerBuild",
      data: {
        serverId, projectId: randomUUID().replaceAll("-", ""), userId: "u1", name, flavor,
        image: { imageId: "img-1", name: "cirros", minDiskGb: 3, minRamMb: 0 },
        keyName: "k", keyPublicKey: "ssh-ed25519 AAAAkey", serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
      },
    } satisfies ServerCommand);
    return serverId;
  });

const server = (cp: ControlPlane, serverId: string, ...commands: ReadonlyArray<ServerCommand["type"]>) =>
  Effect.forEach(commands, (type) => cp.accept("compute", { type, data: { serverId, hard: type === "RebootServer" } } as ServerCommand), { discard: true });

const schedule = (cp: ControlPlane, serverId: string, host: string) =>
  cp.accept("compute", { type: "ScheduleServer", data: { serverId, host, providerId: randomUUID(), availabilityZone: "nova" } } satisfies ServerCommand);

const startRelay = (cp: ControlPlane, prefix: string, checkpoints: CheckpointStore = memoryCheckpointStore()) =>
  cp.provide(runRelay({ checkpoints, subjectPrefix: prefix, checkpointEveryMs: 50 }));

const idle = (cp: ControlPlane, relay: RunningRelay) =>
  waitUntil(Effect.map(cp.head, (head) => relay.position() === head), "the relay is idle");

const eventIds = (cp: ControlPlane, serverId: string) =>
  cp.provide(Effect.map(EventStore.use((store) => store.read(serverStream(serverId))), (events) => new Map(events.map((event) => [event.type, event.id]))));

describe("the relay", () => {
  it("publishes each host-addressed event once, as the instruction it means, a spawn with the build's spec", () =>
    withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const relay = yield* startRelay(cp, prefix);
        const vm = yield* build(cp, "web-1");
        yield* schedule(cp, vm, "h1");
        yield* server(cp, vm, "ReportServerSpawned", "StopServer", "ReportServerStopped", "StartServer", "ReportServerStarted", "RebootServer", "ReportServerRebooted", "DeleteServer", "ReportServerDestroyed");
        // Deleted before it had a host: nothing ever ran anywhere.
        const unplaced = yield* build(cp);
        yield* server(cp, unplaced, "DeleteServer");
        const elsewhere = yield* build(cp);
        yield* schedule(cp, elsewhere, "h2");
        // Not a NATS subject token: never relayed.
        const misnamed = yield* build(cp);
        yield* schedule(cp, misnamed, "bad.host");
        yield* idle(cp, relay);

        const messages = yield* relayed(prefix);
        const ids = yield* eventIds(cp, vm);
        const onH1 = messages.filter((m) => m.subject.startsWith(`${prefix}.host.h1.`));
        const types = ["ServerScheduled", "ServerStopRequested", "ServerStartRequested", "ServerRebootRequested", "ServerDeletionRequested"];
        expect(onH1.map((m) => m.subject)).toEqual(types.map((type) => `${prefix}.host.h1.${type}`));
        expect(onH1.map((m) => m.msgId)).toEqual(types.map((type) => ids.get(type)));
        expect(onH1.map((m) => m.instruction.eventId)).toEqual(types.map((type) => ids.get(type)));
        expect(onH1.every((m) => m.instruction.serverId === vm)).toBe(true);
        expect(onH1.map((m) => m.instruction.action)).toEqual(["spawn", "stop", "start", "reboot", "destroy"]);
        expect(onH1[0]!.instruction).toMatchObject({
          action: "spawn",
          // No root disk in the flavor: the image's min_disk, as Nova boots it.
          spawn: { name: "web-1", vcpus: 2, ramMb: 2048, diskGb: 3, ephemeralGb: 5, swapMb: 512, imageId: "img-1", keyPublicKey: "ssh-ed25519 AAAAkey", flavorId: "f1" },
        });
        expect(onH1[3]!.instruction).toMatchObject({ action: "reboot", reboot: { hard: true } });

        expect(messages.filter((m) => m.instruction.serverId === elsewhere).map((m) => m.subject)).toEqual([`${prefix}.host.h2.ServerScheduled`]);
        expect(messages.filter((m) => m.instruction.serverId === unplaced || m.instruction.serverId === misnamed)).toEqual([]);
        expect(messages).toHaveLength(6);
        expect(relay.published()).toBe(6);
      })));

  it("publishes a backlog several events at a time, each server's in log order", () =>
    withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const vms = yield* Effect.forEach(Array.from({ length: 24 }), (_, i) => build(cp, `vm-${i}`), { concurrency: 8 });
        yield* Effect.forEach(vms, (vm, i) => Effect.andThen(schedule(cp, vm, `h${i % 3}`), server(cp, vm, "ReportServerSpawned", "StopServer", "ReportServerStopped", "DeleteServer")), { concurrency: 8, discard: true });
        const relay = yield* startRelay(cp, prefix);
        yield* idle(cp, relay);

        const messages = yield* relayed(prefix);
        expect(messages).toHaveLength(vms.length * 3);
        for (const [i, vm] of vms.entries()) {
          const own = messages.filter((m) => m.instruction.serverId === vm);
          expect(own.map((m) => m.subject)).toEqual(["ServerScheduled", "ServerStopRequested", "ServerDeletionRequested"].map((type) => `${prefix}.host.h${i % 3}.${type}`));
        }
      })));

  it("after a restart with its checkpoint lost, publishes nothing twice and goes on with new events", () =>
    withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const vms = yield* Effect.forEach(["a", "b", "c"], (name) => build(cp, name));
        const first = yield* Scope.make();
        const relay = yield* startRelay(cp, prefix).pipe(Scope.provide(first));
        yield* Effect.forEach(vms.slice(0, 2), (vm) => schedule(cp, vm, "h1"), { discard: true });
        yield* idle(cp, relay);
        // Sent once everything before it was published: its message says so.
        yield* schedule(cp, vms[2]!, "h1");
        yield* idle(cp, relay);
        yield* Scope.close(first, Exit.void);
        expect(yield* relayed(prefix)).toHaveLength(3);

        yield* server(cp, vms[0]!, "ReportServerSpawned", "StopServer");
        const second = yield* startRelay(cp, prefix, memoryCheckpointStore());
        yield* idle(cp, second);
        const messages = yield* relayed(prefix);
        expect(messages.map((m) => m.subject.split(".").at(-1))).toEqual(["ServerScheduled", "ServerScheduled", "ServerScheduled", "ServerStopRequested"]);
        // It resumed from where the stream's last message said everything was published: only
        // that message's event was offered again (and dropped), the first two spawns not even that.
        expect(second.published()).toBe(2);
      })));

  it("relies on a stream whose duplicate window drops a re-publish of the same event id", () =>
    withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const relay = yield* startRelay(cp, prefix);
        const vm = yield* build(cp);
        yield* schedule(cp, vm, "h1");
        yield* idle(cp, relay);
        const [message] = yield* relayed(prefix);
        const ack = yield* Nats.use(({ connection }) =>
          Effect.promise(() => jetstream(connection).publish(message!.subject, hostInstructionCodec.encode(message!.instruction), { msgID: message!.msgId })));
        expect(ack.duplicate).toBe(true);
        expect(yield* relayed(prefix)).toHaveLength(1);
      })));

  it("turns a build that timed out on its host into a destroy for that host", () =>
    withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const relay = yield* startRelay(cp, prefix);
        const vm = yield* build(cp);
        yield* schedule(cp, vm, "h1");
        yield* server(cp, vm, "TimeOutServerBuild");
        yield* idle(cp, relay);
        const messages = yield* relayed(prefix);
        expect(messages.map((m) => [m.subject, m.instruction.action])).toEqual([
          [`${prefix}.host.h1.ServerScheduled`, "spawn"],
          [`${prefix}.host.h1.ServerBuildTimedOut`, "destroy"],
        ]);
      })));

  it("answers a host's desired state from the log, before and after a restart", () =>
    withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const spawning = yield* build(cp, "spawning");
        const stopping = yield* build(cp);
        const stopped = yield* build(cp);
        const timedOut = yield* build(cp);
        const deleting = yield* build(cp);
        const elsewhere = yield* build(cp);
        for (const vm of [spawning, stopping, stopped, timedOut, deleting]) yield* schedule(cp, vm, "h1");
        yield* schedule(cp, elsewhere, "h2");
        yield* server(cp, stopping, "ReportServerSpawned", "StopServer");
        yield* server(cp, stopped, "ReportServerSpawned", "StopServer", "ReportServerStopped");
        yield* server(cp, timedOut, "TimeOutServerBuild");
        yield* server(cp, deleting, "ReportServerSpawned", "DeleteServer");

        const check = Effect.gen(function* () {
          const desired = yield* requestDesiredState("h1", { subjectPrefix: prefix });
          expect(desired.host).toBe("h1");
          expect(desired.position).toBe(yield* cp.head);
          const byId = new Map(desired.instances.map((instance) => [instance.serverId, instance]));
          expect([...byId.keys()].sort()).toEqual([spawning, stopping, stopped, deleting].sort());
          const ids = yield* eventIds(cp, spawning);
          expect(byId.get(spawning)).toMatchObject({
            power: "DESIRED_POWER_RUNNING",
            pending: { eventId: ids.get("ServerScheduled"), action: "spawn", spawn: { name: "spawning", vcpus: 2 } },
          });
          expect(byId.get(stopping)).toMatchObject({ power: "DESIRED_POWER_RUNNING", pending: { action: "stop", eventId: (yield* eventIds(cp, stopping)).get("ServerStopRequested") } });
          expect(byId.get(stopped)).toEqual({ serverId: stopped, power: "DESIRED_POWER_SHUTOFF", pending: null });
          expect(byId.get(deleting)).toMatchObject({ power: "DESIRED_POWER_UNSPECIFIED", pending: { action: "destroy" } });
        });
        const first = yield* Scope.make();
        yield* startRelay(cp, prefix).pipe(Scope.provide(first));
        yield* check;
        yield* Scope.close(first, Exit.void);
        yield* startRelay(cp, prefix);
        yield* check;
      })));
});
