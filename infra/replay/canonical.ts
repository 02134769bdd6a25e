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

/** Receives the canonical JSON in pieces; a big document never becomes one string. */
export type CanonicalSink = (chunk: string) => void;

const FLUSH_AT = 1 << 16;

const compareKeys = (a: readonly [string, unknown], b: readonly [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

// Documents hold many objects of few shapes: each shape's sorted keys, JSON-quoted, are kept
// (up to a bound: keys chosen by users, like server metadata, make shapes without end).
const shapes = new Map<string, ReadonlyArray<{ readonly key: string; readonly label: string }>>();
const MAX_SHAPES = 10_000;

// What JSON.stringify escapes in a well-formed string, and lone surrogates, which it also escapes.
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Writes `value` in canonical JSON to `sink`, in chunks of about 64 KiB. */
export const writeCanonical = (value: unknown, sink: CanonicalSink): void => {
  let buffer = "";
  const out = (text: string) => {
    buffer += text;
    if (buffer.length >= FLUSH_AT) {
      sink(buffer);
      buffer = "";
    }
  };

  // Entries whose keys are canonical JSON themselves, sorted by that text: keys of any kind sort.
  const sortedEntries = (entries: Iterable<readonly [unknown, unknown]>) => {
    const keyed: Array<readonly [string, unknown]> = [];
    for (const [key, item] of entries) keyed.push([typeof key === "string" ? JSON.stringify(key) : textOf(key), item]);
    return keyed.sort(compareKeys);
  };

  const writeEntries = (entries: Iterable<readonly [string, unknown]>) => {
    out("[");
    let first = true;
    for (const [key, item] of entries) {
      out(first ? "[" : ",[");
      first = false;
      out(key);
      out(",");
      write(item);
      out("]");
    }
    out("]");
  };

  const writeItems = (items: Iterable<unknown>) => {
    out("[");
    let first = true;
    for (const item of items) {
      if (!first) out(",");
      first = false;
      write(item === undefined ? null : item);
    }
    out("]");
  };

  // Members of an unordered set, by their canonical text.
  const writeSorted = (items: Iterable<unknown>) => {
    const texts: Array<string> = [];
    for (const item of items) texts.push(textOf(item));
    out(`[${texts.sort().join(",")}]`);
  };

  const writeImmutable = (collection: Collection<unknown, unknown>) => {
    if (isKeyed(collection)) {
      const entries = collection.entrySeq().toArray() as Array<readonly [unknown, unknown]>;
      if (isOrdered(collection)) writeEntries(entries.map(([key, item]) => [typeof key === "string" ? JSON.stringify(key) : textOf(key), item] as const));
      else writeEntries(sortedEntries(entries));
      return;
    }
    const values = (collection as Collection<unknown, unknown>).valueSeq();
    if (isOrdered(collection)) writeItems(values);
    else writeSorted(values);
  };

  const write = (item: unknown): void => {
    switch (typeof item) {
      case "string":
        // Most strings need no escaping: quoting them is several times cheaper than stringify.
        out(NEEDS_ESCAPE.test(item) ? JSON.stringify(item) : `"${item}"`);
        return;
      case "number":
        out(Number.isFinite(item) ? String(item) : JSON.stringify(String(item)));
        return;
      case "boolean":
        out(item ? "true" : "false");
        return;
      case "bigint":
        out(`"${item}n"`);
        return;
      case "undefined":
        out("null");
        return;
      case "function":
      case "symbol":
        throw new TypeError(`a read model document holds a ${typeof item}: it is not data`);
    }
    if (item === null) return out("null");
    if (Array.isArray(item)) return writeItems(item);
    if (isImmutable(item)) return writeImmutable(item as Collection<unknown, unknown>);
    if (item instanceof Map) return writeEntries(sortedEntries(item));
    if (item instanceof Set) return writeSorted(item);
    if (item instanceof Uint8Array) return out(JSON.stringify({ $bytes: Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString("base64") }));
    const record = item as Record<string, unknown>;
    const own = Object.keys(record);
    const shape = own.join("\u0000");
    let members = shapes.get(shape);
    if (members === undefined) {
      members = own.sort().map((key) => ({ key, label: `${JSON.stringify(key)}:` }));
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      shapes.set(shape, members);
    }
    out("{");
    let first = true;
    for (const { key, label } of members) {
      const member = record[key];
      if (member === undefined) continue;
      out(first ? label : `,${label}`);
      first = false;
      write(member);
    }
    out("}");
  };

  write(value);
  if (buffer.length > 0) sink(buffer);
};

/** The canonical JSON of a small value, as one string (set members and non-string keys). */
export const textOf = (value: unknown): string => {
  let text = "";
  writeCanonical(value, (chunk) => (text += chunk));
  return text;
};

/** sha256 (hex) of the canonical JSON of `value`; `also` receives the same bytes (a file being written). */
export const canonicalHash = (value: unknown, also?: CanonicalSink): string => {
  const hash = createHash("sha256");
  writeCanonical(value, (chunk) => {
    hash.update(chunk, "utf8");
    also?.(chunk);
  });
  return hash.digest("hex");
};
