/**
 * The NATS command bus against the run's real nats-server: the shared contract, plus what only
 * this adapter can get wrong (garbage on the wire, the subject and queue names it publishes).
 */
import { commandReplyCodec, commandEnvelopeCodec } from "@weft/proto";
import { Context, Effect, Layer } from "effect";
import { describe, expect, inject, it } from "vitest";
import { CommandBus } from "./CommandBus.ts";
import { commandBusContract, envelopeFor } from "./commandBus.contract.ts";
import { Nats } from "./Nats.ts";
import { natsCommandBusLayer } from "./natsCommandBus.ts";

const natsUrl = inject("natsUrl");

// One connection per participant, as separate processes would have.
const natsBus = Layer.build(natsCommandBusLayer().pipe(Layer.provideMerge(Nats.layer(natsUrl))));

commandBusContract("nats", Effect.map(natsBus, (context) => Context.get(context, CommandBus)));

describe("NATS command bus", () => {
  it("answers bytes that are not an envelope with a BadEnvelope failure", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const context = yield* natsBus;
      const bus = Context.get(context, CommandBus);
      const { connection } = Context.get(context, Nats);
      yield* bus.serve("badenvelope", () => Effect.die("never reached"));
      const msg = yield* Effect.promise(() =>
        connection.request("weft.cmd.badenvelope.Anything", new Uint8Array([0xff, 0xff, 0xff]), { timeout: 2_000 }));
      expect(commandReplyCodec.decode(msg.data)).toMatchObject({ outcome: "failed", failed: { code: "BadEnvelope" } });
    }))));

  it("serves weft.cmd.<context>.<type> in the queue group weft-handlers-<context>", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const context = yield* natsBus;
      const bus = Context.get(context, CommandBus);
      const { connection } = Context.get(context, Nats);
      const seen: Array<string> = [];
      const spy = connection.subscribe("weft.cmd.naming.>", {
        queue: "weft-handlers-naming",
        callback: (_error, msg) => {
          seen.push(`${msg.subject} ${commandEnvelopeCodec.decode(msg.data).type}`);
          msg.respond(commandReplyCodec.encode({ outcome: "rejected", rejected: { tag: "Spy", message: "" } }));
        },
      });
      yield* Effect.addFinalizer(() => Effect.sync(() => spy.unsubscribe()));
      const reply = yield* bus.send("naming", envelopeFor("CreateThing"));
      expect(reply).toMatchObject({ outcome: "rejected", rejected: { tag: "Spy" } });
      expect(seen).toEqual(["weft.cmd.naming.CreateThing CreateThing"]);
    }))));
});
