/**
 * Event store throughput, sqlite adapter in a temp dir: sequential single-event appends (each its
 * own append call, awaited before the next, so each pays a whole commit) with their latency
 * percentiles, then `$all` read back in pages through `readAll`, raw and decoded (each event's
 * protobuf payload and metadata, as a projection replay does). Prints `name: value` lines.
 * Run from the repo root: `npx node bench/eventStore.bench.ts` (Node 24: type stripping).
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, ManagedRuntime } from "effect";
import { eventMetadataCodec, systemActor } from "../proto/index.ts";
import { identityEventCodec } from "../infra/contexts/identity.ts";
import { EventStore } from "../infra/eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../infra/eventStore/sqliteEventStore.ts";

const APPENDS = Number(process.env.WEFT_BENCH_APPENDS ?? 50_000);
const BATCHED = Number(process.env.WEFT_BENCH_READ_EVENTS ?? 200_000);
const PAGE = 2_000;
const STREAMS = 1_000;

// A real event and its metadata, as the command handler writes them.
const TYPE = "ProjectCreated";
const data = identityEventCodec.encode({
  type: TYPE,
  data: { projectId: randomUUID().replaceAll("-", ""), domainId: "default", name: "benchmark-project", description: "a project", enabled: true, tags: ["bench"] },
});
const metadata = eventMetadataCodec.encode({
  commandId: randomUUID(), requestId: `req-${randomUUID()}`, correlationId: randomUUID(), causationId: randomUUID(),
  actor: systemActor, occurredAt: new Date().toISOString(),
});

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
      { type: TYPE, data, metadata },
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
  const batch = Array.from({ length: 100 }, () => ({ type: TYPE, data, metadata }));
  for (let total = APPENDS; total < BATCHED; total += batch.length) {
    yield* store.append(`server-${randomUUID()}`, "no_stream", batch);
  }
});

const readAllOnce = (decode: boolean) => Effect.gen(function* () {
  const store = yield* EventStore;
  const started = performance.now();
  let after = 0;
  let count = 0;
  let bytes = 0;
  for (;;) {
    const page = yield* store.readAll(after, PAGE);
    if (page.length === 0) break;
    for (const event of page) {
      bytes += event.data.length + event.metadata.length;
      if (decode && identityEventCodec.decode(event.type, event.data).type !== TYPE) throw new Error("decoded the wrong event");
      if (decode && eventMetadataCodec.decode(event.metadata).actor.userName !== "weft") throw new Error("decoded the wrong metadata");
    }
    count += page.length;
    after = page[page.length - 1]!.position;
  }
  return { count, bytes, seconds: (performance.now() - started) / 1000 };
});

const readAllBest = (decode: boolean) => Effect.gen(function* () {
  let best = 0;
  let count = 0;
  for (let round = 0; round < 5; round++) {
    const result = yield* readAllOnce(decode);
    count = result.count;
    best = Math.max(best, result.count / result.seconds);
  }
  if (!decode) line("sqlite.readAll.events", count);
  line(decode ? "sqlite.readAll.decoded.events_per_s" : "sqlite.readAll.events_per_s", best);
});

const dir = await mkdtemp(join(tmpdir(), "weft-bench-"));
const runtime = ManagedRuntime.make(sqliteEventStoreLayer(join(dir, "events.db")));
try {
  await runtime.runPromise(appendSequential);
  await runtime.runPromise(fill);
  await runtime.runPromise(readAllBest(false));
  await runtime.runPromise(readAllBest(true));
} finally {
  await runtime.dispose();
  await rm(dir, { recursive: true, force: true });
}
