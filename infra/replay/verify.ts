/**
 * `weft verify`'s check: the read models a restarting cloud would serve (the gateway's snapshots
 * in the data dir, which `weft up` loads at start and rewrites every minute and on shutdown)
 * against a fresh replay of the log, each read model replayed to its own snapshot's position.
 * Documents are compared by the sha256 of their canonical form (`canonical.ts`), so a snapshot
 * folded incrementally, restored and folded further matches a replay from zero exactly when they
 * hold the same data.
 */
import { readFile } from "node:fs/promises";
import { Effect } from "effect";
import { unpack } from "msgpackr";
import type { EventStoreShape, EventStoreUnavailable, Position } from "../eventStore/EventStore.ts";
import { snapshotPath } from "../runtime/projectionRunner.ts";
import { canonicalHash } from "./canonical.ts";
import { readModels, type ReadModel } from "./readModels.ts";
import { replay, type ReplayTarget } from "./replay.ts";

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

interface LiveSnapshot {
  readonly model: ReadModel;
  readonly path: string;
  readonly position?: Position;
  readonly doc?: unknown;
  readonly problem?: { readonly outcome: CheckOutcome; readonly detail: string };
}

const readLive = (model: ReadModel, snapshotDir: string): Effect.Effect<LiveSnapshot> => {
  const projection = model.projection!;
  const path = snapshotPath(snapshotDir, projection);
  return Effect.promise(async (): Promise<LiveSnapshot> => {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return { model, path, problem: { outcome: "missing", detail: `no snapshot at ${path}` } };
    }
    try {
      const saved = unpack(bytes) as { readonly position?: unknown; readonly snapshot?: unknown };
      if (typeof saved?.position !== "number" || !Number.isSafeInteger(saved.position) || saved.position < 0) {
        return { model, path, problem: { outcome: "unreadable", detail: "the file holds no snapshot position" } };
      }
      return { model, path, position: saved.position, doc: projection.fromSnapshot(saved.snapshot) };
    } catch (error) {
      return { model, path, problem: { outcome: "unreadable", detail: (error as Error).message } };
    }
  });
};

/** Checks every read model that has a live snapshot in `snapshotDir`. */
export const verifyReadModels = (
  store: EventStoreShape,
  snapshotDir: string,
  pageSize?: number,
): Effect.Effect<ReadonlyArray<ReadModelCheck>, EventStoreUnavailable> =>
  Effect.gen(function* () {
    const live = yield* Effect.forEach(readModels.filter((model) => model.projection !== undefined), (model) => readLive(model, snapshotDir));
    // The head after the snapshots: a running cloud may write a newer one while they are read.
    const head = yield* store.head;
    const comparable = live.filter((snapshot) => snapshot.problem === undefined && snapshot.position! <= head);
    const targets: Array<ReplayTarget> = comparable.map((snapshot) => ({ model: snapshot.model, until: snapshot.position! }));
    const until = Math.max(0, ...comparable.map((snapshot) => snapshot.position!));
    const replayed = yield* replay(store, targets, { kind: "position", position: until }, pageSize);
    return live.map((snapshot): ReadModelCheck => {
      const { model, path, position } = snapshot;
      if (snapshot.problem !== undefined) return { name: model.name, path, outcome: snapshot.problem.outcome, detail: snapshot.problem.detail };
      if (position! > head) {
        return { name: model.name, path, position, outcome: "ahead", detail: `snapshot at position ${position}, the log ends at ${head}` };
      }
      const fresh = replayed.models.find((entry) => entry.model === model)!;
      const liveSha256 = canonicalHash(snapshot.doc);
      const replayedSha256 = canonicalHash(fresh.doc);
      return { name: model.name, path, position, liveSha256, replayedSha256, outcome: liveSha256 === replayedSha256 ? "match" : "differs" };
    });
  });
