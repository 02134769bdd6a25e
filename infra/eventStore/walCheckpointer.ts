/**
 * Moves the sqlite store's WAL checkpoints off the thread that appends. SQLite checkpoints inside
 * whichever commit crosses `wal_autocheckpoint` (10,000 pages): that commit, and every request
 * waiting on the thread behind it, paid for copying the log into the database file and an fsync
 * (30-60 ms every few seconds under load, docs/benchmarks.md). A passive checkpoint from another
 * connection every second neither waits for nor blocks the writer, and keeps the log below the
 * threshold; the autocheckpoint stays as the backstop.
 *
 * Two ways to run it: a store instance starts a thread of its own for it once its log has grown
 * past a few megabytes (a store that never writes much never does), unless the process already
 * runs checkpoints on another thread with `runWalCheckpoints` (`weft up` does, in its background
 * roles thread: a thread costs ~40 MB).
 */
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { Effect } from "effect";
import { openWalCheckpoints, WAL_CHECKPOINT_EVERY_MS } from "./walCheckpoints.ts";

/** The log size past which a store starts its checkpoint thread. */
const START_AT_BYTES = 4 * 1024 * 1024;
/** Appends between two looks at the log's size (one `stat` each). */
const LOOK_EVERY = 256;

const threadEntry = new URL("./walCheckpointThread.ts", import.meta.url);

/** Checkpoints `path`'s log every second on the calling thread until the scope closes. */
export const runWalCheckpoints = (path: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const checkpoints = openWalCheckpoints(path);
      const timer = setInterval(checkpoints.checkpoint, WAL_CHECKPOINT_EVERY_MS);
      timer.unref();
      return { checkpoints, timer };
    }),
    ({ checkpoints, timer }) =>
      Effect.sync(() => {
        clearInterval(timer);
        checkpoints.close();
      }),
  );

export interface WalCheckpointer {
  /** Called after each append: now and then looks whether the log has grown enough. */
  readonly appended: () => void;
  /** Stops the thread, if it runs, once its checkpoint under way is done. */
  readonly stop: () => Promise<void>;
}

/** For a store whose checkpoints another thread runs. */
export const noWalCheckpointer: WalCheckpointer = { appended: () => undefined, stop: () => Promise.resolve() };

export const makeWalCheckpointer = (path: string): WalCheckpointer => {
  let appends = 0;
  let thread: Worker | undefined;
  let stopped = false;
  const logSize = () => {
    try {
      return statSync(`${path}-wal`).size;
    } catch {
      return 0;
    }
  };
  return {
    appended: () => {
      if (thread !== undefined || stopped || ++appends % LOOK_EVERY !== 0 || logSize() < START_AT_BYTES) return;
      thread = new Worker(threadEntry, { workerData: { path, everyMs: WAL_CHECKPOINT_EVERY_MS } });
      thread.unref();
      // Without it the writer's autocheckpoint still keeps the log bounded, as before.
      thread.on("error", () => undefined);
    },
    stop: () => {
      stopped = true;
      const running = thread;
      if (running === undefined) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => void running.terminate(), 5_000);
        running.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        running.postMessage("stop");
      });
    },
  };
};
