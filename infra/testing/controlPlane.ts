/**
 * A control plane in one scope, for tests and benches of what talks to it over NATS only (host
 * agents, the relay): a sqlite store in a given dir, the compute and placement command handlers
 * on a bus of its own subject prefix, and helpers that send commands and read what the store
 * recorded. Process managers are started by the test through `provide`, so it chooses which run.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { jetstreamManager, type StoredMsg } from "@nats-io/jetstream";
import { Context, Effect, Layer, type Scope } from "effect";
import type { ServerEvent } from "@weft/domain/compute";
import { serverStream } from "@weft/domain/compute";
import type { PlacementEvent } from "@weft/domain/placement";
import { resourceProviderStream } from "@weft/domain/placement";
import type { Message } from "@weft/domain/shared";
import { systemActor, type CommandReply, type PayloadCodec } from "@weft/proto";
import { CommandBus } from "../bus/CommandBus.ts";
import { Nats } from "../bus/Nats.ts";
import { makeNatsCommandBus } from "../bus/natsCommandBus.ts";
import { computeCommandCodec, computeEventCodec, computeModules } from "../contexts/compute.ts";
import { placementCommandCodec, placementEventCodec, resourceProviderModule } from "../contexts/placement.ts";
import { EventStore } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { tempDir } from "./tempDir.ts";
import { makeContextHandler } from "../runtime/contextHandler.ts";

export interface ControlPlaneOptions {
  readonly dataDir: string;
  readonly subjectPrefix: string;
}

export type ControlPlaneContext = "compute" | "placement";

const commandCodecs: Readonly<Record<ControlPlaneContext, PayloadCodec<Message>>> = { compute: computeCommandCodec, placement: placementCommandCodec };

export interface ControlPlane {
  /** Runs an effect with this control plane's store and bus. */
  readonly provide: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, Exclude<R, EventStore | CommandBus>>;
  readonly send: (context: ControlPlaneContext, command: Message, commandId?: string) => Effect.Effect<CommandReply, unknown>;
  /** Sends and throws unless the command is accepted. */
  readonly accept: (context: ControlPlaneContext, command: Message) => Effect.Effect<void, unknown>;
  readonly serverEvents: (serverId: string) => Effect.Effect<ReadonlyArray<ServerEvent>, unknown>;
  readonly providerEvents: (providerId: string) => Effect.Effect<ReadonlyArray<PlacementEvent>, unknown>;
  readonly head: Effect.Effect<number, unknown>;
}

/** Starts the store and the handlers; they stop when the scope closes. */
export const startControlPlane = Effect.fnUntraced(function* (options: ControlPlaneOptions) {
  const { connection } = yield* Nats;
  const storeContext = yield* Layer.build(sqliteEventStoreLayer(join(options.dataDir, "events.sqlite")));
  const context = Context.add(storeContext, CommandBus, makeNatsCommandBus(connection, { subjectPrefix: options.subjectPrefix }));
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideContext(effect, context);

  yield* provide(Effect.gen(function* () {
    const bus = yield* CommandBus;
    yield* bus.serve("compute", yield* makeContextHandler(computeModules));
    yield* bus.serve("placement", yield* makeContextHandler([resourceProviderModule]));
  }));

  const send = (target: ControlPlaneContext, command: Message, commandId: string = randomUUID()) =>
    provide(CommandBus.use((bus) =>
      bus.send(target, {
        commandId, requestId: `req-${randomUUID()}`, actor: systemActor, issuedAt: new Date().toISOString(),
        type: command.type, payload: commandCodecs[target].encode(command), correlationId: "", causationId: "",
      })));
  const accept = (target: ControlPlaneContext, command: Message) =>
    Effect.flatMap(send(target, command), (reply) =>
      reply.outcome === "accepted" ? Effect.void : Effect.die(new Error(`${command.type} not accepted: ${JSON.stringify(reply)}`)));
  const eventsOf = <E>(stream: string, codec: PayloadCodec<Message>) =>
    provide(Effect.map(EventStore.use((store) => store.read(stream)), (recorded) => recorded.map((event) => codec.decode(event.type, event.data) as E)));

  return {
    provide,
    send,
    accept,
    serverEvents: (serverId) => eventsOf<ServerEvent>(serverStream(serverId), computeEventCodec),
    providerEvents: (providerId) => eventsOf<PlacementEvent>(resourceProviderStream(providerId), placementEventCodec),
    head: provide(EventStore.use((store) => store.head)),
  } satisfies ControlPlane;
});

/** Polls `condition` every 20 ms until it holds; dies after `timeoutMs` naming `what`. */
export const waitUntil = <E, R>(condition: Effect.Effect<boolean, E, R>, what: string, timeoutMs = 15_000) =>
  Effect.gen(function* () {
    for (let waited = 0; !(yield* condition); waited += 20) {
      if (waited > timeoutMs) return yield* Effect.die(new Error(`timed out waiting until ${what}`));
      yield* Effect.sleep(20);
    }
  });

/**
 * Runs `body` against a fresh control plane on the nats-server at `natsUrl` (a spec passes
 * `inject("natsUrl")`), with a subject prefix of its own and a temp dir removed afterwards.
 */
export const withControlPlane = async (
  natsUrl: string,
  body: (cp: ControlPlane, prefix: string) => Effect.Effect<void, unknown, Nats | Scope.Scope>,
): Promise<void> => {
  await using dir = await tempDir();
  const prefix = `t${randomUUID().slice(0, 8)}`;
  await Effect.runPromise(
    Effect.gen(function* () {
      yield* body(yield* startControlPlane({ dataDir: dir.path, subjectPrefix: prefix }), prefix);
    }).pipe(Effect.scoped, Effect.provide(Nats.layer(natsUrl))),
  );
};

/** Every message a JetStream stream holds, oldest first. */
export const storedMessages = (streamName: string) =>
  Nats.use(({ connection }) =>
    Effect.promise(async () => {
      const jsm = await jetstreamManager(connection);
      const { state } = await jsm.streams.info(streamName);
      const messages: Array<StoredMsg> = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const stored = await jsm.streams.getMessage(streamName, { seq });
        if (stored !== null) messages.push(stored);
      }
      return messages;
    }));
