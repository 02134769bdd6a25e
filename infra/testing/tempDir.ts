/** Temp dirs for tests and benches that remove themselves: `await using dir = await tempDir()`. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir extends AsyncDisposable {
  readonly path: string;
  readonly remove: () => Promise<void>;
}

/** A fresh directory under the OS temp dir; `await using dir = await tempDir()` removes it. */
export const tempDir = async (prefix = "weft-test-"): Promise<TempDir> => {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => rm(path, { recursive: true, force: true });
  return { path, remove, [Symbol.asyncDispose]: remove };
};
