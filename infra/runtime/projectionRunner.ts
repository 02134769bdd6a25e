/**
 * Runs a pure projection against `$all`: loads its last msgpack snapshot, catches up from the
 * snapshot's position, then follows live, and writes a fresh snapshot now and then and on
 * shutdown so a restart folds only the tail. Every event advances the position, folded or not,
 * so `waitFor(position)` (read-your-writes after a command) means "has seen everything up to it".
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Deferred, Effect, Schedule, Semaphore, Stream } from "effect";
import { Packr, unpack } from "msgpackr";
import type { Projected, ProjectedEvent, Projection } from "@weft/projections/shared";
import { EventStore, type RecordedEvent } from "../eventStore/EventStore.ts";

export interface ProjectionRunnerOptions<E> {
  /** Turns a stored event the projection folds into its projected form. */
  readonly decode: (event: RecordedEvent) => ProjectedEvent<E>;
  /** Where snapshots live; none are written when absent. */
  readonly snapshotDir?: string;
  readonly snapshotEveryMs?: number;
}

export interface ProjectionHandle<Doc> {
  readonly name: string;
  /** The current document and the position it reflects. */
  readonly current: () => Projected<Doc>;
  /** Succeeds with true once the projection has seen `position`, false after `timeoutMs`. */
  readonly waitFor: (position: number, timeoutMs?: number) => Effect.Effect<boolean>;
  /** Completes once the projection has folded everything that was in the store when it started. */
  readonly caughtUp: Effect.Effect<void>;
}

/** A document's plain form with the position of the last event folded into it: one file. */
export interface Snapshot {
  readonly position: number;
  readonly snapshot: unknown;
}

/** Where a projection's snapshot lives in `dir`; `weft verify` reads the same file. */
export const snapshotPath = (dir: string, projection: Pick<Projection<unknown, { type: string }>, "name" | "version">) =>
  join(dir, `${projection.name}.v${projection.version}.msgpack`);

/** The snapshot in `path`, or undefined when there is none or it cannot be read. */
export const readSnapshot = (path: string) =>
  Effect.tryPromise(() => readFile(path)).pipe(
    Effect.map((bytes) => unpack(bytes) as Snapshot),
    Effect.orElseSucceed(() => undefined),
  );

// Written beside and renamed over, so a crash mid-write leaves the previous snapshot intact.
// Records (each object shape written once, not its keys per object): a third smaller and twice as
// fast to read back, which a restart waits for. Plain `unpack` reads both forms.
export const writeSnapshot = (path: string, snapshot: Snapshot) =>
  Effect.tryPromise(async () => {
    await writeFile(`${path}.tmp`, new Packr({ useRecords: true }).pack(snapshot));
    await rename(`${path}.tmp`, path);
  }).pipe(Effect.catch((error) => Effect.logWarning(`snapshot ${path} not written`, error)));

/**
 * A snapshot is taken on the one JS thread (compute at 10,000 servers: ~50 ms to build, ~200 ms to
 * pack), so every few seconds would stall every request in flight; a crash folds at most this
 * much of the log again at restart (and a clean stop snapshots at the head).
 */
export const defaultSnapshotEveryMs = 60_000;

export const runProjection = Effect.fnUntraced(function* <Doc, E extends { type: string }>(
  projection: Projection<Doc, E>,
  options: ProjectionRunnerOptions<E>,
) {
  const store = yield* EventStore;
  const head = yield* store.head;
  const path = options.snapshotDir === undefined ? undefined : snapshotPath(options.snapshotDir, projection as never);
  if (options.snapshotDir !== undefined) yield* Effect.tryPromise(() => mkdir(options.snapshotDir!, { recursive: true })).pipe(Effect.orDie);

  const saved = path === undefined ? undefined : yield* readSnapshot(path);
  // A snapshot ahead of the store belongs to another store (a wiped data dir): ignore it.
  let state: Projected<Doc> =
    saved !== undefined && saved.position <= head
      ? { position: saved.position, doc: projection.fromSnapshot(saved.snapshot) }
      : { position: 0, doc: projection.initial() };
  let snapshotted = state.position;
  let waiters: Array<{ readonly position: number; readonly done: Deferred.Deferred<boolean> }> = [];

  const release = () => {
    if (waiters.length === 0) return;
    const still: typeof waiters = [];
    for (const waiter of waiters) {
      if (waiter.position <= state.position) Deferred.doneUnsafe(waiter.done, Effect.succeed(true));
      else still.push(waiter);
    }
    waiters = still;
  };

  const foldBatch = (events: ReadonlyArray<RecordedEvent>) =>
    Effect.sync(() => {
      let { doc, position } = state;
      for (const event of events) {
        if (event.position <= position) continue;
        if (projection.eventTypes.has(event.type)) doc = projection.evolve(doc, options.decode(event));
        position = event.position;
      }
      state = { position, doc };
      release();
    });

  // One writer at a time: the periodic save and the shutdown save share the temp file.
  const writing = Semaphore.makeUnsafe(1);
  const saveIfMoved = Semaphore.withPermit(
    writing,
    Effect.suspend(() => {
      if (path === undefined || state.position === snapshotted) return Effect.void;
      const taken = state;
      return writeSnapshot(path, { position: taken.position, snapshot: projection.toSnapshot(taken.doc) }).pipe(
        Effect.tap(() => Effect.sync(() => (snapshotted = taken.position))),
      );
    }),
  );

  yield* Stream.runForEachArray(store.subscribeAll(state.position), foldBatch).pipe(
    Effect.catch((error) => Effect.logError(`projection ${projection.name} stopped`, error)),
    Effect.forkScoped,
  );
  if (path !== undefined) {
    yield* saveIfMoved.pipe(Effect.repeat(Schedule.spaced(options.snapshotEveryMs ?? defaultSnapshotEveryMs)), Effect.forkScoped);
    yield* Effect.addFinalizer(() => saveIfMoved);
  }

  const waitFor = (position: number, timeoutMs = 5_000): Effect.Effect<boolean> =>
    Effect.suspend(() => {
      if (position <= state.position) return Effect.succeed(true);
      return Effect.flatMap(Deferred.make<boolean>(), (done) => {
        waiters.push({ position, done });
        return Deferred.await(done).pipe(Effect.timeoutOrElse({ duration: timeoutMs, orElse: () => Effect.succeed(false) }));
      });
    });

  const handle: ProjectionHandle<Doc> = {
    name: projection.name,
    current: () => state,
    waitFor,
    caughtUp: Effect.asVoid(waitFor(head, 600_000)),
  };
  return handle;
});
