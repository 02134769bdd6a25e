import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Effect, Layer } from "effect";
import { describe, expect, inject, it } from "vitest";
import { identityStream } from "@weft/domain/identity";
import { eventMetadataCodec } from "@weft/proto";
import { CommandBus, Nats, natsCommandBusLayer } from "../bus/index.ts";
import { identityModule } from "../contexts/identity.ts";
import { EventStore } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { bootstrapCommand, createProjectCommand, identityEnvelope, tempDir } from "../testing/index.ts";
import { makeCommandHandler } from "./commandHandler.ts";

const withRuntime = async <A>(replicas: number, body: Effect.Effect<A, unknown, CommandBus | EventStore>) => {
  await using dir = await tempDir();
  const layer = Layer.mergeAll(
    natsCommandBusLayer({ subjectPrefix: `t${randomUUID().slice(0, 8)}` }).pipe(Layer.provide(Nats.layer(inject("natsUrl")))),
    sqliteEventStoreLayer(join(dir.path, "events.sqlite")),
  );
  // Each test has its own subject prefix so concurrent files never serve each other's commands.
  return Effect.runPromise(
    Effect.gen(function* () {
      const bus = yield* CommandBus;
      for (let replica = 0; replica < replicas; replica++) {
        yield* bus.serve(identityModule.context, yield* makeCommandHandler(identityModule));
      }
      return yield* body;
    }).pipe(Effect.scoped, Effect.provide(layer)),
  );
};

const send = (command: Parameters<typeof identityEnvelope>[0], commandId?: string) =>
  CommandBus.use((bus) => bus.send("identity", identityEnvelope(command, commandId)));

describe("command handler runtime", () => {
  it("applies a re-sent command id once and answers it with the first outcome", () =>
    withRuntime(1, Effect.gen(function* () {
      yield* send(bootstrapCommand());
      const first = yield* send(createProjectCommand("alpha"), "cmd-alpha");
      const again = yield* send(createProjectCommand("alpha"), "cmd-alpha");
      expect(first.outcome).toBe("accepted");
      expect(again).toEqual(first.outcome === "accepted" ? { ...first, accepted: { ...first.accepted, duplicate: true } } : undefined);
      const events = yield* (yield* EventStore).read(identityStream);
      const alphas = events.filter((event) => event.type === "ProjectCreated" && (identityModule.events.decode(event.type, event.data).data as { name: string }).name === "alpha");
      expect(alphas).toHaveLength(1);
    })));

  it("recognises a re-sent command after the aggregate was reloaded from the store", () =>
    withRuntime(1, Effect.gen(function* () {
      yield* send(bootstrapCommand());
      const first = yield* send(createProjectCommand("beta"), "cmd-beta");
      // A second handler instance has an empty cache: it must find the id in event metadata.
      const fresh = yield* makeCommandHandler(identityModule);
      const again = yield* fresh(identityEnvelope(createProjectCommand("beta"), "cmd-beta"));
      expect(again.outcome === "accepted" && again.accepted.duplicate).toBe(true);
      expect(again.outcome === "accepted" && first.outcome === "accepted" && again.accepted.position === first.accepted.position).toBe(true);
    })));

  it("writes the command's id, request id, actor, time and type into each event's metadata", () =>
    withRuntime(1, Effect.gen(function* () {
      yield* send(bootstrapCommand());
      const envelope = identityEnvelope(createProjectCommand("delta"), "cmd-delta");
      yield* CommandBus.use((bus) => bus.send("identity", envelope));
      const [event] = (yield* (yield* EventStore).read(identityStream)).filter((recorded) => eventMetadataCodec.decode(recorded.metadata).commandId === "cmd-delta");
      expect(eventMetadataCodec.decode(event!.metadata)).toEqual({
        commandId: "cmd-delta",
        requestId: envelope.requestId,
        correlationId: envelope.correlationId || "cmd-delta",
        causationId: envelope.causationId || "cmd-delta",
        actor: envelope.actor,
        occurredAt: envelope.issuedAt,
        commandType: "CreateProject",
      });
    })));

  it("returns a rejection and appends nothing", () =>
    withRuntime(1, Effect.gen(function* () {
      yield* send(bootstrapCommand());
      yield* send(createProjectCommand("gamma"));
      const store = yield* EventStore;
      const before = yield* store.head;
      const reply = yield* send(createProjectCommand("gamma"));
      expect(reply).toMatchObject({ outcome: "rejected", rejected: { tag: "ProjectNameTaken" } });
      expect(yield* store.head).toBe(before);
    })));

  it("answers an unknown command type with a failure, not a crash", () =>
    withRuntime(1, Effect.gen(function* () {
      const bus = yield* CommandBus;
      const reply = yield* bus.send("identity", { ...identityEnvelope(createProjectCommand("x")), type: "ProjectCreated" });
      expect(reply).toMatchObject({ outcome: "failed", failed: { code: "UnknownCommand" } });
    })));

  it("reflects every one of 200 concurrent commands on one aggregate across 3 replicas", () =>
    withRuntime(3, Effect.gen(function* () {
      yield* send(bootstrapCommand());
      const names = Array.from({ length: 200 }, (_, index) => `project-${index}`);
      const replies = yield* Effect.forEach(names, (name) => send(createProjectCommand(name)), { concurrency: "unbounded" });
      expect(replies.filter((reply) => reply.outcome === "accepted")).toHaveLength(200);
      const events = yield* (yield* EventStore).read(identityStream);
      expect(events.map((event) => event.revision)).toEqual(events.map((_, index) => index));
      const created = events.filter((event) => event.type === "ProjectCreated").map((event) => identityModule.events.decode(event.type, event.data));
      expect(new Set(created.map((event) => (event.data as { name: string }).name))).toEqual(new Set(["admin", ...names]));
    })), 60_000);
});

