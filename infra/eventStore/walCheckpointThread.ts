/**
 * The sqlite store's WAL checkpointer (`walCheckpointer.ts`): a thread with a connection of its own
 * that copies the write-ahead log into the database file every `everyMs`. A passive checkpoint
 * neither waits for nor blocks the writer, so the commits on the store's own thread never pay
 * for a checkpoint's copy and fsync.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";

const { path, everyMs } = workerData as { readonly path: string; readonly everyMs: number };
const db = new DatabaseSync(path, { timeout: 1_000 });
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // Busy or closing: the next turn tries again, and the writer's own autocheckpoint is the backstop.
  }
}, everyMs);

parentPort!.on("message", () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
