/**
 * The command pipeline: decode the envelope's payload, load the aggregate (cache, else store),
 * answer a re-sent command id with its first outcome, decide, append with the expected revision,
 * and on a revision conflict (another replica won the race) reload and decide again, a bounded
 * number of times. Commands for one stream that arrive together are decided together and appended
 * in one append (group commit). Never throws to the bus: every outcome is a `CommandReply`.
 */
import { Cause, Deferred, Effect, Exit } from "effect";
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
  commandType: envelope.type,
});

interface Queued {
  readonly command: Message;
  readonly envelope: CommandEnvelope;
  readonly reply: Deferred.Deferred<CommandReply>;
}

/** A command of a batch once decided: its reply is known, or it waits on the append. */
type Decided =
  | { readonly kind: "answered"; readonly reply: CommandReply }
  /** Re-sent within the batch: answered with the outcome of the command at `index`. */
  | { readonly kind: "duplicate"; readonly index: number }
  /** Its events end at `lastEvent` in the batch's append (a no-op: where its predecessors' end). */
  | { readonly kind: "appended"; readonly eventCount: number; readonly lastEvent: number };

/** The most commands one append carries: bounds its size and how long the last one waits. */
const maxBatch = 256;

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

/**
 * Builds the handler for one aggregate module. The returned function is what the bus serves
 * for the module's context.
 *
 * Group commit: the first command for a stream opens a queue and, once it holds the stream's
 * lock and has let the commands that arrived with it (the rest of the bus's read) join, takes
 * the whole queue; later commands open the next one. It decides the queued commands in arrival
 * order, each against the state its predecessors left, and appends all their events in ONE append
 * (one sqlite commit instead of one per command). Each command still gets its own reply with its
 * own revision and position; a revision conflict or an unavailable store applies to the whole
 * batch (retried as one), a defect only to the command that caused it.
 */
