/**
 * The public events relay against a real control plane (nats-server with JetStream, sqlite, the
 * compute and placement handlers): every event is published in order as its CloudEvent on
 * `<prefix>.events.<context>.<EventType>`; a relay stopped mid-stream and restarted with its
 * checkpoint lost, or two relays at once, leave each event in the stream exactly once, in order.
 */
import { randomUUID } from "node:crypto";
import { Effect, Exit, Fiber, Scope } from "effect";
import { describe, expect, inject, it } from "vitest";
import type { ServerCommand } from "@weft/domain/compute";
import type { PlacementCommand } from "@weft/domain/placement";
import { EventStore } from "../eventStore/EventStore.ts";
import { memoryCheckpointStore, type CheckpointStore } from "../runtime/checkpoints.ts";
import { storedMessages, waitUntil, withControlPlane, type ControlPlane } from "../testing/index.ts";
import { runEventRelay, type RunningEventRelay } from "./eventRelay.ts";
import { eventPositionHeader, eventsStreamName } from "./subjects.ts";

interface Published {
  readonly subject: string;
  readonly msgId: string;
  readonly position: number;
  readonly event: Record<string, any>;
}

/** Every message in the control plane's events stream, oldest first. */
const published = (prefix: string) =>
  Effect.map(storedMessages(eventsStreamName(prefix)), (stored) =>
    stored.map((message): Published => ({
      subject: message.subject, msgId: message.header.get("Nats-Msg-Id"), position: Number(message.header.get(eventPositionHeader)), event: message.json(),
    })));

const requestBuild = (cp: ControlPlane, projectId = randomUUID().replaceAll("-", "")) =>
  cp.accept("compute", {
    type: "RequestServerBuild",
    data: {
      serverId: randomUUID(), projectId, userId: "u1", name: "vm",
      flavor: { flavorId: "f1", name: "m1.small", vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
      image: { imageId: "img-1", name: "cirros", minDiskGb: 0, minRamMb: 0 },
      keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
    },
  } satisfies ServerCommand);

/** A relay in a scope of its own, so a spec can stop it as a crash or a deploy would. */
const startRelay = (cp: ControlPlane, prefix: string, checkpoints: CheckpointStore) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make();
    // Closed before the control plane's store, if the spec has not stopped it itself.
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void));
    const relay = yield* cp.provide(runEventRelay({ checkpoints, subjectPrefix: prefix, checkpointEveryMs: 20 })).pipe(Scope.provide(scope));
    return { relay, stop: Scope.close(scope, Exit.void) };
  });

const idle = (cp: ControlPlane, relay: RunningEventRelay) => waitUntil(Effect.map(cp.head, (head) => relay.position() === head), "the relay is idle");

/** A checkpoint store that forgets: a relay restarted from it starts from nothing. */
const forgetful = (): CheckpointStore => ({ load: () => Effect.succeed(0), save: () => Effect.void });

/** The stream holds every event of the store exactly once, in position order. */
const expectEveryEventOnce = (cp: ControlPlane, prefix: string) =>
  Effect.gen(function* () {
    const head = yield* cp.head;
    const messages = yield* published(prefix);
    expect(messages.map((message) => message.position)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(new Set(messages.map((message) => message.msgId)).size).toBe(head);
  });

describe("the public events relay", () => {
  it("publishes every event in order as its CloudEvent, on its context's subject, under its event id", async () => {
    await withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const projectId = randomUUID().replaceAll("-", "");
        yield* requestBuild(cp, projectId);
        yield* cp.accept("placement", { type: "CreateResourceProvider", data: { providerId: randomUUID(), name: "h1", host: "h1", availabilityZone: "nova", traits: [] } } satisfies PlacementCommand);
        const { relay } = yield* startRelay(cp, prefix, memoryCheckpointStore());
        yield* requestBuild(cp, projectId);
        yield* idle(cp, relay);

        const recorded = yield* cp.provide(EventStore.use((store) => store.readAll(0, 100)));
        const messages = yield* published(prefix);
        expect(messages.map((m) => [m.subject, m.msgId, m.position])).toEqual(
          recorded.map((event) => [`${prefix}.events.${event.type === "ResourceProviderCreated" ? "placement" : "compute"}.${event.type}`, event.id, event.position]),
        );
        expect(messages.map((m) => m.event.type)).toEqual(["weft.compute.ServerBuildRequested", "weft.placement.ResourceProviderCreated", "weft.compute.ServerBuildRequested"]);
        expect(messages[0]!.event).toMatchObject({ specversion: "1.0", id: recorded[0]!.id, weftposition: 1, weftproject: projectId, source: "/weft/compute" });
        expect(messages[1]!.event).not.toHaveProperty("weftproject");
        expect(relay.published()).toBe(3);
      }),
    );
  });

  it("stopped mid-stream and restarted with its checkpoint lost, publishes each event once, in order", async () => {
    await withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        for (let i = 0; i < 20; i++) yield* requestBuild(cp);
        const writer = yield* Effect.forkChild(Effect.forEach(Array.from({ length: 60 }), () => requestBuild(cp), { discard: true }));
        const first = yield* startRelay(cp, prefix, memoryCheckpointStore());
        yield* waitUntil(Effect.sync(() => first.relay.position() >= 30), "the first relay is under way");
        yield* first.stop;
        yield* Fiber.join(writer);
        const before = (yield* published(prefix)).length;

        const second = yield* startRelay(cp, prefix, forgetful());
        yield* idle(cp, second.relay);
        yield* expectEveryEventOnce(cp, prefix);
        // It resumed after the last position the stream held, not from its lost checkpoint.
        expect(second.relay.published()).toBe((yield* cp.head) - before);
      }),
    );
  });

  it("run twice at once (a rolling restart), still leaves each event in the stream once, in order", async () => {
    await withControlPlane(inject("natsUrl"), (cp, prefix) =>
      Effect.gen(function* () {
        const one = yield* startRelay(cp, prefix, memoryCheckpointStore());
        const two = yield* startRelay(cp, prefix, memoryCheckpointStore());
        yield* Effect.forEach(Array.from({ length: 40 }), () => requestBuild(cp), { concurrency: 4, discard: true });
        yield* idle(cp, one.relay);
        yield* idle(cp, two.relay);
        yield* expectEveryEventOnce(cp, prefix);
        // Both published everything; JetStream's duplicate window kept one copy of each.
        expect(one.relay.published() + two.relay.published()).toBe(2 * (yield* cp.head));
      }),
    );
  });
});
