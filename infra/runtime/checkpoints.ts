/**
 * Where a process manager remembers how far through `$all` it got. The file store writes
 * `<dir>/<name>.checkpoint` atomically (temp file, then rename); a lost or stale checkpoint only
 * means re-handling some events, which process managers tolerate because every command they send
 * has an id derived from the event that caused it.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";
import type { Position } from "../eventStore/EventStore.ts";

export interface CheckpointStore {
  readonly load: (name: string) => Effect.Effect<Position>;
  readonly save: (name: string, position: Position) => Effect.Effect<void>;
}

const validName = /^[a-z][a-zA-Z0-9-]*$/;

export const fileCheckpointStore = (dir: string): CheckpointStore => {
  const pathOf = (name: string) => {
    if (!validName.test(name)) throw new Error(`invalid checkpoint name ${name}`);
    return join(dir, `${name}.checkpoint`);
  };
  return {
    load: (name) =>
      Effect.tryPromise(() => readFile(pathOf(name), "utf8")).pipe(
        Effect.map((text) => {
          const position = Number(text.trim());
          return Number.isSafeInteger(position) && position >= 0 ? position : 0;
        }),
        Effect.orElseSucceed(() => 0),
      ),
    save: (name, position) =>
      Effect.tryPromise(async () => {
        await mkdir(dir, { recursive: true });
        const path = pathOf(name);
        await writeFile(`${path}.tmp`, String(position));
        await rename(`${path}.tmp`, path);
      }).pipe(Effect.catch((error) => Effect.logWarning(`checkpoint ${name} not saved`, error))),
  };
};

/** For tests and single-process runs that may start over: nothing survives the process. */
export const memoryCheckpointStore = (): CheckpointStore => {
  const positions = new Map<string, Position>();
  return {
    load: (name) => Effect.sync(() => positions.get(name) ?? 0),
    save: (name, position) => Effect.sync(() => void positions.set(name, position)),
  };
};
