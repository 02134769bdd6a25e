/**
 * A data dir for profiling `weft verify` on its own: the replay bench's kept log
 * (REPLAY_BENCH_LOG) copied in as `events.sqlite`, and the four gateway snapshots written at its
 * head as `weft up` writes them, as the replay bench does before it spawns verify. Not a bench
 * (`bench/main.ts` runs only `*.bench.ts`). Then, as often as wanted:
 * `WEFT_DATA_DIR=<dir> node_modules/.bin/node --cpu-prof cli/main.ts verify`.
 * Run from the repository root: `REPLAY_BENCH_LOG=<log> node_modules/.bin/node bench/verifyDataDir.ts <dir>`.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";
import { EventStore, sqliteEventStoreLayer } from "@weft/infra/eventStore";
import { readModels, replay } from "@weft/infra/replay";
import { snapshotPath, writeSnapshot } from "@weft/infra/runtime";

const log = process.env.REPLAY_BENCH_LOG;
const dir = process.argv[2];
if (log === undefined || dir === undefined) {
  console.error("usage: REPLAY_BENCH_LOG=<log> node bench/verifyDataDir.ts <dir>");
  process.exit(2);
}
await mkdir(join(dir, "snapshots"), { recursive: true });
await copyFile(log, join(dir, "events.sqlite"));
const gateway = readModels.filter((model) => model.projection !== undefined);
const result = await Effect.runPromise(
  Effect.gen(function* () {
    return yield* replay(yield* EventStore, gateway.map((model) => ({ model })), { kind: "head" });
  }).pipe(Effect.provide(sqliteEventStoreLayer(join(dir, "events.sqlite")))),
);
for (const { model, doc, position } of result.models) {
  await Effect.runPromise(writeSnapshot(snapshotPath(join(dir, "snapshots"), model.projection!), { position, snapshot: model.projection!.toSnapshot(doc) }));
}
console.log(`${dir}: ${result.events} events, snapshots at position ${result.position}`);
