/**
 * `weft replay --until <ISO time | position> [--out DIR]` and `weft verify`: admin commands over
 * the event log itself. They open the store named by WEFT_EVENT_STORE (or the data dir's sqlite
 * file) read-only in effect, so they run beside `weft up` (sqlite's WAL lets readers in while it
 * writes) and never change the cloud. Replay folds every read model from an empty state and
 * prints, per read model, the events folded, the position reached and the sha256 of its
 * canonical form; `--out` also writes that form, `<DIR>/<name>.json`, whose sha256 is the one
 * printed. Verify compares the gateway's snapshots in the data dir with a fresh replay.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Effect, Layer, Schema } from "effect";
import { EventStore, eventStoreFromUrl, type EventStoreUnavailable, type InvalidEventStoreUrl } from "@weft/infra/eventStore";
import { canonicalHash, parseReplayBound, readModels, replay as replayLog, verifyReadModels, type ReplayBound } from "@weft/infra/replay";
import { UsageError } from "./agent.ts";
import { weftConfig, type WeftConfig } from "./config.ts";

export const replayUsage = "weft replay [--until <ISO time | position>] [--out DIR]";
export const verifyUsage = "weft verify";

/** A check that ran and found something wrong: `weft` prints the message and exits 1. */
export class CheckFailed extends Schema.TaggedError<CheckFailed>()("CheckFailed", {
  message: Schema.String,
}) {}

type ArgumentOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

export const parseArguments = <const O extends ArgumentOptions>(args: ReadonlyArray<string>, options: O) =>
  Effect.try({
    try: () => parseArgs({ args: [...args], options, strict: true, allowPositionals: true }),
    catch: (error) => new UsageError({ message: (error as Error).message }),
  });

export const parseBound = (flag: string, text: string | undefined): Effect.Effect<ReplayBound, UsageError> => {
  if (text === undefined) return Effect.succeed({ kind: "head" });
  const bound = parseReplayBound(text);
  return bound === undefined
    ? Effect.fail(new UsageError({ message: `${flag} must be an ISO 8601 time (2026-11-22T10:00:00Z) or a log position (digits), got "${text}"` }))
    : Effect.succeed(bound);
};

/** The configured store, refusing a sqlite file that does not exist rather than creating an empty log. */
export const logLayer = (config: WeftConfig): Layer.Layer<EventStore, UsageError | EventStoreUnavailable | InvalidEventStoreUrl> => {
  const path = config.eventStore.startsWith("sqlite:") ? config.eventStore.slice("sqlite:".length) : undefined;
  if (path !== undefined && !existsSync(path)) {
    return Layer.effect(EventStore, Effect.fail(new UsageError({ message: `no event log at ${path} (set WEFT_DATA_DIR or WEFT_EVENT_STORE)` })));
  }
  return eventStoreFromUrl(config.eventStore);
};

const describeBound = (bound: ReplayBound) =>
  bound.kind === "head" ? "the head of the log" : bound.kind === "position" ? `position ${bound.position}` : `time ${bound.time}`;

/** Rows as aligned columns, two spaces apart, the last column unpadded. */
export const table = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")).join("\n");
};

/** Hashes `doc`, writing its canonical form to `path` as it goes when one is given. */
const hashTo = (doc: unknown, path: string | undefined) => {
  if (path === undefined) return canonicalHash(doc);
  // Owner-only: the identity document holds password hashes.
  const fd = openSync(`${path}.tmp`, "w", 0o600);
  try {
    return canonicalHash(doc, (chunk) => void writeSync(fd, chunk));
  } finally {
    closeSync(fd);
  }
};

export const replay = Effect.gen(function* () {
  const { values, positionals } = yield* parseArguments(process.argv.slice(3), { until: { type: "string" }, out: { type: "string" } });
  if (positionals.length > 0) return yield* new UsageError({ message: `unexpected argument "${positionals[0]}"` });
  const bound = yield* parseBound("--until", values.until);
  const config = yield* weftConfig;
  const out = values.out;
  yield* Effect.gen(function* () {
    const store = yield* EventStore;
    const started = performance.now();
    // Compute folds here, the other read models in a second thread that opens the store itself.
    const result = yield* replayLog(store, readModels.map((model) => ({ model })), bound, undefined, { thread: { eventStore: config.eventStore } });
    const seconds = (performance.now() - started) / 1000;
    if (out !== undefined) mkdirSync(out, { recursive: true });
    const rows = [["read model", "events folded", "position", "sha256"]];
    for (const { model, doc, folded, position } of result.models) {
      const path = out === undefined ? undefined : join(out, `${model.name}.json`);
      const sha256 = hashTo(doc, path);
      if (path !== undefined) renameSync(`${path}.tmp`, path);
      rows.push([model.name, String(folded), String(position), sha256]);
    }
    console.log(`replayed ${result.events} events to position ${result.position} (until ${describeBound(bound)}) in ${seconds.toFixed(2)} s`);
    console.log(table(rows));
    if (out !== undefined) console.log(`canonical documents written to ${out}/<read model>.json`);
  }).pipe(Effect.provide(logLayer(config)));
});

export const verify = Effect.gen(function* () {
  const { positionals } = yield* parseArguments(process.argv.slice(3), {});
  if (positionals.length > 0) return yield* new UsageError({ message: `unexpected argument "${positionals[0]}"` });
  const config = yield* weftConfig;
  const snapshotDir = join(config.dataDir, "snapshots");
  yield* Effect.gen(function* () {
    const store = yield* EventStore;
    // Compute replays here, the other read models in a second thread that opens the store itself;
    // each is hashed where it was folded.
    const checks = yield* verifyReadModels(store, snapshotDir, undefined, { thread: { eventStore: config.eventStore } });
    const rows = [["read model", "result", "position", "live sha256", "replayed sha256"]];
    for (const check of checks) {
      rows.push([check.name, check.outcome, String(check.position ?? "-"), check.liveSha256 ?? "-", check.replayedSha256 ?? check.detail ?? "-"]);
    }
    console.log(table(rows));
    const failed = checks.filter((check) => check.outcome !== "match");
    if (failed.length > 0) {
      return yield* new CheckFailed({
        message: `${failed.length} read model(s) do not match the log: ${failed.map((check) => `${check.name} (${check.outcome}${check.detail === undefined ? "" : `: ${check.detail}`})`).join(", ")}`,
      });
    }
    console.log(`all ${checks.length} read models match a replay of the log`);
  }).pipe(Effect.provide(logLayer(config)));
});
