/**
 * Moves the sqlite store's WAL checkpoints off the thread that appends. SQLite checkpoints inside
 * whichever commit crosses `wal_autocheckpoint` (10,000 pages): that commit, and every request
 * waiting on the thread behind it, paid for copying the log into the database file and an fsync
 * (30-60 ms every few seconds under load, docs/benchmarks.md). Once the log has grown past a few
 * megabytes, a thread of its own (`walCheckpointThread.ts`) checkpoints it every second, so the
 * log never reaches the threshold; the autocheckpoint stays as the backstop. A store that never
 * writes much never starts the thread.
 */
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** The log size past which checkpoints move to their own thread. */
const START_AT_BYTES = 4 * 1024 * 1024;
/** Appends between two looks at the log's size (one `stat` each). */
const LOOK_EVERY = 256;
const CHECKPOINT_EVERY_MS = 1_000;

const threadEntry = new URL("./walCheckpointThread.ts", import.meta.url);

export interface WalCheckpointer {
  /** Called after each append: now and then looks whether the log has grown enough. */
  readonly appended: () => void;
  /** Stops the thread, if it runs, once its checkpoint under way is done. */
  readonly stop: () => Promise<void>;
}

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
      thread = new Worker(threadEntry, { workerData: { path, everyMs: CHECKPOINT_EVERY_MS } });
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
