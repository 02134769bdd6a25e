/**
 * A replay's second thread: a worker that opens the event store itself, folds its share of the
 * read models through the same engine (`replayTo`) to the same last position, and hands each
 * document back in its portable form (or its hash, for `weft verify`). The compute read model, whose document is the one too big
 * to hand over, stays in the calling thread; this thread takes the others, so the two folds run
 * on two cores and neither waits on the other until the end.
 */
import type { Position } from "../eventStore/EventStore.ts";
import { startOneReplyThread } from "./oneReplyThread.ts";
import { readModelNamed, type ReadModel } from "./readModels.ts";
import type { ReplayBound, ReplayTarget } from "./replay.ts";

/** What the thread is started with: plain data, as `workerData` carries it. */
export interface ThreadReplayRequest {
  readonly eventStore: string;
  readonly models: ReadonlyArray<{ readonly name: string; readonly until?: Position }>;
  readonly bound: ReplayBound;
  readonly last: Position;
  readonly pageSize: number;
  /** Hash each document in the thread instead of handing it back. */
  readonly hashed: boolean;
}

/** What the thread posts back: each model's document packed or its hash, or why it failed. */
export type ThreadReplayReply =
  | {
    readonly models: ReadonlyArray<{ readonly name: string; readonly folded: number; readonly position: Position; readonly packed?: unknown; readonly sha256?: string }>;
  }
  | { readonly failed: string };

/** A read model the thread replayed: its document (unpacked), or its hash when hashed. */
export interface ThreadModel {
  readonly model: ReadModel;
  readonly folded: number;
  readonly position: Position;
  readonly doc?: unknown;
  readonly sha256?: string;
}

export interface ThreadReplay {
  /** The thread's read models; rejects when the thread fails. */
  readonly result: Promise<ReadonlyArray<ThreadModel>>;
  /** Ends the thread (when the replay stops early). */
  readonly stop: () => Promise<void>;
}

const threadEntry = new URL("./replayThreadEntry.ts", import.meta.url);

/**
 * Starts the thread for `targets`, every one with a portable form. Its young generation is 64 MB:
 * a fold allocates a little garbage per event and keeps some of it, which a small one copies again
 * and again.
 */
export const replayInThread = (request: Omit<ThreadReplayRequest, "models"> & { readonly targets: ReadonlyArray<ReplayTarget> }): ThreadReplay => {
  const { targets, ...rest } = request;
  const models = new Map<string, ReadModel>(targets.map((target) => [target.model.name, target.model]));
  const workerData: ThreadReplayRequest = {
    ...rest,
    models: targets.map(({ model, until }) => (until === undefined ? { name: model.name } : { name: model.name, until })),
  };
  const thread = startOneReplyThread<ThreadReplayReply>(threadEntry, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 64 } }, "the replay thread");
  const result = thread.reply.then((reply) => {
    if ("failed" in reply) throw new Error(reply.failed);
    return reply.models.map(({ name, folded, position, packed, sha256 }): ThreadModel => {
      const model = models.get(name)!;
      return sha256 === undefined ? { model, doc: model.portable!.unpack(packed), folded, position } : { model, sha256, folded, position };
    });
  });
  // Awaited after this thread's own fold: a failure meanwhile must not count as unhandled.
  result.catch(() => undefined);
  return { result, stop: thread.stop };
};

/** The targets of a request, as the thread finds them in its own copy of the read models. */
export const targetsOf = (request: ThreadReplayRequest): ReadonlyArray<ReplayTarget> =>
  request.models.map(({ name, until }) => ({ model: readModelNamed(name)!, ...(until === undefined ? {} : { until }) }));
