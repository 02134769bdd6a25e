/**
 * The meter role: follows the public event stream (`subscribeEvents`, the same client any outside
 * program uses) from its checkpoint, folds each CloudEvent into the metering document
 * (projections/metering), and checkpoints the document together with its position in one msgpack
 * file, written beside and renamed over, so a crash leaves the previous checkpoint whole. A
 * restart resumes after the checkpoint's position, and the fold skips anything at or before it,
 * so re-read events never count twice.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Effect, Fiber, Schedule, Schema } from "effect";
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
import { pause, subscribeEvents, SubscriptionRefused, type SubscribeOptions } from "../events/subscriber.ts";
import { readSnapshot, writeSnapshot } from "../runtime/projectionRunner.ts";
import { LoginRefused } from "./keystone.ts";

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

/** The cloud refused the meter (its credentials, its role, its filter): it stopped following. */
export class MeterRefused extends Schema.TaggedError<MeterRefused>()("MeterRefused", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

export interface RunningMeter {
  /** Fails when the meter stops following for good (MeterRefused); never succeeds. */
  readonly stopped: Effect.Effect<never, MeterRefused>;
  /** The document folded so far; its `position` is the last event folded. */
  readonly current: () => MeteringDocument;
  /** Resolves once the document has folded `position` (or the meter stopped). */
  readonly waitFor: (position: number) => Promise<boolean>;
}

/** Published: the checkpoint's file name under the meter's dir. */
export const meterCheckpointFile = `meter.v${METERING_SNAPSHOT_VERSION}.msgpack`;

// The document and its position in one file, as read models' snapshots are (written beside and
// renamed over); one whose document disagrees with its position is not trusted.
const loadCheckpoint = (path: string) =>
  Effect.map(readSnapshot(path), (saved) => {
    if (saved === undefined) return initialMeteringDocument();
    try {
      const doc = meteringFromSnapshot(saved.snapshot);
      return doc.position === saved.position ? doc : initialMeteringDocument();
    } catch {
      return initialMeteringDocument();
    }
  });

const saveCheckpoint = (path: string, doc: MeteringDocument) => writeSnapshot(path, { position: doc.position, snapshot: meteringToSnapshot(doc) });

/** Runs the meter until the scope closes, checkpointing as it goes and once more on close. */
export const runMeter = Effect.fnUntraced(function* (options: MeterOptions) {
  yield* Effect.tryPromise(() => mkdir(options.dir, { recursive: true })).pipe(Effect.orDie);
  const path = join(options.dir, meterCheckpointFile);
  let doc = yield* loadCheckpoint(path);
  let saved = doc.position;
  const waiters = new Set<{ readonly position: number; readonly resolve: (seen: boolean) => void }>();

  // Anything but a refusal (the gateway down or restarting, a login that could not reach it) is
  // waited out; a refusal (bad credentials, not admin) ends the meter.
  const follow = async (signal: AbortSignal) => {
    for (let delay = 500; ; delay = Math.min(delay * 2, 30_000)) {
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
        if (signal.aborted) return;
        if (error instanceof SubscriptionRefused && error.status === 400 && doc.position > 0) {
          // A checkpoint beyond the stream's newest event belongs to another log (a wiped data
          // dir): meter this one from its start.
          doc = initialMeteringDocument();
          continue;
        }
        if (error instanceof SubscriptionRefused || error instanceof LoginRefused) throw new MeterRefused({ message: error.message, cause: error });
        onRetry(error, delay);
        await pause(delay, signal);
      }
    }
  };

  const checkpoint = Effect.suspend(() => {
    if (doc.position === saved) return Effect.void;
    const taken = doc;
    return saveCheckpoint(path, taken).pipe(Effect.tap(() => Effect.sync(() => (saved = taken.position))));
    // A write under way finishes before the final one starts: both use the same temporary file.
  }).pipe(Effect.uninterruptible);

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
  const services = yield* Effect.context<never>();
  const onRetry = (error: unknown, delay: number) =>
    Effect.runForkWith(services)(Effect.logWarning(`meter: the event stream failed, retrying in ${delay} ms`, error));
  const following = yield* Effect.tryPromise({
    try: (signal) => follow(signal),
    catch: (error) => (error instanceof MeterRefused ? error : new MeterRefused({ message: String(error), cause: error })),
  }).pipe(
    Effect.tapError((error) => Effect.logError("meter stopped following the event stream", error)),
    Effect.forkScoped,
  );
  yield* checkpoint.pipe(Effect.repeat(Schedule.spaced(options.checkpointEveryMs ?? 1000)), Effect.forkScoped);

  return {
    stopped: Fiber.join(following).pipe(Effect.andThen(Effect.never)),
    current: () => doc,
    waitFor: (position) =>
      doc.position >= position ? Promise.resolve(true) : new Promise<boolean>((resolve) => void waiters.add({ position, resolve })),
  } satisfies RunningMeter;
});
