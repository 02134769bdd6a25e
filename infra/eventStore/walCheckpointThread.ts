/**
 * The thread a sqlite store starts for its WAL checkpoints (`walCheckpointer.ts`): a connection
 * of its own checkpointing every `everyMs` until told to stop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openWalCheckpoints } from "./walCheckpoints.ts";

const { path, everyMs } = workerData as { readonly path: string; readonly everyMs: number };
const checkpoints = openWalCheckpoints(path);
const timer = setInterval(checkpoints.checkpoint, everyMs);

parentPort!.on("message", () => {
  clearInterval(timer);
  checkpoints.close();
  process.exit(0);
});
