/**
 * A worker thread that does one job and posts one reply, as replay's second thread and verify's
 * live snapshots thread do: the reply as a promise that rejects when the thread fails or ends
 * without replying, and a way to end it early.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

export interface OneReplyThread<Reply> {
  /** The thread's one message; rejects when it fails or ends first. */
  readonly reply: Promise<Reply>;
  /** Ends the thread (when the caller stops early). */
  readonly stop: () => Promise<void>;
}

/** Starts `entry`; `what` names the thread in the error when it ends without a reply. */
export const startOneReplyThread = <Reply>(entry: URL, options: WorkerOptions, what: string): OneReplyThread<Reply> => {
  const worker = new Worker(entry, options);
  const reply = new Promise<Reply>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`${what} ended (exit code ${code}) before it replied`)));
  });
  // Awaited after the caller's own work: a failure meanwhile must not count as unhandled.
  reply.catch(() => undefined);
  return { reply, stop: async () => void (await worker.terminate()) };
};
