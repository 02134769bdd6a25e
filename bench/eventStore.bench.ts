/**
 * Event store throughput, sqlite adapter in a temp dir: sequential single-event appends (each its
 * own append call, awaited before the next, so each pays a whole commit) with their latency
 * percentiles, then `$all` read back in pages through `readAll`. Prints `name: value` lines.
 * Run from the repo root: `npx node bench/eventStore.bench.ts` (Node 24: type stripping).
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, ManagedRuntime } from "effect";
import { EventStore } from "../infra/eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../infra/eventStore/sqliteEventStore.ts";

const APPENDS = Number(process.env.WEFT_BENCH_APPENDS ?? 50_000);
const BATCHED = Number(process.env.WEFT_BENCH_READ_EVENTS ?? 200_000);
const PAGE = 2_000;
const STREAMS = 1_000;

// Sizes of a typical protobuf event and its metadata (ids, actor, timestamps).
const data = new Uint8Array(180).map((_, i) => (i * 37) & 0xff);
const metadata = new Uint8Array(120).map((_, i) => (i * 11) & 0xff);

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const line = (name: string, value: number) => console.log(`${name}: ${Math.round(value)}`);

const appendSequential = Effect.gen(function* () {
  const store = yield* EventStore;
  const revisions = new Array<number>(STREAMS).fill(-1);
  const streams = Array.from({ length: STREAMS }, () => `server-${randomUUID()}`);
  const latencies = new Float64Array(APPENDS);
  const started = performance.now();
  for (let i = 0; i < APPENDS; i++) {
    const s = i % STREAMS;
    const before = performance.now();
    const result = yield* store.append(streams[s]!, revisions[s] === -1 ? "no_stream" : revisions[s]!, [
      { type: "ServerBuildRequested", data, metadata },
    ]);
    latencies[i] = performance.now() - before;
    revisions[s] = result.revision;
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  line("sqlite.append.sequential.events_per_s", APPENDS / seconds);
  line("sqlite.append.sequential.p50_us", percentile(latencies, 0.5) * 1000);
  line("sqlite.append.sequential.p99_us", percentile(latencies, 0.99) * 1000);
});

// Fills the log up to BATCHED events quickly (100 per append) so the read measures a real size.
const fill = Effect.gen(function* () {
  const store = yield* EventStore;
  const batch = Array.from({ length: 100 }, () => ({ type: "ServerBuildRequested", data, metadata }));
  for (let total = APPENDS; total < BATCHED; total += batch.length) {
    yield* store.append(`server-${randomUUID()}`, "no_stream", batch);
  }
});

const readAllOnce = Effect.gen(function* () {
  const store = yield* EventStore;
  const started = performance.now();
  let after = 0;
  let count = 0;
  let bytes = 0;
  for (;;) {
    const page = yield* store.readAll(after, PAGE);
    if (page.length === 0) break;
    for (const event of page) bytes += event.data.length + event.metadata.length;
    count += page.length;
    after = page[page.length - 1]!.position;
  }
  return { count, bytes, seconds: (performance.now() - started) / 1000 };
});

const readAllBest = Effect.gen(function* () {
  let best = 0;
  let count = 0;
  for (let round = 0; round < 5; round++) {
    const result = yield* readAllOnce;
    count = result.count;
    best = Math.max(best, result.count / result.seconds);
  }
  line("sqlite.readAll.events", count);
  line("sqlite.readAll.events_per_s", best);
});

const dir = await mkdtemp(join(tmpdir(), "weft-bench-"));
const runtime = ManagedRuntime.make(sqliteEventStoreLayer(join(dir, "events.db")));
try {
  await runtime.runPromise(appendSequential);
  await runtime.runPromise(fill);
  await runtime.runPromise(readAllBest);
} finally {
  await runtime.dispose();
  await rm(dir, { recursive: true, force: true });
}
