/**
 * The entry of `weft verify`'s live snapshots thread (`liveSnapshots.ts`): hashes the snapshot
 * files it was started with and posts the hashes back, all at once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { hashLiveFile, type LiveFile } from "./liveSnapshots.ts";

parentPort!.postMessage((workerData as ReadonlyArray<LiveFile>).map(hashLiveFile));
