/**
 * The sorted-key treap: against a sorted array under inserts and deletes, its reads from a bound
 * both ways, and the property the snapshots rely on: one shape per set of keys, however built.
 */
import { describe, expect, it } from "vitest";
import { hasKey, insertKey, keysAscending, keysDescending, removeKey, sortedKeysOf, type SortedKeys } from "./sortedKeys.ts";

// A fixed pseudo-random sequence (a 32-bit LCG), so the spec is the same on every run.
const sequence = (seed: number) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);

const depth = (tree: SortedKeys): number => (tree === null ? 0 : 1 + Math.max(depth(tree.left), depth(tree.right)));

describe("sorted keys", () => {
  const next = sequence(7);
  let tree: SortedKeys = null;
  const reference = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const key = `k${(next() % 2000).toString().padStart(4, "0")}`;
    if (next() % 3 === 0) {
      tree = removeKey(tree, key);
      reference.delete(key);
    } else {
      tree = insertKey(tree, key);
      reference.add(key);
    }
  }
  const sorted = [...reference].sort();

  it("hold the same keys as a set under inserts and deletes, in order", () => {
    expect([...keysAscending(tree)]).toEqual(sorted);
    expect([...keysDescending(tree)]).toEqual([...sorted].reverse());
    expect(sorted.every((key) => hasKey(tree, key))).toBe(true);
    expect(hasKey(tree, "k9999")).toBe(false);
  });

  it("read strictly past a bound, whether or not the bound is a key", () => {
    const bound = sorted[100]!;
    expect([...keysDescending(tree, bound)]).toEqual(sorted.slice(0, 100).reverse());
    expect([...keysAscending(tree, bound)]).toEqual(sorted.slice(101));
    expect([...keysAscending(tree, `${bound}~`)]).toEqual(sorted.slice(101));
    expect([...keysDescending(tree, "a")]).toEqual([]);
    expect([...keysAscending(tree, "z")]).toEqual([]);
  });

  it("have one shape per set of keys, whatever the history, and stay shallow", () => {
    expect(sortedKeysOf([...sorted].reverse())).toEqual(tree);
    expect(sorted.reduce(insertKey, null as SortedKeys)).toEqual(tree);
    expect(depth(tree)).toBeLessThan(4 * Math.log2(sorted.length));
  });

  it("return the same tree for an insert of a key it holds or a delete of one it does not", () => {
    expect(insertKey(tree, sorted[0]!)).toBe(tree);
    expect(removeKey(tree, "k9999")).toBe(tree);
    expect(removeKey(insertKey(null, "a"), "a")).toBeNull();
  });
});
