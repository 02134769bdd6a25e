/**
 * The behaviour every `CommandBus` adapter owes its callers, as a suite that is a function of a
 * factory: each call of `makeBus` is one independent participant (a gateway, a handler replica),
 * so a test can put two replicas in one queue group. Each test uses its own context name, so
 * suites sharing one server never see each other's commands.
 */
import { randomUUID } from "node:crypto";
import type { CommandEnvelope, CommandReply } from "@weft/proto";
import { Deferred, Effect, Exit, Fiber, Scope } from "effect";
import { describe, expect, it } from "vitest";
import type { CommandBusShape } from "./CommandBus.ts";

export type MakeCommandBus = Effect.Effect<CommandBusShape, unknown, Scope.Scope>;

const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> => Effect.runPromise(Effect.scoped(effect));

const freshContext = () => `contract${randomUUID().replaceAll("-", "").slice(0, 12)}`;

export const envelopeFor = (type: string, commandId: string = randomUUID()): CommandEnvelope => ({
  commandId,
  requestId: `req-${randomUUID()}`,
  actor: {
    userId: "u-1",
    userName: "alice",
    projectId: "p-1",
    domainId: "default",
    roles: ["member", "reader"],
    systemScope: false,
  },
  issuedAt: "2025-01-02T03:04:05.678Z",
  type,
  payload: new Uint8Array([0, 1, 2, 127, 128, 255, 0]),
  correlationId: `corr-${randomUUID()}`,
  causationId: `cause-${randomUUID()}`,
});

const accepted = (stream: string): CommandReply => ({
  outcome: "accepted",
  accepted: { stream, revision: 7, position: 42, duplicate: false, eventCount: 2 },
});

const plain = (envelope: CommandEnvelope) => ({ ...envelope, payload: Array.from(envelope.payload) });

