import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Effect, Layer } from "effect";
import { describe, expect, inject, it } from "vitest";
import { quotaDecider, quotaStream, type QuotaCommand, type FlavorCommand } from "@weft/domain/compute";
import { systemActor, type CommandEnvelope } from "@weft/proto";
import { CommandBus, Nats, natsCommandBusLayer } from "../bus/index.ts";
import { computeCommandCodec, computeModules, quotaModule } from "../contexts/compute.ts";
import { EventStore } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { tempDir } from "../testing/index.ts";
import { makeContextHandler } from "./contextHandler.ts";

const envelope = (command: QuotaCommand | FlavorCommand): CommandEnvelope => ({
  commandId: randomUUID(),
  requestId: `req-${randomUUID()}`,
  actor: systemActor,
  issuedAt: new Date().toISOString(),
  type: command.type,
  payload: computeCommandCodec.encode(command),
  correlationId: "",
  causationId: "",
});

const flavor = (flavorId: string, name: string): FlavorCommand => ({
  type: "CreateFlavor",
  data: { flavorId, name, vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, isPublic: true, description: "" },
});

const withCompute = async <A>(replicas: number, body: Effect.Effect<A, unknown, CommandBus | EventStore>) => {
  await using dir = await tempDir();
  const layer = Layer.mergeAll(
    natsCommandBusLayer({ subjectPrefix: `t${randomUUID().slice(0, 8)}` }).pipe(Layer.provide(Nats.layer(inject("natsUrl")))),
    sqliteEventStoreLayer(join(dir.path, "events.sqlite")),
  );
  return Effect.runPromise(
    Effect.gen(function* () {
      const bus = yield* CommandBus;
      for (let replica = 0; replica < replicas; replica++) yield* bus.serve("compute", yield* makeContextHandler(computeModules));
      return yield* body;
    }).pipe(Effect.scoped, Effect.provide(layer)),
  );
};

const send = (command: QuotaCommand | FlavorCommand) => CommandBus.use((bus) => bus.send("compute", envelope(command)));

describe("compute context on the bus", () => {
  it("routes each command to its aggregate and maps rejections", () =>
    withCompute(1, Effect.gen(function* () {
      expect((yield* send(flavor("1", "m1.tiny"))).outcome).toBe("accepted");
      expect(yield* send(flavor("2", "m1.tiny"))).toMatchObject({ outcome: "rejected", rejected: { tag: "FlavorNameTaken" } });
      const bus = yield* CommandBus;
      const unknown = yield* bus.send("compute", { ...envelope(flavor("3", "x")), type: "CreateProject" });
      expect(unknown).toMatchObject({ outcome: "failed", failed: { code: "UnknownCommand" } });
    })));

  it("lets exactly 10 of 100 concurrent reservations through a quota of 10 instances, across 2 replicas", () =>
    withCompute(2, Effect.gen(function* () {
      const projectId = randomUUID().replaceAll("-", "");
      expect((yield* send({ type: "SetQuotaLimits", data: { projectId, instances: 10 } })).outcome).toBe("accepted");
      const replies = yield* Effect.forEach(
        Array.from({ length: 100 }, () => randomUUID()),
        (serverId) => send({ type: "ReserveServerResources", data: { projectId, serverId, instances: 1, cores: 1, ramMb: 512 } }),
        { concurrency: "unbounded" },
      );
      expect(replies.filter((reply) => reply.outcome === "accepted")).toHaveLength(10);
      expect(replies.filter((reply) => reply.outcome === "rejected" && reply.rejected.tag === "QuotaExceeded")).toHaveLength(90);

      const events = yield* (yield* EventStore).read(quotaStream(projectId));
      const state = events.map((event) => quotaModule.events.decode(event.type, event.data)).reduce(quotaDecider.evolve, quotaDecider.initialState());
      // One more must still be refused: usage is exactly at the limit.
      const eleventh = quotaDecider.decide({ type: "ReserveServerResources", data: { projectId, serverId: randomUUID(), instances: 1, cores: 1, ramMb: 512 } }, state);
      expect(eleventh).toMatchObject({ _tag: "QuotaExceeded" });
      expect(events.filter((event) => event.type === "ServerResourcesReserved")).toHaveLength(10);
    })), 60_000);
});
