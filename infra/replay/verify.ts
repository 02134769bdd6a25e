/**
 * `weft verify`'s check: the read models a restarting cloud would serve (the gateway's snapshots
 * in the data dir, which `weft up` loads at start and rewrites every minute and on shutdown)
 * against a fresh replay of the log, each read model replayed to its own snapshot's position.
 * Documents are compared by the sha256 of their canonical form (`canonical.ts`), so a snapshot
 * folded incrementally, restored and folded further matches a replay from zero exactly when they
 * hold the same data.
 */
import { Effect } from "effect";
import type { EventStoreShape, EventStoreUnavailable, Position } from "../eventStore/EventStore.ts";
import { snapshotPath } from "../runtime/projectionRunner.ts";
import { hashLiveFiles, readLiveFile, type LiveFile, type LiveHash } from "./liveSnapshots.ts";
import { readModels } from "./readModels.ts";
import { replayHashes, type ReplayOptions, type ReplayTarget } from "./replay.ts";

export type CheckOutcome =
  /** Same hash. */
  | "match"
  /** Different hashes: the live read model is not what the log folds to. */
  | "differs"
  /** No snapshot of this read model's version in the data dir. */
  | "missing"
  /** A file that is not a snapshot this version of the read model reads. */
  | "unreadable"
  /** A snapshot beyond the log's head: it belongs to another log. */
  | "ahead";

export interface ReadModelCheck {
  readonly name: string;
  readonly outcome: CheckOutcome;
  readonly path: string;
  /** The live snapshot's position, when there is one. */
  readonly position?: Position;
  readonly liveSha256?: string;
  readonly replayedSha256?: string;
  readonly detail?: string;
}

/**
 * Checks every read model that has a live snapshot in `snapshotDir`; with `options.thread` the
 * replay uses a second thread (compute here, the others there, each hashed where it was folded).
 */
export const verifyReadModels = (
  store: EventStoreShape,
  snapshotDir: string,
  pageSize?: number,
  options: ReplayOptions = {},
): Effect.Effect<ReadonlyArray<ReadModelCheck>, EventStoreUnavailable> =>
  Effect.scoped(
    Effect.gen(function* () {
      const gateway = readModels.filter((model) => model.projection !== undefined);
      const paths = new Map(gateway.map((model) => [model.name, snapshotPath(snapshotDir, model.projection!)]));
      const live = yield* Effect.promise(() => Promise.all(gateway.map((model) => readLiveFile(model.name, paths.get(model.name)!))));
      // The head after the snapshots: a running cloud may write a newer one while they are read.
      const head = yield* store.head;
      const comparable = live.filter((read): read is Extract<typeof read, { kind: "read" }> => read.kind === "read" && read.position <= head);
      // The live documents are decoded and hashed in a thread of their own while this one replays.
      const hashing = yield* Effect.acquireRelease(
        Effect.sync(() => hashLiveFiles(comparable.map(({ name, position, bytes }): LiveFile => ({ name, position, bytes })))),
        (thread) => Effect.promise(thread.stop),
      );
      const targets: Array<ReplayTarget> = comparable.map((read) => ({ model: gateway.find((model) => model.name === read.name)!, until: read.position }));
      const until = Math.max(0, ...comparable.map((read) => read.position));
      const replayed = yield* replayHashes(store, targets, { kind: "position", position: until }, pageSize, options);
      const replayedSha256 = new Map(replayed.models.map(({ model, sha256 }) => [model.name, sha256]));
      const liveHashes = new Map<string, LiveHash>((yield* Effect.promise(() => hashing.hashes)).map((hash) => [hash.name, hash]));
      return live.map((read): ReadModelCheck => {
        const { name } = read;
        const path = paths.get(name)!;
        if (read.kind !== "read") return { name, path, outcome: read.kind, detail: read.detail };
        const { position } = read;
        if (position > head) return { name, path, position, outcome: "ahead", detail: `snapshot at position ${position}, the log ends at ${head}` };
        const hash = liveHashes.get(name)!;
        if ("unreadable" in hash) return { name, path, outcome: "unreadable", detail: hash.unreadable };
        const fresh = replayedSha256.get(name)!;
        return { name, path, position, liveSha256: hash.sha256, replayedSha256: fresh, outcome: hash.sha256 === fresh ? "match" : "differs" };
      });
    }),
  );