export const commandBusContract = (adapter: string, makeBus: MakeCommandBus) =>
  describe(`CommandBus contract: ${adapter}`, () => {
    it("delivers every envelope field to the handler and brings the reply back", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        const received: Array<CommandEnvelope> = [];
        yield* server.serve(context, (envelope) => Effect.sync(() => {
          received.push(envelope);
          return accepted(`thing-${envelope.commandId}`);
        }));
        const sent = envelopeFor("CreateThing");
        const reply = yield* client.send(context, sent);
        expect(reply).toEqual(accepted(`thing-${sent.commandId}`));
        expect(received.map(plain)).toEqual([plain(sent)]);
      })));

    it("round-trips rejected and failed replies", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        yield* server.serve(context, (envelope) => Effect.succeed<CommandReply>(
          envelope.type === "Reject"
            ? { outcome: "rejected", rejected: { tag: "ThingLocked", message: "thing is locked" } }
            : { outcome: "failed", failed: { code: "ConflictRetriesExhausted", message: "gave up" } },
        ));
        expect(yield* client.send(context, envelopeFor("Reject")))
          .toEqual({ outcome: "rejected", rejected: { tag: "ThingLocked", message: "thing is locked" } });
        expect(yield* client.send(context, envelopeFor("Fail")))
          .toEqual({ outcome: "failed", failed: { code: "ConflictRetriesExhausted", message: "gave up" } });
      })));

    it("hands each command to exactly one of two replicas in the queue group", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [replicaA, replicaB, client] = [yield* makeBus, yield* makeBus, yield* makeBus];
        const handledBy = new Map<string, Array<string>>();
        const serveAs = (replica: CommandBusShape, name: string) =>
          replica.serve(context, (envelope) => Effect.sync(() => {
            handledBy.set(envelope.commandId, [...(handledBy.get(envelope.commandId) ?? []), name]);
            return accepted(name);
          }));
        yield* serveAs(replicaA, "a");
        yield* serveAs(replicaB, "b");
        const ids = Array.from({ length: 200 }, () => randomUUID());
        const replies = yield* Effect.forEach(ids, (id) => client.send(context, envelopeFor("CountMe", id)), {
          concurrency: 16,
        });
        expect([...handledBy.keys()].sort()).toEqual([...ids].sort());
        expect([...handledBy.values()].every((names) => names.length === 1)).toBe(true);
        const byA = replies.filter((reply) => reply.outcome === "accepted" && reply.accepted.stream === "a").length;
        expect(byA).toBeGreaterThan(0);
        expect(byA).toBeLessThan(200);
      })));

    it("fails with NoCommandHandler when nobody serves the context", () =>
      run(Effect.gen(function* () {
        const client = yield* makeBus;
        const error = yield* Effect.flip(client.send(freshContext(), envelopeFor("Nobody"), { timeoutMs: 2_000 }));
        expect(error._tag).toBe("NoCommandHandler");
      })));

    it("stops serving when the serve scope closes", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        yield* Effect.scoped(server.serve(context, () => Effect.succeed(accepted("once"))));
        const error = yield* Effect.flip(client.send(context, envelopeFor("Late"), { timeoutMs: 2_000 }));
        expect(error._tag).toBe("NoCommandHandler");
      })));

    it("fails with CommandTimeout when the handler is slower than the timeout", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        yield* server.serve(context, () => Effect.as(Effect.sleep(400), accepted("late")));
        const error = yield* Effect.flip(client.send(context, envelopeFor("Slow"), { timeoutMs: 100 }));
        expect(error).toMatchObject({ _tag: "CommandTimeout", timeoutMs: 100 });
      })));

    it("answers a handler that dies or throws with a failed reply, and keeps serving", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        yield* server.serve(context, (envelope) => {
          if (envelope.type === "Throw") throw new Error("thrown instead of returned");
          return envelope.type === "Die" ? Effect.die(new Error("boom")) : Effect.succeed(accepted("fine"));
        });
        expect((yield* client.send(context, envelopeFor("Die"))).outcome).toBe("failed");
        expect((yield* client.send(context, envelopeFor("Throw"))).outcome).toBe("failed");
        expect(yield* client.send(context, envelopeFor("Fine"))).toEqual(accepted("fine"));
      })));

    it("lets a running handler reply before the serve scope finishes closing", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        const served = yield* Scope.make();
        const started = yield* Deferred.make<void>();
        let finished = false;
        yield* server.serve(context, () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.andThen(Effect.sleep(200)),
            Effect.andThen(Effect.sync(() => {
              finished = true;
              return accepted("finished");
            })),
          )).pipe(Scope.provide(served));
        const sending = yield* Effect.forkChild(client.send(context, envelopeFor("Finish"), { timeoutMs: 2_000 }));
        yield* Deferred.await(started);
        yield* Scope.close(served, Exit.void);
        expect(finished).toBe(true);
        expect(yield* Fiber.join(sending)).toEqual(accepted("finished"));
      })));

    it("does not make a command wait for the previous command's handler", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        const secondArrived = yield* Deferred.make<void>();
        yield* server.serve(context, (envelope) =>
          envelope.type === "First"
            ? Effect.as(Deferred.await(secondArrived), accepted("first"))
            : Effect.as(Deferred.succeed(secondArrived, undefined), accepted("second")));
        const replies = yield* Effect.all([
          client.send(context, envelopeFor("First"), { timeoutMs: 2_000 }),
          Effect.andThen(Effect.sleep(20), client.send(context, envelopeFor("Second"), { timeoutMs: 2_000 })),
        ], { concurrency: "unbounded" });
        expect(replies).toEqual([accepted("first"), accepted("second")]);
      })));

    it("gives each of 64 concurrent senders its own reply", () =>
      run(Effect.gen(function* () {
        const context = freshContext();
        const [server, client] = [yield* makeBus, yield* makeBus];
        // Replies leave in a different order from the requests, so a mix-up would show.
        yield* server.serve(context, (envelope) =>
          Effect.as(Effect.sleep(envelope.commandId.charCodeAt(0) % 7), accepted(envelope.commandId)));
        const ids = Array.from({ length: 64 }, () => randomUUID());
        const replies = yield* Effect.forEach(ids, (id) => client.send(context, envelopeFor("Echo", id)), {
          concurrency: "unbounded",
        });
        expect(replies).toEqual(ids.map(accepted));
      })));
  });
