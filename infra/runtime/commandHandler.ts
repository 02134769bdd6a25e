/**
 * The command pipeline: decode the envelope's payload, load the aggregate (cache, else store),
 * answer a re-sent command id with its first outcome, decide, append with the expected revision,
 * and on a revision conflict (another replica won the race) reload and decide again, a bounded
 * number of times. Never throws to the bus: every outcome is a `CommandReply`.
 */
import { Effect } from "effect";
import { isRejection, type Decision, type Message, type Rejection } from "@weft/domain/shared";
import { eventMetadataCodec, type CommandEnvelope, type CommandReply, type EventMetadata } from "@weft/proto";
import {
  EventStore,
  type EventStoreShape,
  type EventStoreUnavailable,
  type NewEvent,
  type StreamRevisionConflict,
} from "../eventStore/EventStore.ts";
import type { AnyAggregateModule } from "./aggregateModule.ts";
import { AggregateCache, type CommandOutcome, type LoadedAggregate } from "./aggregateCache.ts";
import { makeKeyedLock } from "./keyedLock.ts";

export interface CommandHandlerOptions {
  /** How many times a decision is retried after losing a revision race. */
  readonly maxConflictRetries?: number;
  /** How many aggregates stay loaded in memory. */
  readonly cacheCapacity?: number;
}

const failed = (code: string, message: string): CommandReply => ({ outcome: "failed", failed: { code, message } });

const accepted = (stream: string, outcome: CommandOutcome, duplicate: boolean): CommandReply => ({
  outcome: "accepted",
  accepted: { stream, revision: outcome.revision, position: outcome.position, eventCount: outcome.eventCount, duplicate },
});

const metadataFor = (envelope: CommandEnvelope): EventMetadata => ({
  commandId: envelope.commandId,
  requestId: envelope.requestId,
  correlationId: envelope.correlationId || envelope.commandId,
  causationId: envelope.causationId || envelope.commandId,
  actor: envelope.actor,
  occurredAt: envelope.issuedAt,
});

/**
 * Builds the handler for one aggregate module. The returned function is what the bus serves
 * for the module's context.
 */
export const makeCommandHandler = Effect.fnUntraced(function* (
  module: AnyAggregateModule,
  options: CommandHandlerOptions = {},
) {
  const store = yield* EventStore;
  const cache = new AggregateCache<unknown>(options.cacheCapacity ?? 10_000);
  const lock = makeKeyedLock();
  const maxRetries = options.maxConflictRetries ?? 8;

  const load = (stream: string) =>
    Effect.gen(function* () {
      const cached = cache.get(stream);
      if (cached !== undefined) return cached;
      const loaded = yield* loadFromStore(store, module, stream);
      cache.set(stream, loaded);
      return loaded;
    });

  const decideAndAppend = (
    stream: string,
    command: Message,
    envelope: CommandEnvelope,
  ): Effect.Effect<CommandReply, StreamRevisionConflict | EventStoreUnavailable> =>
    Effect.gen(function* () {
      const aggregate = yield* load(stream);
      const previous = aggregate.handled.get(envelope.commandId);
      if (previous !== undefined) return accepted(stream, previous, true);

      const decision: Decision<Message, Rejection> = module.decider.decide(command, aggregate.state);
      if (isRejection(decision)) return { outcome: "rejected", rejected: { tag: decision._tag, message: decision.message } } as const;
      if (decision.length === 0) {
        return accepted(stream, { revision: aggregate.revision, position: aggregate.position, eventCount: 0 }, false);
      }

      const metadata = eventMetadataCodec.encode(metadataFor(envelope));
      const events: Array<NewEvent> = decision.map((event: Message) => ({
        type: event.type,
        data: module.events.encode(event),
        metadata,
      }));
      const result = yield* store
        .append(stream, aggregate.revision === -1 ? "no_stream" : aggregate.revision, events)
        .pipe(Effect.tapError(() => Effect.sync(() => cache.delete(stream))));

      const outcome: CommandOutcome = { revision: result.revision, position: result.position, eventCount: events.length };
      aggregate.handled.set(envelope.commandId, outcome);
      cache.set(stream, {
        state: decision.reduce(module.decider.evolve, aggregate.state),
        revision: result.revision,
        position: result.position,
        handled: aggregate.handled,
      });
      return accepted(stream, outcome, false);
    });

  return (envelope: CommandEnvelope): Effect.Effect<CommandReply> => {
    if (!module.commands.has(envelope.type)) {
      return Effect.succeed(failed("UnknownCommand", `${envelope.type} is not a ${module.context} command`));
    }
    let command: Message;
    try {
      command = module.commands.decode(envelope.type, envelope.payload);
    } catch (cause) {
      return Effect.succeed(failed("BadCommand", `${envelope.type} payload does not decode: ${String(cause)}`));
    }
    const stream = module.streamFor(command);
    return lock
      .withLock(stream, decideAndAppend(stream, command, envelope))
      .pipe(
        Effect.retry({ times: maxRetries, while: (error) => error._tag === "StreamRevisionConflict" }),
        Effect.catchTag("StreamRevisionConflict", (conflict) =>
          Effect.succeed(failed("ConflictRetriesExhausted", `${conflict.stream} kept changing under ${maxRetries} retries`)),
        ),
        Effect.catchTag("EventStoreUnavailable", (error) => Effect.succeed(failed("Unavailable", error.message))),
      );
  };
});

/** Folds a stream from the store, collecting the command ids that produced its events. */
const loadFromStore = (store: EventStoreShape, module: AnyAggregateModule, stream: string) =>
  Effect.map(store.read(stream), (recorded): LoadedAggregate<unknown> => {
    let state = module.decider.initialState();
    const handled = new Map<string, CommandOutcome>();
    for (const event of recorded) {
      state = module.decider.evolve(state, module.events.decode(event.type, event.data));
      const commandId = eventMetadataCodec.decode(event.metadata).commandId;
      const before = handled.get(commandId);
      handled.set(commandId, { revision: event.revision, position: event.position, eventCount: (before?.eventCount ?? 0) + 1 });
    }
    const last = recorded.at(-1);
    return { state, revision: last?.revision ?? -1, position: last?.position ?? 0, handled };
  });
