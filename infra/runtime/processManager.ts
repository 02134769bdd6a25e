/**
 * Runs a process manager: follows `$all` from its checkpoint and hands each event of the types
 * it reacts to, in log order, to its handler, which sends commands. Delivery is at least once: the
 * checkpoint is saved every so often and on shutdown, so after a crash some events are handled
 * again, and handlers must send commands whose ids derive from the event (see `causedCommandId`).
 * A handler failure is logged and retried with backoff; it never skips the event.
 *
 * With `concurrency` above 1, the effects of up to that many events run at once, except that the
 * events of one stream run one after another in log order (a server's deletion never overtakes
 * its build). The checkpoint then only moves up to the last position below which every event is
 * done: never past one under way or being retried, so a restart hands that event over again
 * (and, at least once, the finished ones after it).
 */
import { Effect, Exit, FiberSet, Schedule, Semaphore, Stream } from "effect";
import { EventStore, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import type { CheckpointStore } from "./checkpoints.ts";

export interface ProcessManager<R> {
  /** Published: it names the checkpoint. */
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
  /**
   * Called once per delivery, synchronously and in log order, when the event's turn comes; what
   * it does before returning (folding a view) is therefore ordered. The effect it returns is what
   * runs (alongside later events' effects, with `concurrency`), and what is retried on failure.
   */
  readonly handle: (event: RecordedEvent) => Effect.Effect<void, unknown, R>;
}

export interface ProcessManagerOptions {
  readonly checkpoints: CheckpointStore;
  readonly checkpointEveryMs?: number;
  /**
   * How many events may be handled at once; events of one stream never overlap. Default 1: one
   * after another, which is what a handler that reads state other events change needs.
   */
  readonly concurrency?: number;
}

/** The id of the `step`-th command an event causes: the same on every re-delivery of that event. */
export const causedCommandId = (event: Pick<RecordedEvent, "id">, step: string) => `${event.id}:${step}`;

interface Turn {
  readonly position: Position;
}

/**
 * The events handed out and not yet done. `settled()` is the highest position at or below which
 * everything is done: just below the first unfinished turn, or the last position seen when none
 * is. Only unfinished turns are kept (a Set iterates in insertion order, which is log order), so
 * one event stuck for hours holds no memory for the thousands handled after it.
 */
const makeTurns = (start: Position) => {
  const unfinished = new Set<Turn>();
  let seen = start;
  return {
    settled: (): Position => {
      for (const first of unfinished) return first.position - 1;
      return seen;
    },
    unfinished: () => unfinished.size,
    /** An event the manager ignores: done as soon as everything before it is. */
    pass: (position: Position) => {
      seen = position;
    },
    take: (position: Position): Turn => {
      const turn = { position };
      unfinished.add(turn);
      seen = position;
      return turn;
    },
    finish: (turn: Turn) => {
      unfinished.delete(turn);
    },
  };
};

export const runProcessManager = Effect.fnUntraced(function* <R>(manager: ProcessManager<R>, options: ProcessManagerOptions) {
  const store = yield* EventStore;
  const start = yield* options.checkpoints.load(manager.name);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const turns = makeTurns(start);
  let saved = start;

  // One save at a time: the periodic save and the shutdown save write the same file.
  const saving = Semaphore.makeUnsafe(1);
  const save = Semaphore.withPermit(
    saving,
    Effect.suspend(() => {
      const position = turns.settled();
      if (position === saved) return Effect.void;
      return options.checkpoints.save(manager.name, position).pipe(Effect.tap(() => Effect.sync(() => (saved = position))));
    }),
  );

  const retried = (event: RecordedEvent, effect: Effect.Effect<void, unknown, R>) =>
    effect.pipe(
      Effect.tapError((error) => Effect.logWarning(`${manager.name}: handling ${event.type} at ${event.position} failed, retrying`, error)),
      // Backs off from 50 ms, never waiting more than 5 s between tries.
      Effect.retry(Schedule.min([Schedule.exponential("50 millis"), Schedule.spaced("5 seconds")])),
      Effect.orDie,
      // A bug, not a failure: never retried nor skipped, so the event's stream (and the
      // checkpoint) stay where they are until a restart hands the event over again.
      Effect.tapDefect((defect) => Effect.logError(`${manager.name}: handling ${event.type} at ${event.position} died; ${event.stream} waits for a restart`, defect)),
    );

  const slots = Semaphore.makeUnsafe(concurrency);
  const run = yield* FiberSet.makeRuntime<R>();
  // Per stream, the turns waiting behind the one under way; a stream is here while it has any.
  const queues = new Map<string, Array<{ readonly turn: Turn; readonly work: Effect.Effect<void, never, R> }>>();
  // Streams whose handler died: their later events are parked, unfinished, until a restart.
  const dead = new Set<string>();

  const drain = (stream: string, queue: Array<{ readonly turn: Turn; readonly work: Effect.Effect<void, never, R> }>) =>
    Effect.gen(function* () {
      while (queue.length > 0) {
        const { turn, work } = queue[0]!;
        if (Exit.isFailure(yield* Effect.exit(work))) {
          // Its slot and those of the turns queued behind it go back, so other streams go on.
          dead.add(stream);
          return yield* Semaphore.release(slots, queue.length);
        }
        queue.shift();
        turns.finish(turn);
        yield* Semaphore.release(slots, 1);
      }
      queues.delete(stream);
    });

  const dispatch = (event: RecordedEvent) =>
    Effect.gen(function* () {
      if (!manager.eventTypes.has(event.type)) return turns.pass(event.position);
      // The handler sees every event in its turn (its view stays whole), even one never run.
      const work = retried(event, manager.handle(event));
      if (dead.has(event.stream)) return void turns.take(event.position);
      yield* Semaphore.take(slots, 1);
      const turn = turns.take(event.position);
      const queue = queues.get(event.stream);
      if (queue !== undefined) return void queue.push({ turn, work });
      const fresh = [{ turn, work }];
      queues.set(event.stream, fresh);
      run(drain(event.stream, fresh));
    });

  yield* Stream.runForEach(store.subscribeAll(start), dispatch).pipe(
    Effect.catch((error) => Effect.logError(`process manager ${manager.name} stopped`, error)),
    Effect.forkScoped,
  );
  yield* save.pipe(Effect.repeat(Schedule.spaced(options.checkpointEveryMs ?? 1_000)), Effect.forkScoped);
  yield* Effect.addFinalizer(() => save);
  return {
    /** The last position at or below which every event was handled: what the checkpoint saves. */
    position: turns.settled,
    /** Events handed to the manager and not yet done. */
    inFlight: turns.unfinished,
  };
});