describe("command handler group commit", () => {
  const withStore = async <A>(body: Effect.Effect<A, unknown, EventStore>) => {
    await using dir = await tempDir();
    return Effect.runPromise(body.pipe(Effect.provide(sqliteEventStoreLayer(join(dir.path, "events.sqlite")))));
  };

  it("decides commands queued together in order, in one append, each with its own exact outcome", () =>
    withStore(Effect.gen(function* () {
      const handle = yield* makeCommandHandler(identityModule);
      yield* handle(identityEnvelope(bootstrapCommand()));
      const store = yield* EventStore;
      const before = yield* store.head;
      // Started together, they queue behind the first, which takes them all as one batch.
      const [first, again, taken, second] = yield* Effect.all([
        handle(identityEnvelope(createProjectCommand("delta"), "cmd-delta")),
        handle(identityEnvelope(createProjectCommand("delta"), "cmd-delta")),
        handle(identityEnvelope(createProjectCommand("delta"))),
        handle(identityEnvelope(createProjectCommand("epsilon"))),
      ], { concurrency: "unbounded" });
      expect(again).toEqual(first!.outcome === "accepted" ? { ...first, accepted: { ...first!.accepted, duplicate: true } } : undefined);
      expect(taken).toMatchObject({ outcome: "rejected", rejected: { tag: "ProjectNameTaken" } });
      const events = yield* store.read(identityStream);
      const [delta, epsilon] = events.slice(-2);
      expect(first).toMatchObject({ outcome: "accepted", accepted: { revision: delta!.revision, position: delta!.position, eventCount: 1 } });
      expect(second).toMatchObject({ outcome: "accepted", accepted: { revision: epsilon!.revision, position: epsilon!.position, eventCount: 1 } });
      expect(delta!.position).toBeGreaterThan(before);
    })));

  it("lets a defect fail only the command that caused it", () =>
    withStore(Effect.gen(function* () {
      const decide: typeof identityModule.decider.decide = (command, state) => {
        if (command.type === "CreateProject" && command.data.name === "boom") throw new Error("decider bug");
        return identityModule.decider.decide(command, state);
      };
      const handle = yield* makeCommandHandler({ ...identityModule, decider: { ...identityModule.decider, decide } });
      yield* handle(identityEnvelope(bootstrapCommand()));
      const [before, boom, after] = yield* Effect.all([
        Effect.exit(handle(identityEnvelope(createProjectCommand("zeta")))),
        Effect.exit(handle(identityEnvelope(createProjectCommand("boom")))),
        Effect.exit(handle(identityEnvelope(createProjectCommand("eta")))),
      ], { concurrency: "unbounded" });
      expect(before).toMatchObject({ _tag: "Success", value: { outcome: "accepted" } });
      expect(boom!._tag).toBe("Failure");
      expect(after).toMatchObject({ _tag: "Success", value: { outcome: "accepted" } });
    })));
});
