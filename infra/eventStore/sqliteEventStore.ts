/**
 * The embedded event store: one SQLite file (Node's built-in `node:sqlite`, WAL mode) behind the
 * `EventStore` port. The SQL lives in `sqliteLog.ts`; this module opens the file as a scoped
 * resource, turns thrown errors into the port's errors, and runs `subscribeAll` as catch-up by
 * pages then live: woken at once by appends made through this instance, and polling for appends
 * made by other processes sharing the file.
 *
 * `node:sqlite` is synchronous, so an append holds the event loop for the length of one commit
 * (tens of microseconds), or up to the busy timeout while another process holds the write lock.
 */
import { resolve } from "node:path";
import { BroadcastChannel } from "node:worker_threads";
import { Clock, Deferred, Effect, Layer, Option, Stream, type Scope } from "effect";
import {
  EventStore,
  EventStoreUnavailable,
  StreamRevisionConflict,
  matchesFilter,
  type AllFilter,
  type EventStoreShape,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from "./EventStore.ts";
import { openSqliteLog, type SqliteLog } from "./sqliteLog.ts";
import { makeWalCheckpointer, noWalCheckpointer } from "./walCheckpointer.ts";

export interface SqliteEventStoreOptions {
  /** How often a live subscription looks for appends made by other processes (ms). Default 100. */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock before failing (ms). Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Events per page while a subscription catches up. Default 2000. */
  readonly pageSize?: number;
  /** How many of its latest events the store keeps in memory for live subscribers. Default 2048. */
  readonly tailSize?: number;
  /**
   * Whether the store starts a thread of its own for its WAL checkpoints once its log grows
   * (`walCheckpointer.ts`). Default true; false when another thread of the process runs
   * `runWalCheckpoints` on the same file, as `weft up`'s background roles thread does.
   */
  readonly walCheckpointThread?: boolean;
}

/**
 * In-process wake-up for live subscriptions. A subscriber takes the pending signal BEFORE it reads,
 * so an append that lands between its read and its wait has already fired the signal it waits on.
 */
const makeWake = () => {
  let pending: Deferred.Deferred<void> | undefined;
  return {
    signal: (): Deferred.Deferred<void> => (pending ??= Deferred.makeUnsafe<void>()),
    fire: (): void => {
      const fired = pending;
      if (fired === undefined) return;
      // Detached first: completing it may resume a subscriber at once, whose next `signal()` must
      // get a fresh signal, not this done one (which would wake it forever: a busy loop).
      pending = undefined;
      Deferred.doneUnsafe(fired, Effect.void);
    },
  };
};

/**
 * The events with their bytes copied into one buffer of their own. A caller's payload may be a
 * view into a far larger buffer (a pooled or socket-sized chunk), and thousands of tail entries
 * each keeping such a chunk alive cost tens of megabytes.
 */
/**
 * Appends made through the other instances on the same file in this process, whatever their
 * thread: each instance announces its appends on a channel named after the file, at most once per
 * turn of its event loop, and wakes its live subscribers on the others' announcements. Neither
 * the channel nor a pending announcement keeps a thread alive.
 */
const makeAppendAnnouncer = (path: string, onAppend: (position: Position) => void) => {
  const channel = new BroadcastChannel(`weft-sqlite-appends:${resolve(path)}`);
  channel.unref();
  channel.onmessage = (message) => onAppend((message as { readonly data: Position }).data);
  let announced: Position | undefined;
  let closed = false;
  return {
    /** Tells the others this instance appended up to `position`. */
    announce: (position: Position): void => {
      const pending = announced !== undefined;
      announced = position;
      if (pending) return;
      // Once per turn of the event loop, however many commands appended in it: each message
      // wakes the other threads, which costs more than the message.
      setImmediate(() => {
        const newest = announced!;
        announced = undefined;
        // The store may have closed in the same turn as its last append.
        if (!closed) channel.postMessage(newest);
      }).unref();
    },
    close: (): void => {
      closed = true;
      channel.close();
    },
  };
};

const compacted = (recorded: ReadonlyArray<RecordedEvent>): Array<RecordedEvent> => {
  let size = 0;
  for (const event of recorded) size += event.data.byteLength + event.metadata.byteLength;
  const bytes = new Uint8Array(size);
  let at = 0;
  const copy = (part: Uint8Array) => {
    bytes.set(part, at);
    at += part.byteLength;
    return bytes.subarray(at - part.byteLength, at);
  };
  return recorded.map((event) => ({ ...event, data: copy(event.data), metadata: copy(event.metadata) }));
};

/**
 * The latest events this instance appended or its live subscribers read from the file, in
 * position order. Every live subscriber reads each new event, so serving them from here saves
 * each of them an sqlite query per append (nine subscribers in the all-in-one): the first to see
 * another thread's or process's appends reads them for all. Only an unbroken run of positions
 * right after the cursor is served: an event not here (another process's, appended in between)
 * sends the cursor to the file as before.
 */
const makeTail = (capacity: number) => {
  let events: Array<RecordedEvent> = [];
  return {
    add: (recorded: ReadonlyArray<RecordedEvent>) => {
      // A page read from the file may hold events this tail already has.
      const newest = events.at(-1)?.position ?? 0;
      if (recorded[0] !== undefined && recorded[0].position <= newest) recorded = recorded.filter((event) => event.position > newest);
      if (recorded.length === 0) return;
      const last = events.at(-1);
      // A gap (another process's appends) starts the run afresh: what follows a gap cannot be served alone.
      if (last !== undefined && recorded[0] !== undefined && recorded[0].position !== last.position + 1) events = [];
      events.push(...compacted(recorded));
      if (events.length > capacity * 2) events = events.slice(-capacity);
    },
    /** Whether `cursor` is this instance's newest append: nothing it appended is newer. */
    endsAt: (cursor: Position): boolean => events.at(-1)?.position === cursor,
    /** The page after `cursor`, or undefined when this tail does not hold the event right after it. */
    after: (cursor: Position, maxCount: number, filter: AllFilter | undefined): { events: Array<RecordedEvent>; scannedTo: Position } | undefined => {
      const first = events[0];
      if (first === undefined || cursor < first.position - 1 || cursor >= events.at(-1)!.position) return undefined;
      const page: Array<RecordedEvent> = [];
      let scannedTo = cursor;
      for (let i = cursor - first.position + 1; i < events.length && page.length < maxCount; i++) {
        const event = events[i]!;
        if (matchesFilter(filter, event)) page.push(event);
        scannedTo = event.position;
      }
      return { events: page, scannedTo };
    },
  };
};

const hasFilter = (filter: AllFilter | undefined): filter is AllFilter =>
  (filter?.categories?.length ?? 0) > 0 || (filter?.eventTypes?.length ?? 0) > 0;

/** Opens (creating if needed) the store at `path`; the file closes when the scope does. */
export const makeSqliteEventStore = (
  path: string,
  options: SqliteEventStoreOptions = {},
): Effect.Effect<EventStoreShape, EventStoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const pollInterval = options.pollIntervalMs ?? 100;
    const pageSize = options.pageSize ?? 2_000;

    const unavailable = (operation: string) => (cause: unknown) =>
      new EventStoreUnavailable({ message: `sqlite event store ${path}: ${operation} failed: ${String(cause)}`, cause });

    const log: SqliteLog = yield* Effect.acquireRelease(
      Effect.try({ try: () => openSqliteLog(path, options), catch: unavailable("open") }),
      (opened) => Effect.sync(() => opened.close()),
    );
    // Released before the log closes: the last connection's close checkpoints what is left.
    const checkpointer = yield* Effect.acquireRelease(
      Effect.sync(() => (options.walCheckpointThread === false ? noWalCheckpointer : makeWalCheckpointer(path))),
      (running) => Effect.promise(() => running.stop()),
    );
    const wake = makeWake();
    // The newest position this instance appended, read, or heard another thread append.
    let knownHead = log.head();
    const heard = (position: Position) => {
      if (position > knownHead) knownHead = position;
      wake.fire();
    };
    const announcer = yield* Effect.acquireRelease(
      Effect.sync(() => makeAppendAnnouncer(path, heard)),
      (opened) => Effect.sync(() => opened.close()),
    );
    const tail = makeTail(options.tailSize ?? 2_048);
    const run = <A>(operation: string, f: () => A) => Effect.try({ try: f, catch: unavailable(operation) });

    // Untraced, unlike the other methods: a span per append cost a third of a sequential
    // append's time (16k -> 20k appends/s, docs/benchmarks.md), and Effect's own guidance is
    // fnUntraced for library hot paths. Commands are traced where they enter, in the handler.
    const append = Effect.fnUntraced(function* (
      stream: string,
      expected: ExpectedRevision,
      events: ReadonlyArray<NewEvent>,
    ) {
      const now = yield* Clock.currentTimeMillis;
      const { revision, position, recorded } = yield* Effect.try({
        try: () => log.append(stream, expected, events, now),
        catch: (cause) => (cause instanceof StreamRevisionConflict ? cause : unavailable("append")(cause)),
      });
      if (events.length > 0) {
        tail.add(recorded);
        if (position > knownHead) knownHead = position;
        wake.fire();
        announcer.announce(position);
        checkpointer.appended();
      }
      return { revision, position };
    });

    const read = Effect.fn("EventStore.read")((stream: string, fromRevision: number = 0) =>
      run("read", () => log.read(stream, fromRevision)),
    );

    const readAll = Effect.fn("EventStore.readAll")((after: Position, maxCount: number, filter?: AllFilter) =>
      run("readAll", () => (hasFilter(filter) ? log.readFiltered(after, maxCount, filter).events : log.readAll(after, maxCount))),
    );

    const page = (cursor: Position, filter: AllFilter | undefined) =>
      run("subscribeAll", () => {
        const recent = tail.after(cursor, pageSize, filter);
        if (recent !== undefined) return { ...recent, fromTail: true };
        // Near the head every live subscriber wants the same few new events, filter or not: one
        // plain read puts them in the tail for all. Far behind, a filter's own query skips the rest.
        if (hasFilter(filter) && knownHead - cursor > pageSize) return { ...log.readFiltered(cursor, pageSize, filter), fromTail: false };
        const events = log.readAll(cursor, pageSize);
        tail.add(events);
        const scannedTo = events.at(-1)?.position ?? cursor;
        if (scannedTo > knownHead) knownHead = scannedTo;
        return { events: hasFilter(filter) ? events.filter((event) => matchesFilter(filter, event)) : events, scannedTo, fromTail: false };
      });

    interface Cursor {
      readonly position: Position;
      /** The last page came from the tail. */
      readonly fromTail: boolean;
    }

    const subscribeAll = (after: Position, filter?: AllFilter): Stream.Stream<RecordedEvent, EventStoreUnavailable> =>
      Stream.paginate<Cursor, RecordedEvent, EventStoreUnavailable>({ position: after, fromTail: false }, (cursor) =>
        Effect.gen(function* () {
          const signal = wake.signal();
          // Caught up through the tail to this instance's newest append: the file has nothing of
          // ours beyond it, and another process's appends are found by the poll, so the read is
          // skipped (a dozen subscribers each made one, empty, per append).
          if (!(cursor.fromTail && tail.endsAt(cursor.position))) {
            const { events, scannedTo, fromTail } = yield* page(cursor.position, filter);
            if (scannedTo > cursor.position) return [events, Option.some({ position: scannedTo, fromTail })] as const;
          }
          yield* Effect.raceFirst(Deferred.await(signal), Effect.sleep(pollInterval));
          return [[], Option.some({ position: cursor.position, fromTail: false })] as const;
        }),
      );

    const head = run("head", () => log.head()).pipe(Effect.withSpan("EventStore.head"));

    return EventStore.of({ append, read, readAll, subscribeAll, head });
  });

/** The sqlite adapter as a layer: the file opens when the layer is built and closes on release. */
export const sqliteEventStoreLayer = (
  path: string,
  options: SqliteEventStoreOptions = {},
): Layer.Layer<EventStore, EventStoreUnavailable> => Layer.effect(EventStore, makeSqliteEventStore(path, options));