export const makeCommandHandler = Effect.fnUntraced(function* (
  module: AnyAggregateModule,
  options: CommandHandlerOptions = {},
) {
  const store = yield* EventStore;
  const cache = new AggregateCache<unknown>(options.cacheCapacity ?? 10_000);
  const lock = makeKeyedLock();
  const maxRetries = options.maxConflictRetries ?? 8;
  const queues = new Map<string, Array<Queued>>();

  const load = (stream: string) =>
    Effect.gen(function* () {
      const cached = cache.get(stream);
      if (cached !== undefined) return cached;
      const loaded = yield* loadFromStore(store, module, stream);
      cache.set(stream, loaded);
      return loaded;
    });

  /** Queues the command; returns its queue when it opened it, and so is the one to process it. */
  const enqueue = (stream: string, queued: Queued): Array<Queued> | undefined => {
    const queue = queues.get(stream);
    if (queue !== undefined) {
      queue.push(queued);
      return undefined;
    }
    const opened = [queued];
    queues.set(stream, opened);
    return opened;
  };

  const decideAndAppend = (
    stream: string,
    batch: ReadonlyArray<Queued>,
  ): Effect.Effect<Array<CommandReply>, StreamRevisionConflict | EventStoreUnavailable> =>
    Effect.gen(function* () {
      const aggregate = yield* load(stream);
      let state = aggregate.state;
      const events: Array<NewEvent> = [];
      const appending = new Map<string, number>();
      const decided = batch.map(({ command, envelope }, index): Decided => {
        const previous = aggregate.handled.get(envelope.commandId);
        if (previous !== undefined) return { kind: "answered", reply: accepted(stream, previous, true) };
        const earlier = appending.get(envelope.commandId);
        if (earlier !== undefined) return { kind: "duplicate", index: earlier };

        const decision: Decision<Message, Rejection> = module.decider.decide(command, state);
        if (isRejection(decision)) return { kind: "answered", reply: { outcome: "rejected", rejected: { tag: decision._tag, message: decision.message } } };
        if (decision.length === 0 && events.length === 0) {
          return { kind: "answered", reply: accepted(stream, { revision: aggregate.revision, position: aggregate.position, eventCount: 0 }, false) };
        }
        const metadata = eventMetadataCodec.encode(metadataFor(envelope));
        for (const event of decision) events.push({ type: event.type, data: module.events.encode(event), metadata });
        state = decision.reduce(module.decider.evolve, state);
        if (decision.length > 0) appending.set(envelope.commandId, index);
        return { kind: "appended", eventCount: decision.length, lastEvent: events.length - 1 };
      });

      let positionOf = (_lastEvent: number) => aggregate.position;
      let first = aggregate.revision + 1;
      if (events.length > 0) {
        const result = yield* store
          .append(stream, aggregate.revision === -1 ? "no_stream" : aggregate.revision, events)
          .pipe(Effect.tapError(() => Effect.sync(() => cache.delete(stream))));
        first = result.revision - events.length + 1;
        // Positions in $all need not be consecutive (KurrentDB's are log offsets): when the append
        // carries more than one command, read back where each event landed.
        const positions = appending.size > 1 ? (yield* store.read(stream, first)).map((event) => event.position) : [];
        positionOf = (lastEvent) => positions[lastEvent] ?? result.position;
        cache.set(stream, { state, revision: result.revision, position: result.position, handled: aggregate.handled });
      }

      const outcomes = decided.map((entry): CommandOutcome | undefined =>
        entry.kind === "appended"
          ? { revision: first + entry.lastEvent, position: positionOf(entry.lastEvent), eventCount: entry.eventCount }
          : undefined,
      );
      return decided.map((entry, index): CommandReply => {
        if (entry.kind === "answered") return entry.reply;
        if (entry.kind === "duplicate") return accepted(stream, outcomes[entry.index]!, true);
        const outcome = outcomes[index]!;
        if (outcome.eventCount > 0) aggregate.handled.set(batch[index]!.envelope.commandId, outcome);
        return accepted(stream, outcome, false);
      });
    });

  const settle = (batch: ReadonlyArray<Queued>, exit: Exit.Exit<Array<CommandReply>>) => {
    batch.forEach((queued, index) =>
      Deferred.doneUnsafe(queued.reply, Exit.isSuccess(exit) ? Exit.succeed(exit.value[index]!) : Exit.failCause(exit.cause)),
    );
  };

  const runBatch = (stream: string, batch: ReadonlyArray<Queued>): Effect.Effect<void> => {
    const decided = decideAndAppend(stream, batch).pipe(
      Effect.retry({ times: maxRetries, while: (error) => error._tag === "StreamRevisionConflict" }),
      Effect.catchTag("StreamRevisionConflict", (conflict) =>
        Effect.succeed(batch.map(() => failed("ConflictRetriesExhausted", `${conflict.stream} kept changing under ${maxRetries} retries`))),
      ),
      Effect.catchTag("EventStoreUnavailable", (error) => Effect.succeed(batch.map(() => failed("Unavailable", error.message)))),
    );
    if (batch.length === 1) return decided.pipe(Effect.onExit((exit) => Effect.sync(() => settle(batch, exit))), Effect.ignoreCause);
    // A defect (a bug in a decider) is retried one command at a time, so only its command dies.
    return decided.pipe(
      Effect.onExit((exit) =>
        Effect.sync(() => (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? settle(batch, exit) : cache.delete(stream))),
      ),
      Effect.catchDefect(() => Effect.forEach(batch, (queued) => runBatch(stream, [queued]), { discard: true })),
      Effect.asVoid,
    );
  };

  // Taken whole: later commands open the next queue, so what one opener processes is bounded.
  const processQueue = (stream: string, queue: Array<Queued>) =>
    Effect.suspend(() => {
      queues.delete(stream);
      return Effect.forEach(chunks(queue, maxBatch), (batch) => runBatch(stream, batch), { discard: true });
    });

  // Interrupted (a shutdown) before every command of its queue was answered: those not yet
  // applied are answered as interrupted (their senders re-send the same ids) and never applied.
  const abandon = (stream: string, queue: Array<Queued>) => {
    if (queues.get(stream) === queue) queues.delete(stream);
    for (const queued of queue) Deferred.doneUnsafe(queued.reply, Exit.interrupt());
  };

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
    const queued: Queued = { command, envelope, reply: Deferred.makeUnsafe<CommandReply>() };
    const opened = enqueue(stream, queued);
    const answer = Deferred.await(queued.reply);
    if (opened === undefined) return answer;
    // yieldNow: the commands the bus delivers in the same read queue up before the batch is taken.
    return lock.withLock(stream, Effect.andThen(Effect.yieldNow, processQueue(stream, opened))).pipe(
      Effect.onInterrupt(() => Effect.sync(() => abandon(stream, opened))),
      Effect.andThen(answer),
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
