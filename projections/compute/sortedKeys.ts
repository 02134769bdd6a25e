/**
 * A persistent sorted set of strings, the index behind every paged list of this read model.
 * It is a treap whose priorities are a hash of the key, so its shape depends only on the keys it
 * holds, never on the order they arrived: a document folded from the log and one restored from a
 * snapshot are deep-equal. Insert, delete and seek are O(log n) expected with path copying, so a
 * page of a list is read in order without sorting anything. immutable.js has no sorted map.
 */

export interface SortedNode {
  readonly key: string;
  readonly priority: number;
  readonly left: SortedKeys;
  readonly right: SortedKeys;
}

/** `null` is the empty set, so an empty index is plain data. */
export type SortedKeys = SortedNode | null;

/** FNV-1a with murmur3's finaliser: deterministic, and spread well enough over timestamps and uuids. */
const priorityOf = (key: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
};

// A strict total order on (priority, key), so equal hashes still give one canonical shape.
const outranks = (key: string, priority: number, node: SortedNode): boolean =>
  priority > node.priority || (priority === node.priority && key < node.key);

const node = (key: string, priority: number, left: SortedKeys, right: SortedKeys): SortedNode => ({ key, priority, left, right });

export const hasKey = (tree: SortedKeys, key: string): boolean => {
  let at = tree;
  while (at !== null) {
    if (key === at.key) return true;
    at = key < at.key ? at.left : at.right;
  }
  return false;
};

/** The keys below `key` and above it; `key` itself is not in the tree. */
const split = (tree: SortedKeys, key: string): readonly [SortedKeys, SortedKeys] => {
  if (tree === null) return [null, null];
  if (key < tree.key) {
    const [below, above] = split(tree.left, key);
    return [below, node(tree.key, tree.priority, above, tree.right)];
  }
  const [below, above] = split(tree.right, key);
  return [node(tree.key, tree.priority, tree.left, below), above];
};

/** Joins two trees where every key of `low` is below every key of `high`. */
const join = (low: SortedKeys, high: SortedKeys): SortedKeys => {
  if (low === null) return high;
  if (high === null) return low;
  return outranks(low.key, low.priority, high)
    ? node(low.key, low.priority, low.left, join(low.right, high))
    : node(high.key, high.priority, join(low, high.left), high.right);
};

const insertWith = (tree: SortedKeys, key: string, priority: number): SortedKeys => {
  if (tree === null) return node(key, priority, null, null);
  if (outranks(key, priority, tree)) {
    const [below, above] = split(tree, key);
    return node(key, priority, below, above);
  }
  return key < tree.key
    ? node(tree.key, tree.priority, insertWith(tree.left, key, priority), tree.right)
    : node(tree.key, tree.priority, tree.left, insertWith(tree.right, key, priority));
};

/** The same tree when the key is already in it, so a redelivered fact allocates nothing. */
export const insertKey = (tree: SortedKeys, key: string): SortedKeys => (hasKey(tree, key) ? tree : insertWith(tree, key, priorityOf(key)));

const removeFrom = (tree: SortedKeys, key: string): SortedKeys => {
  if (tree === null) return null;
  if (key === tree.key) return join(tree.left, tree.right);
  return key < tree.key
    ? node(tree.key, tree.priority, removeFrom(tree.left, key), tree.right)
    : node(tree.key, tree.priority, tree.left, removeFrom(tree.right, key));
};

export const removeKey = (tree: SortedKeys, key: string): SortedKeys => (hasKey(tree, key) ? removeFrom(tree, key) : tree);

/** The keys strictly below `bound` (all when undefined), largest first. */
export function* keysDescending(tree: SortedKeys, bound?: string): Generator<string, void, undefined> {
  const path: Array<SortedNode> = [];
  let at = tree;
  while (at !== null) {
    if (bound === undefined || at.key < bound) {
      path.push(at);
      at = at.right;
    } else at = at.left;
  }
  for (let top = path.pop(); top !== undefined; top = path.pop()) {
    yield top.key;
    for (let next = top.left; next !== null; next = next.right) path.push(next);
  }
}

/** The keys strictly above `bound` (all when undefined), smallest first. */
export function* keysAscending(tree: SortedKeys, bound?: string): Generator<string, void, undefined> {
  const path: Array<SortedNode> = [];
  let at = tree;
  while (at !== null) {
    if (bound === undefined || at.key > bound) {
      path.push(at);
      at = at.left;
    } else at = at.right;
  }
  for (let top = path.pop(); top !== undefined; top = path.pop()) {
    yield top.key;
    for (let next = top.right; next !== null; next = next.left) path.push(next);
  }
}

interface Building {
  key: string;
  priority: number;
  left: SortedKeys;
  right: SortedKeys;
}

/**
 * The tree of `keys` (any order, duplicates dropped) in O(n log n) for the sort and O(n) for
 * the build: the Cartesian tree of the sorted keys, which is exactly the treap `insertKey` grows.
 */
export const sortedKeysOf = (keys: Iterable<string>): SortedKeys => sortedKeysOfAscending([...new Set(keys)].sort(compareKeys));

/** Strings in ascending order, as `<` orders them (as `sort()` without a comparator does too). */
const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The tree of `keys`, which must be ascending and distinct already: O(n). */
export const sortedKeysOfAscending = (keys: ReadonlyArray<string>): SortedKeys => {
  const spine: Array<Building> = [];
  for (const key of keys) {
    const priority = priorityOf(key);
    let below: Building | null = null;
    for (let top = spine.at(-1); top !== undefined && outranks(key, priority, top); top = spine.at(-1)) below = spine.pop() ?? null;
    const built: Building = { key, priority, left: below, right: null };
    const parent = spine.at(-1);
    if (parent !== undefined) parent.right = built;
    spine.push(built);
  }
  return spine[0] ?? null;
};
