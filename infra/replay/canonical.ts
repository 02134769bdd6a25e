/**
 * One canonical byte form of a read model's document, and its sha256: what `weft replay` prints
 * and writes, and what `weft verify` compares. It walks the document itself rather than
 * `toSnapshot(doc)`, because a snapshot lists hash-map entries in the map's iteration order, and
 * immutable.js's order depends on the map's history (a small map keeps insertion order, a map
 * that once held more than eight entries keeps hash order for good): a document restored from a
 * snapshot and folded further can list the same entries in another order than a fresh replay.
 *
 * The form is JSON: plain objects with their keys sorted (undefined members left out), arrays,
 * immutable Lists and ordered collections in their order, unordered maps and sets (immutable.js
 * or JavaScript's) sorted by key, maps written as `[[key, value], …]`. Derived indexes kept in the
 * document are part of it, so an index that disagrees with its entities is a difference too.
 */
import { createHash } from "node:crypto";
import { isImmutable, isKeyed, isOrdered, type Collection } from "immutable";

/**
 * Receives the canonical JSON in pieces of UTF-8, each ending between two characters; a big
 * document never becomes one string. A piece is only valid during the call (its memory is reused).
 */
export type CanonicalSink = (chunk: Uint8Array) => void;

const CHUNK_BYTES = 1 << 16;

interface Member {
  readonly key: string;
  /** `"key":`, and `,"key":` for every member but the first written, in UTF-8. */
  readonly label: Uint8Array;
  readonly nextLabel: Uint8Array;
}

// Documents hold many objects of few shapes. Each shape is found by walking its keys, in the
// object's own order, down a tree of the shapes seen (no string built per object), and keeps its
// members sorted and JSON-quoted. Bounded: keys chosen by users, like server metadata, make shapes
// without end.
interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  members?: ReadonlyArray<Member>;
}
let shapes: ShapeNode = { next: new Map() };
let shapeCount = 0;
const MAX_SHAPES = 10_000;

const membersOf = (keys: ReadonlyArray<string>): ReadonlyArray<Member> => {
  let node = shapes;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let next = node.next.get(key);
    if (next === undefined) {
      if (shapeCount >= MAX_SHAPES) {
        shapes = { next: new Map() };
        shapeCount = 0;
        return membersOf(keys);
      }
      next = { next: new Map() };
      node.next.set(key, next);
      shapeCount += 1;
    }
    node = next;
  }
  node.members ??= [...keys].sort().map((key) => ({ key, label: Buffer.from(`${JSON.stringify(key)}:`), nextLabel: Buffer.from(`,${JSON.stringify(key)}:`) }));
  return node.members;
};

/**
 * The members of a plain object (nothing enumerable inherited), its shape found by walking its keys
 * as `for…in` lists them (Object.keys' order) without building their array.
 */
const membersOfPlain = (record: Record<string, unknown>): ReadonlyArray<Member> => {
  let node = shapes;
  for (const key in record) {
    const next = node.next.get(key);
    if (next === undefined) return membersOf(Object.keys(record));
    node = next;
  }
  return node.members ?? membersOf(Object.keys(record));
};

// Keys without these sort the same quoted as raw: nothing at or below '"' ends a quoted prefix
// differently, and nothing is escaped.
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const SORTS_QUOTED = /[\u0000-\u0022\\\ud800-\udfff]/;

const byText = (texts: ReadonlyArray<string>) => (a: number, b: number) => (texts[a]! < texts[b]! ? -1 : texts[a]! > texts[b]! ? 1 : 0);

/**
 * The order of `keys` (plain: see SORTS_QUOTED), as indexes. Many keys are sorted as numbers, not
 * strings (a sort that compares strings reads them all over the heap, ~300 ms for 100,000 server
 * ids): each key's first characters and its index packed into one double, sorted natively, then
 * each run of keys with the same first characters by the keys themselves.
 */
const orderOf = (keys: ReadonlyArray<string>): ArrayLike<number> => {
  const count = keys.length;
  const sorted = () => Array.from(keys, (_, index) => index).sort(byText(keys));
  const indexBits = 32 - Math.clz32(count);
  const chars = Math.floor((53 - indexBits) / 7);
  if (count < 256 || chars < 2) return sorted();
  const scale = 2 ** indexBits;
  const packed = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const key = keys[index]!;
    let prefix = 0;
    for (let at = 0; at < chars; at++) {
      // Past its end a key counts as 0, below every character a plain key holds.
      const code = at < key.length ? key.charCodeAt(at) : 0;
      if (code > 0x7f) return sorted();
      prefix = prefix * 128 + code;
    }
    packed[index] = prefix * scale + index;
  }
  packed.sort();
  const order = new Uint32Array(count);
  for (let at = 0; at < count; at++) order[at] = packed[at]! % scale;
  for (let start = 0; start < count; ) {
    const prefix = Math.floor(packed[start]! / scale);
    let end = start + 1;
    while (end < count && Math.floor(packed[end]! / scale) === prefix) end++;
    if (end - start > 1) order.set(Array.from(order.subarray(start, end)).sort(byText(keys)), start);
    start = end;
  }
  return order;
};

