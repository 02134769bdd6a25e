/**
 * The sqlite adapter against real files in a temp dir: the shared contract, then what only a file
 * shared by processes can show: data surviving a reopen, the in-process wake-up of live
 * subscribers, and appends made by another process reaching a subscriber through the poll path.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Clock, Effect, Fiber, ManagedRuntime, Stream } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodies, eventStoreContract, freshCategory, newEvent, streamIn } from "./eventStore.contract.ts";
import { EventStore, START, type Position, type RecordedEvent } from "./EventStore.ts";
import { sqliteEventStoreLayer, type SqliteEventStoreOptions } from "./sqliteEventStore.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "weft-eventstore-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

eventStoreContract("sqlite", async () => ({ layer: sqliteEventStoreLayer(join(dir, "contract.db")) }));

const withStore = async <A, E>(
  path: string,
  body: (store: EventStore["Service"]) => Effect.Effect<A, E, EventStore>,
  options?: SqliteEventStoreOptions,
): Promise<A> => {
  const runtime = ManagedRuntime.make(sqliteEventStoreLayer(path, options));
  try {
    return await runtime.runPromise(EventStore.use(body));
  } finally {
    await runtime.dispose();
  }
};

const adapterUrl = pathToFileURL(join(import.meta.dirname, "sqliteEventStore.ts")).href;

// A module appending `count` events to `stream` through its own adapter instance on the file at
// `path`, `pauseMs` apart; bodies are "<label> 0", "<label> 1", …. Effect is imported by its
// resolved URL, since a data: module (the worker thread's) resolves no bare specifier.
const appenderModule = (path: string, stream: string, count: number, label: string, pauseMs: number) => `
  import { Effect } from ${JSON.stringify(import.meta.resolve("effect"))};
  import { makeSqliteEventStore } from ${JSON.stringify(adapterUrl)};
  const encoder = new TextEncoder();
  await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const store = yield* makeSqliteEventStore(${JSON.stringify(path)});
    for (let i = 0; i < ${count}; i++) {
      const event = { type: "Appended", data: encoder.encode(${JSON.stringify(label)} + " " + i), metadata: new Uint8Array(0) };
      yield* store.append(${JSON.stringify(stream)}, i === 0 ? "no_stream" : i - 1, [event]);
      if (${pauseMs} > 0) yield* Effect.sleep("${pauseMs} millis");
    }
  })));
`;

// A separate node process (the same Node binary, stripping types) appending to the same file.
const appendFromOtherProcess = (path: string, stream: string, count: number) =>
  new Promise<void>((resolve, reject) => {
    const script = appenderModule(path, stream, count, "other", 0);
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: import.meta.dirname, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`appender exited with ${code}: ${stderr}`))));
  });

// A worker thread of this process appending to the same file, as the all-in-one's background
// roles thread reads it.
const appendFromWorkerThread = (path: string, stream: string, count: number) =>
  new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(appenderModule(path, stream, count, "thread", 5))}`));
    worker.on("error", reject);
    worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`appender thread exited with ${code}`))));
  });

describe("sqlite adapter: one file, several lifetimes and processes", () => {
  it("keeps every event across close and reopen, and continues positions and revisions", async () => {
    const path = join(dir, "reopen.db");
    const stream = streamIn(freshCategory());
    const written = await withStore(path, (store) =>
      Effect.gen(function* () {
        yield* store.append(stream, "no_stream", [newEvent("A", "one"), newEvent("A", "two")]);
        yield* store.append(streamIn(freshCategory()), "no_stream", [newEvent("B", "elsewhere")]);
        return yield* store.readAll(START, 100);
      }));
    const reopened = await withStore(path, (store) =>
      Effect.gen(function* () {
        const all = yield* store.readAll(START, 100);
        const next = yield* store.append(stream, 1, [newEvent("A", "three")]);
        return { all, next, head: yield* store.head, stream: yield* store.read(stream) };
      }));
    expect(reopened.all).toEqual(written);
    expect(bodies(reopened.all)).toEqual(["one", "two", "elsewhere"]);
    expect(reopened.next.revision).toBe(2);
    expect(reopened.next.position).toBeGreaterThan(written.at(-1)!.position);
    expect(reopened.head).toBe(reopened.next.position);
    expect(bodies(reopened.stream)).toEqual(["one", "two", "three"]);
  });

  it("wakes a live subscriber on an append through the same instance without waiting for a poll", async () => {
    const category = freshCategory();
    const stream = streamIn(category);
    const elapsed = await withStore(join(dir, "wake.db"), (store) =>
      Effect.gen(function* () {
        const subscriber = yield* store.subscribeAll(START, { categories: [category] }).pipe(
          Stream.take(1),
          Stream.runCollect,
          Effect.forkChild,
        );
        yield* Effect.sleep("50 millis");
        const started = yield* Clock.currentTimeMillis;
        yield* store.append(stream, "no_stream", [newEvent("A", "now")]);
        const received = yield* Fiber.join(subscriber).pipe(Effect.timeout("5 seconds"));
        expect(bodies(received)).toEqual(["now"]);
        return (yield* Clock.currentTimeMillis) - started;
      }), { pollIntervalMs: 60_000 });
    expect(elapsed).toBeLessThan(1_000);
  });

  it("wakes a live subscriber on appends made by another thread of the process without waiting for a poll", async () => {
    const path = join(dir, "threads.db");
    const category = freshCategory();
    const stream = streamIn(category);
    const elapsed = await withStore(path, (store) =>
      Effect.gen(function* () {
        const subscriber = yield* store.subscribeAll(START, { categories: [category] }).pipe(Stream.take(20), Stream.runCollect, Effect.forkChild);
        const started = yield* Clock.currentTimeMillis;
        yield* Effect.promise(() => appendFromWorkerThread(path, stream, 20));
        const received = yield* Fiber.join(subscriber).pipe(Effect.timeout("10 seconds"));
        expect(bodies(received)).toEqual(Array.from({ length: 20 }, (_, i) => `thread ${i}`));
        return (yield* Clock.currentTimeMillis) - started;
      }), { pollIntervalMs: 60_000 });
    // Twenty appends 5 ms apart, each seen without the minute-long poll.
    expect(elapsed).toBeLessThan(10_000);
  });

  it("copies a growing write-ahead log into the database file from a thread of its own, long before the autocheckpoint would", async () => {
    const path = join(dir, "checkpoints.db");
    const stream = streamIn(freshCategory());
    const payload = new Uint8Array(8 * 1024).fill(1);
    const sizes = await withStore(path, (store) =>
      Effect.gen(function* () {
        // ~6 MiB of log: past the checkpointer's start, far below 10,000 pages (40 MiB).
        for (let i = 0; i < 768; i++) yield* store.append(stream, i === 0 ? "no_stream" : i - 1, [{ type: "Big", data: payload, metadata: new Uint8Array(0) }]);
        const before = statSync(path).size;
        yield* Effect.sleep("2500 millis");
        return { before, after: statSync(path).size, events: (yield* store.read(stream)).length };
      }));
    expect(sizes.events).toBe(768);
    expect(sizes.after).toBeGreaterThan(sizes.before);
    expect(sizes.after).toBeGreaterThan(6 * 1024 * 1024);
  });

  it("serves a live subscriber this instance's appends exactly as the file records them", async () => {
    const category = freshCategory();
    const stream = streamIn(category);
    const [live, stored] = await withStore(join(dir, "tail.db"), (store) =>
      Effect.gen(function* () {
        const subscriber = yield* store.subscribeAll(START, { categories: [category] }).pipe(Stream.take(3), Stream.runCollect, Effect.forkChild);
        yield* Effect.sleep("20 millis");
        yield* store.append(stream, "no_stream", [newEvent("A", "one"), newEvent("B", "two")]);
        yield* store.append(stream, 1, [newEvent("A", "three")]);
        const received = yield* Fiber.join(subscriber).pipe(Effect.timeout("5 seconds"));
        return [received, yield* store.read(stream)] as const;
      }), { pollIntervalMs: 60_000 });
    const shape = (events: ReadonlyArray<RecordedEvent>) =>
      events.map(({ id, stream, revision, position, type, recordedAt, data, metadata }) => ({ id, stream, revision, position, type, recordedAt, data: [...data], metadata: [...metadata] }));
    expect(shape(live)).toEqual(shape(stored));
    expect(bodies(live)).toEqual(["one", "two", "three"]);
  });

  it("keeps only an appended payload's own bytes for live subscribers, not the larger buffer it is a view of", async () => {
    const category = freshCategory();
    const stream = streamIn(category);
    // A payload cut from a socket-sized chunk, as a decoded NATS message's bytes are.
    const chunk = new Uint8Array(64 * 1024).fill(7);
    const data = chunk.subarray(100, 104);
    const live = await withStore(join(dir, "tail-views.db"), (store) =>
      Effect.gen(function* () {
        const subscriber = yield* store.subscribeAll(START, { categories: [category] }).pipe(Stream.take(1), Stream.runCollect, Effect.forkChild);
        yield* Effect.sleep("20 millis");
        yield* store.append(stream, "no_stream", [{ type: "A", data, metadata: chunk.subarray(0, 2) }]);
        // The caller may reuse its buffer once the append returns.
        chunk.fill(9);
        return yield* Fiber.join(subscriber).pipe(Effect.timeout("5 seconds"));
      }), { pollIntervalMs: 60_000 });
    expect([...live[0]!.data]).toEqual([7, 7, 7, 7]);
    expect([...live[0]!.metadata]).toEqual([7, 7]);
    expect(live[0]!.data.buffer.byteLength).toBeLessThan(64);
  });

  it("delivers appends made by another process to a live subscriber, interleaved with its own, in order", async () => {
    const path = join(dir, "shared.db");
    const category = freshCategory();
    const [mine, theirs] = [streamIn(category), streamIn(category)];
    const received = await withStore(path, (store) =>
      Effect.gen(function* () {
        const subscriber = yield* store.subscribeAll(START, { categories: [category] }).pipe(
          Stream.take(400),
          Stream.runCollect,
          Effect.forkChild,
        );
        const other = yield* Effect.forkChild(Effect.promise(() => appendFromOtherProcess(path, theirs, 200)));
        for (let i = 0; i < 200; i++) {
          yield* store.append(mine, i === 0 ? "no_stream" : i - 1, [newEvent("Mine", `mine ${i}`)]);
          yield* Effect.sleep("1 millis");
        }
        yield* Fiber.join(other);
        return yield* Fiber.join(subscriber).pipe(Effect.timeout("20 seconds"));
      }), { pollIntervalMs: 20 });
    const positions: Array<Position> = received.map((event) => event.position);
    expect(new Set(positions).size).toBe(400);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const revisionsOf = (stream: string) => received.filter((event) => event.stream === stream).map((event) => event.revision);
    expect(revisionsOf(mine)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(revisionsOf(theirs)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(bodies(received.filter((event) => event.stream === theirs)).slice(0, 2)).toEqual(["other 0", "other 1"]);
  });
});
