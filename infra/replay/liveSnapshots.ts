/**
 * The live side of `weft verify`: the gateway's snapshot files, read by the calling thread (so the
 * position a replay is bounded by and the document hashed come from the same bytes, even while a
 * running cloud rewrites the file) and decoded, restored and hashed in a worker thread of their
 * own while the calling thread replays the log. At 1,000,000 events the compute snapshot takes
 * ~3.5 s to decode and restore and ~3 s to hash: off the replay's path on a machine with a
 * second core. The position is read from the file's first bytes, so the replay starts at once.
 */
import { readFile } from "node:fs/promises";
import { unpack } from "msgpackr";
import type { Position } from "../eventStore/EventStore.ts";
import { canonicalHash } from "./canonical.ts";
import { startOneReplyThread } from "./oneReplyThread.ts";
import { readModelNamed } from "./readModels.ts";

/** A snapshot file that is there and says which position it reflects. */
export interface LiveFile {
  readonly name: string;
  readonly position: Position;
  readonly bytes: Uint8Array;
}

export type LiveRead =
  | ({ readonly kind: "read" } & LiveFile)
  | { readonly kind: "missing" | "unreadable"; readonly name: string; readonly detail: string };

/** What the worker found in one file: its document's hash, or why there is none. */
export type LiveHash =
  | { readonly name: string; readonly sha256: string }
  | { readonly name: string; readonly unreadable: string };

const isPosition = (value: unknown): value is Position => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

// `{ position, snapshot }` as the projection runner packs it: a msgpackr record (its definition,
// `d4 72 <id>` and the key list, then the values in order) or a plain map (fixmap, map16 or
// map32), position first.
const POSITION_KEY = [0xa8, ...Buffer.from("position")];

/** The position in a snapshot's first bytes, or undefined when they are laid out otherwise. */
export const positionInHeader = (bytes: Uint8Array): Position | undefined => {
  let at: number;
  let keys = 0;
  if (bytes[0] === 0xd4 && bytes[1] === 0x72 && ((bytes[3] ?? 0) & 0xf0) === 0x90) {
    keys = bytes[3]! & 0x0f;
    at = 4;
  } else if (((bytes[0] ?? 0) & 0xf0) === 0x80) at = 1;
  else if (bytes[0] === 0xde) at = 3;
  else if (bytes[0] === 0xdf) at = 5;
  else return undefined;
  if (POSITION_KEY.some((byte, index) => bytes[at + index] !== byte)) return undefined;
  at += POSITION_KEY.length;
  // A record lists its other keys before the values.
  for (let key = 1; key < keys; key++) {
    const header = bytes[at] ?? 0;
    if ((header & 0xe0) !== 0xa0) return undefined;
    at += 1 + (header & 0x1f);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = bytes[at];
  if (type === undefined || at + 9 > bytes.byteLength) return undefined;
  if (type < 0x80) return type;
  if (type === 0xcc) return view.getUint8(at + 1);
  if (type === 0xcd) return view.getUint16(at + 1);
  if (type === 0xce) return view.getUint32(at + 1);
  const wide = type === 0xcf ? Number(view.getBigUint64(at + 1)) : type === 0xcb ? view.getFloat64(at + 1) : undefined;
  return isPosition(wide) ? wide : undefined;
};

/** Reads one read model's snapshot file and its position. */
export const readLiveFile = async (name: string, path: string): Promise<LiveRead> => {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
    // Handed to the thread by transfer: the bytes must own their whole buffer.
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = new Uint8Array(bytes);
  } catch {
    return { kind: "missing", name, detail: `no snapshot at ${path}` };
  }
  let position = positionInHeader(bytes);
  if (position === undefined) {
    // Laid out otherwise: decoded whole, here, once.
    try {
      const saved = unpack(bytes) as { readonly position?: unknown } | undefined;
      if (isPosition(saved?.position)) position = saved.position;
    } catch (error) {
      return { kind: "unreadable", name, detail: (error as Error).message };
    }
  }
  if (position === undefined) return { kind: "unreadable", name, detail: "the file holds no snapshot position" };
  return { kind: "read", name, position, bytes };
};

/** Decodes, restores and hashes one snapshot (in the worker). */
export const hashLiveFile = ({ name, position, bytes }: LiveFile): LiveHash => {
  const projection = readModelNamed(name)?.projection;
  if (projection === undefined) return { name, unreadable: `no read model ${name} has snapshots` };
  let doc: unknown;
  try {
    const saved = unpack(bytes) as { readonly position?: unknown; readonly snapshot?: unknown } | undefined;
    if (saved?.position !== position) return { name, unreadable: `the file's position ${String(saved?.position)} is not ${position}` };
    doc = projection.fromSnapshot(saved.snapshot);
  } catch (error) {
    return { name, unreadable: (error as Error).message };
  }
  return { name, sha256: canonicalHash(doc) };
};

export interface LiveHashing {
  /** Every file's hash; rejects when the thread fails. */
  readonly hashes: Promise<ReadonlyArray<LiveHash>>;
  /** Ends the thread (when verify stops early). */
  readonly stop: () => Promise<void>;
}

const threadEntry = new URL("./liveSnapshotsThread.ts", import.meta.url);

/**
 * Hashes `files` in a worker thread, handing their bytes over (not copied). The thread is given a
 * young generation of 64 MB: restoring a document allocates mostly survivors, which a small one
 * copies again and again.
 */
export const hashLiveFiles = (files: ReadonlyArray<LiveFile>): LiveHashing => {
  const thread = startOneReplyThread<ReadonlyArray<LiveHash>>(
    threadEntry,
    { workerData: files, transferList: files.map((file) => file.bytes.buffer as ArrayBuffer), resourceLimits: { maxYoungGenerationSizeMb: 64 } },
    "the live snapshots' thread",
  );
  return { hashes: thread.reply, stop: thread.stop };
};