/** Writes `value` in canonical JSON to `sink`, in pieces of up to `chunkBytes` (bigger for a long string). */
export const writeCanonical = (value: unknown, sink: CanonicalSink, chunkBytes = CHUNK_BYTES): void => {
  const bytes = new Uint8Array(chunkBytes);
  const limit = chunkBytes - 16;
  let at = 0;
  const flush = () => {
    if (at > 0) sink(bytes.subarray(0, at));
    at = 0;
  };

  const byte = (code: number) => {
    if (at >= limit) flush();
    bytes[at++] = code;
  };

  const label = (text: Uint8Array) => {
    if (at + text.length > limit) {
      flush();
      // A key longer than a piece (one chosen by a user) is a piece of its own.
      if (text.length > limit) return sink(text);
    }
    for (let i = 0; i < text.length; i++) bytes[at++] = text[i]!;
  };

  // UTF-8 of a text that needs no escaping (written whole into one piece).
  const raw = (text: string) => {
    if (at + text.length * 3 > limit) {
      flush();
      if (text.length * 3 > limit) return sink(Buffer.from(text, "utf8"));
    }
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) bytes[at++] = code;
      else if (multibyte(text, i, code)) i++;
    }
  };

  // Encodes the character at `i` (not ASCII); true when it took two code units (a surrogate pair).
  const multibyte = (text: string, i: number, code: number): boolean => {
    if (code < 0x800) {
      bytes[at++] = 0xc0 | (code >> 6);
      bytes[at++] = 0x80 | (code & 0x3f);
      return false;
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const point = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        bytes[at++] = 0xf0 | (point >> 18);
        bytes[at++] = 0x80 | ((point >> 12) & 0x3f);
        bytes[at++] = 0x80 | ((point >> 6) & 0x3f);
        bytes[at++] = 0x80 | (point & 0x3f);
        return true;
      }
    }
    bytes[at++] = 0xe0 | (code >> 12);
    bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
    bytes[at++] = 0x80 | (code & 0x3f);
    return false;
  };

  // A string as JSON.stringify writes it. Most need no escaping: they are copied as they are
  // quoted, and only one that does goes through JSON.stringify.
  const string = (text: string) => {
    if (at + text.length * 3 + 2 > limit) {
      flush();
      if (text.length * 3 + 2 > limit) return raw(JSON.stringify(text));
    }
    const start = at;
    bytes[at++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        if (code < 0x20 || code === 0x22 || code === 0x5c) {
          at = start;
          return raw(JSON.stringify(text));
        }
        bytes[at++] = code;
      } else if (code >= 0xd800 && code <= 0xdfff) {
        const low = text.charCodeAt(i + 1);
        if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
          // A lone surrogate, which JSON.stringify escapes.
          at = start;
          return raw(JSON.stringify(text));
        }
        multibyte(text, i++, code);
      } else multibyte(text, i, code);
    }
    bytes[at++] = 0x22;
  };

  // `[[key, value], …]` in `order`; keys already canonical JSON unless `quote`.
  const writeEntries = (keys: ReadonlyArray<string>, values: ReadonlyArray<unknown>, order: ArrayLike<number>, quote: boolean) => {
    byte(0x5b);
    for (let i = 0; i < order.length; i++) {
      const index = order[i]!;
      if (i > 0) byte(0x2c);
      byte(0x5b);
      if (quote) string(keys[index]!);
      else raw(keys[index]!);
      byte(0x2c);
      write(values[index]);
      byte(0x5d);
    }
    byte(0x5d);
  };

  // Entries of an unordered map, sorted by the canonical JSON of their keys: keys of any kind
  // sort. Plain string keys (all of them, nearly always) sort as they are, quoted once written.
  const writeSortedEntries = (keys: Array<unknown>, values: ReadonlyArray<unknown>) => {
    let plain = true;
    for (let i = 0; i < keys.length && plain; i++) {
      const key = keys[i];
      plain = typeof key === "string" && !SORTS_QUOTED.test(key);
    }
    if (plain) return writeEntries(keys as Array<string>, values, orderOf(keys as Array<string>), true);
    const texts = keys.map((key) => (typeof key === "string" ? JSON.stringify(key) : textOf(key)));
    writeEntries(texts, values, Array.from(texts, (_, index) => index).sort(byText(texts)), false);
  };

  const writeOrderedEntries = (entries: Iterable<readonly [unknown, unknown]>) => {
    byte(0x5b);
    let first = true;
    for (const [key, item] of entries) {
      if (!first) byte(0x2c);
      first = false;
      byte(0x5b);
      if (typeof key === "string") string(key);
      else raw(textOf(key));
      byte(0x2c);
      write(item);
      byte(0x5d);
    }
    byte(0x5d);
  };

  const writeItems = (items: Iterable<unknown>) => {
    byte(0x5b);
    let first = true;
    for (const item of items) {
      if (!first) byte(0x2c);
      first = false;
      write(item === undefined ? null : item);
    }
    byte(0x5d);
  };

  const writeArray = (items: ReadonlyArray<unknown>) => {
    byte(0x5b);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) byte(0x2c);
      const item = items[i];
      write(item === undefined ? null : item);
    }
    byte(0x5d);
  };

  // Members of an unordered set, by their canonical text.
  const writeSorted = (items: Iterable<unknown>) => {
    const texts: Array<string> = [];
    for (const item of items) texts.push(textOf(item));
    raw(`[${texts.sort().join(",")}]`);
  };

  const writeImmutable = (collection: Collection<unknown, unknown>) => {
    if (isKeyed(collection)) {
      if (isOrdered(collection)) return writeOrderedEntries(collection.entries() as Iterable<readonly [unknown, unknown]>);
      const keys: Array<unknown> = [];
      const values: Array<unknown> = [];
      (collection as Collection<unknown, unknown>).forEach((item, key) => {
        keys.push(key);
        values.push(item);
      });
      return writeSortedEntries(keys, values);
    }
    const values = (collection as Collection<unknown, unknown>).valueSeq();
    if (isOrdered(collection)) writeItems(values);
    else writeSorted(values);
  };

  const writeMap = (map: ReadonlyMap<unknown, unknown>) => {
    const keys: Array<unknown> = [];
    const values: Array<unknown> = [];
    for (const [key, item] of map) {
      keys.push(key);
      values.push(item);
    }
    writeSortedEntries(keys, values);
  };

  const writeRecord = (record: Record<string, unknown>, plain: boolean) => {
    const members = plain ? membersOfPlain(record) : membersOf(Object.keys(record));
    let first = true;
    byte(0x7b);
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      const item = record[member.key];
      if (item === undefined) continue;
      label(first ? member.label : member.nextLabel);
      first = false;
      write(item);
    }
    byte(0x7d);
  };

  const write = (item: unknown): void => {
    switch (typeof item) {
      case "string":
        return string(item);
      case "number":
        return raw(Number.isFinite(item) ? String(item) : JSON.stringify(String(item)));
      case "boolean":
        return raw(item ? "true" : "false");
      case "bigint":
        return raw(`"${item}n"`);
      case "undefined":
        return raw("null");
      case "function":
      case "symbol":
        throw new TypeError(`a read model document holds a ${typeof item}: it is not data`);
    }
    if (item === null) return raw("null");
    const prototype = Object.getPrototypeOf(item);
    if (prototype === Object.prototype || prototype === null) return writeRecord(item as Record<string, unknown>, true);
    if (Array.isArray(item)) return writeArray(item);
    if (isImmutable(item)) return writeImmutable(item as Collection<unknown, unknown>);
    if (item instanceof Map) return writeMap(item);
    if (item instanceof Set) return writeSorted(item);
    if (item instanceof Uint8Array) return raw(JSON.stringify({ $bytes: Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString("base64") }));
    writeRecord(item as Record<string, unknown>, false);
  };

  write(value);
  flush();
};

const decoder = new TextDecoder();

/** The canonical JSON of a small value, as one string (set members and non-string keys). */
export const textOf = (value: unknown): string => {
  let text = "";
  // Pieces end between characters, so each decodes on its own.
  writeCanonical(value, (chunk) => (text += decoder.decode(chunk)), 1024);
  return text;
};

/** sha256 (hex) of the canonical JSON of `value`; `also` receives the same bytes (a file being written). */
export const canonicalHash = (value: unknown, also?: CanonicalSink): string => {
  const hash = createHash("sha256");
  writeCanonical(value, (chunk) => {
    hash.update(chunk);
    also?.(chunk);
  });
  return hash.digest("hex");
};
