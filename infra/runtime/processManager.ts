/**
 * Runs a process manager: follows `$all` from its checkpoint and hands each event of the types
 * it reacts to, in order, to its handler, which sends commands. Delivery is at least once: the
 * checkpoint is saved every so often and on shutdown, so after a crash some events are handled
 * again, and handlers must send commands whose ids derive from the event (see `causedCommandId`).
 * A handler failure is logged and retried with backoff; it never skips the event.
 */
import { Effect, Schedule, Semaphore, Stream } from "effect";
import { EventStore, type RecordedEvent } from "../eventStore/EventStore.ts";
import type { CheckpointStore } from "./checkpoints.ts";

export interface ProcessManager<R> {
  /** Published: it names the checkpoint. */
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
  readonly handle: (event: RecordedEvent) => Effect.Effect<void, unknown, R>;
}

export interface ProcessManagerOptions {
  readonly checkpoints: CheckpointStore;
  readonly checkpointEveryMs?: number;
}

/** The id of the `step`-th command an event causes: the same on every re-delivery of that event. */
export const causedCommandId = (event: Pick<RecordedEvent, "id">, step: string) => `${event.id}:${step}`;

export const runProcessManager = Effect.fnUntraced(function* <R>(manager: ProcessManager<R>, options: ProcessManagerOptions) {
  const store = yield* EventStore;
  const start = yield* options.checkpoints.load(manager.name);
  let handled = start;
  let saved = start;

  // One save at a time: the periodic save and the shutdown save write the same file.
  const saving = Semaphore.makeUnsafe(1);
  const save = Semaphore.withPermit(
    saving,
    Effect.suspend(() => {
      if (handled === saved) return Effect.void;
      const position = handled;
      return options.checkpoints.save(manager.name, position).pipe(Effect.tap(() => Effect.sync(() => (saved = position))));
    }),
  );

  const handleOne = (event: RecordedEvent) =>
    manager.eventTypes.has(event.type)
      ? manager.handle(event).pipe(
          Effect.tapError((error) => Effect.logWarning(`${manager.name}: handling ${event.type} at ${event.position} failed, retrying`, error)),
          // Backs off from 50 ms, never waiting more than 5 s between tries.
          Effect.retry(Schedule.min([Schedule.exponential("50 millis"), Schedule.spaced("5 seconds")])),
          Effect.orDie,
        )
      : Effect.void;

  yield* Stream.runForEach(store.subscribeAll(start), (event) =>
    Effect.tap(handleOne(event), () => Effect.sync(() => (handled = event.position))),
  ).pipe(
    Effect.catch((error) => Effect.logError(`process manager ${manager.name} stopped`, error)),
    Effect.forkScoped,
  );
  yield* save.pipe(Effect.repeat(Schedule.spaced(options.checkpointEveryMs ?? 1_000)), Effect.forkScoped);
  yield* Effect.addFinalizer(() => save);
  return { position: () => handled };
});
