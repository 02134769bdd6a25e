/**
 * The meter role: follows the public event stream (`subscribeEvents`, the same client any outside
 * program uses) from its checkpoint, folds each CloudEvent into the metering document
 * (projections/metering), and checkpoints the document together with its position in one msgpack
 * file, written beside and renamed over, so a crash leaves the previous checkpoint whole. A
 * restart resumes after the checkpoint's position, and the fold skips anything at or before it,
 * so re-read events never count twice.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect, Schedule } from "effect";
import { Packr, unpack } from "msgpackr";
import {
  evolveMetering,
  initialMeteringDocument,
  meteringFromSnapshot,
  meteringToSnapshot,
  METERING_SNAPSHOT_VERSION,
  type MeteredEvent,
  type MeteringDocument,
} from "@weft/projections/metering";
import type { AnyWeftCloudEvent } from "../events/cloudEvents.ts";
import { subscribeEvents, SubscriptionRefused, type SubscribeOptions } from "../events/subscriber.ts";

// The fold reads CloudEvents through its own narrower type: this keeps the two in step.
const _publicEventsAreMetered = (event: AnyWeftCloudEvent): MeteredEvent => event;

export interface MeterOptions {
  /** Where the stream is and who the meter is: url, token (a function, for fresh logins), fetch. */
  readonly stream: Pick<SubscribeOptions, "url" | "token" | "fetch" | "reconnectDelayMs" | "maxReconnectDelayMs">;
  /** `<WEFT_DATA_DIR>/meter`: the checkpoint lives here. */
  readonly dir: string;
  /** How often a moved document is checkpointed. Default 1 s. */
  readonly checkpointEveryMs?: number;
}

export interface RunningMeter {
  /** The document folded so far; its `position` is the last event folded. */
  readonly current: () => MeteringDocument;
  /** Resolves once the document has folded `position` (or the meter stopped). */
  readonly waitFor: (position: number) => Promise<boolean>;
}

/** Published: the checkpoint's file name under the meter's dir. */
export const meterCheckpointFile = `meter.v${METERING_SNAPSHOT_VERSION}.msgpack`;

interface Checkpoint {
  readonly position: number;
  readonly snapshot: unknown;
}

const loadCheckpoint = (path: string) =>
  Effect.tryPromise(() => readFile(path)).pipe(
    Effect.map((bytes) => {
      const saved = unpack(bytes) as Checkpoint;
      const doc = meteringFromSnapshot(saved.snapshot);
      return doc.position === saved.position ? doc : initialMeteringDocument();
    }),
    Effect.catch(() => Effect.succeed(initialMeteringDocument())),
  );

const saveCheckpoint = (path: string, doc: MeteringDocument) =>
  Effect.tryPromise(async () => {
    await writeFile(`${path}.tmp`, new Packr({ useRecords: true }).pack({ position: doc.position, snapshot: meteringToSnapshot(doc) } satisfies Checkpoint));
    await rename(`${path}.tmp`, path);
  }).pipe(Effect.catch((error) => Effect.logWarning(`meter checkpoint ${path} not written`, error)));

/** Runs the meter until the scope closes, checkpointing as it goes and once more on close. */
export const runMeter = Effect.fnUntraced(function* (options: MeterOptions) {
  yield* Effect.tryPromise(() => mkdir(options.dir, { recursive: true })).pipe(Effect.orDie);
  const path = join(options.dir, meterCheckpointFile);
  let doc = yield* loadCheckpoint(path);
  let saved = doc.position;
  const waiters = new Set<{ readonly position: number; readonly resolve: (seen: boolean) => void }>();

  const follow = async (signal: AbortSignal) => {
    for (;;) {
      try {
        for await (const event of subscribeEvents({ ...options.stream, after: doc.position, signal })) {
          doc = evolveMetering(doc, event);
          for (const waiter of waiters) {
            if (waiter.position <= doc.position) {
              waiters.delete(waiter);
              waiter.resolve(true);
            }
          }
        }
        return;
      } catch (error) {
        // A checkpoint beyond the stream's newest event belongs to another log (a wiped data dir):
        // meter this one from its start.
        if (!(error instanceof SubscriptionRefused && error.status === 400 && doc.position > 0)) throw error;
        doc = initialMeteringDocument();
      }
    }
  };

  const checkpoint = Effect.suspend(() => {
    if (doc.position === saved) return Effect.void;
    const taken = doc;
    return saveCheckpoint(path, taken).pipe(Effect.tap(() => Effect.sync(() => (saved = taken.position))));
  });

  yield* Effect.addFinalizer(() =>
    checkpoint.pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          for (const waiter of waiters) waiter.resolve(false);
          waiters.clear();
        }),
      ),
    ),
  );
  yield* Effect.tryPromise((signal) => follow(signal)).pipe(
    Effect.tapError((error) => Effect.logError("meter stopped following the event stream", error)),
    Effect.forkScoped,
  );
  yield* checkpoint.pipe(Effect.repeat(Schedule.spaced(options.checkpointEveryMs ?? 1000)), Effect.forkScoped);

  return {
    current: () => doc,
    waitFor: (position) =>
      doc.position >= position ? Promise.resolve(true) : new Promise<boolean>((resolve) => void waiters.add({ position, resolve })),
  } satisfies RunningMeter;
});
