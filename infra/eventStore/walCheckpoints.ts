/**
 * A passive WAL checkpoint from a connection of its own, the one piece both ways of running the
 * sqlite store's checkpoints share (`walCheckpointer.ts`); no Effect here, so the small thread
 * that runs it loads nothing else.
 */
import { DatabaseSync } from "node:sqlite";

export const WAL_CHECKPOINT_EVERY_MS = 1_000;

/** A connection of its own that checkpoints `path`'s log when asked; never throws. */
export const openWalCheckpoints = (path: string) => {
  const db = new DatabaseSync(path, { timeout: 1_000 });
  const statement = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  return {
    checkpoint: (): void => {
      try {
        statement.get();
      } catch {
        // Busy or closing: the next turn tries again, and the writer's autocheckpoint is the backstop.
      }
    },
    close: (): void => db.close(),
  };
};

