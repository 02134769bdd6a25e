/**
 * The canonical form: equal data gives equal bytes whatever the history of its hash maps (the
 * case a snapshot restored and folded further hits), order is kept where it means something
 * (arrays, Lists, ordered maps), and anything that is not data is refused.
 */
import { List, Map as ImmutableMap, OrderedMap, Set as ImmutableSet } from "immutable";
import { describe, expect, it } from "vitest";
import { canonicalHash, textOf, writeCanonical } from "./canonical.ts";

// The form written the plain way (every key quoted, then sorted as text), to check the fast one against.
const reference = (value: unknown): string => {
  if (value === undefined || value === null) return "null";
  if (typeof value !== "object") return JSON.stringify(value);
  const entries = (pairs: Iterable<readonly [unknown, unknown]>) =>
    `[${[...pairs].map(([key, item]) => [reference(key), reference(item)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, item]) => `[${key},${item}]`).join(",")}]`;
  if (Array.isArray(value) || List.isList(value)) return `[${[...(value as Iterable<unknown>)].map(reference).join(",")}]`;
  if (value instanceof Map || ImmutableMap.isMap(value)) return entries((value as Iterable<readonly [unknown, unknown]>));
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record).sort().filter((key) => record[key] !== undefined).map((key) => `${JSON.stringify(key)}:${reference(record[key])}`).join(",")}}`;
};

const keys = (count: number) => Array.from({ length: count }, (_, index) => `key-${index}`);

describe("canonical form", () => {
  it("sorts object keys and leaves undefined members out", () => {
    expect(textOf({ b: 1, a: [true, null, "x"], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
  });

  it("gives one form to an immutable map whatever its history, where iteration order differs", () => {
    // Grown past eight entries (a hash trie, hash order) then shrunk, against the same five built
    // fresh (an array map, insertion order): the same data, iterated differently.
    let grown = ImmutableMap<string, number>();
    for (const key of keys(12)) grown = grown.set(key, 1);
    for (const key of keys(12).slice(5)) grown = grown.delete(key);
    const fresh = ImmutableMap<string, number>(keys(5).reverse().map((key) => [key, 1]));
    expect(grown.equals(fresh)).toBe(true);
    expect([...grown.keys()]).not.toEqual([...fresh.keys()]);
    expect(canonicalHash({ map: grown })).toBe(canonicalHash({ map: fresh }));
  });

  it("sorts JavaScript maps and sets and immutable sets, and keeps the order of lists and ordered maps", () => {
    expect(textOf(new Map([["b", 1], ["a", 2]]))).toBe(textOf(new Map([["a", 2], ["b", 1]])));
    expect(textOf(new Set([3, 1, 2]))).toBe("[1,2,3]");
    expect(textOf(ImmutableSet(["b", "a"]))).toBe('["a","b"]');
    expect(textOf(List([2, 1]))).toBe("[2,1]");
    expect(textOf(OrderedMap([["b", 1], ["a", 2]]))).toBe('[["b",1],["a",2]]');
    expect(textOf(OrderedMap([["b", 1], ["a", 2]]))).not.toBe(textOf(OrderedMap([["a", 2], ["b", 1]])));
  });

  it("writes every string as JSON.stringify does", () => {
    for (const text of ["plain", 'say "hi"', "back\\slash", "tab\tnew\nline\u0001", "é—✓", "😀", "\ud800 alone", "\u2028"]) {
      expect(textOf(text)).toBe(JSON.stringify(text));
    }
  });

  it("tells different data apart", () => {
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
    expect(canonicalHash(ImmutableMap({ a: 1 }))).not.toBe(canonicalHash(ImmutableMap({ a: 1, b: 1 })));
    expect(canonicalHash(["1"])).not.toBe(canonicalHash([1]));
  });

  it("hands a big document over in chunks that join into the one form", () => {
    const big = { items: Array.from({ length: 20_000 }, (_, index) => ({ index, name: `server-${index}` })) };
    const chunks: Array<Buffer> = [];
    writeCanonical(big, (chunk) => chunks.push(Buffer.from(chunk)));
    expect(chunks.length).toBeGreaterThan(1);
    expect(JSON.parse(Buffer.concat(chunks).toString("utf8"))).toEqual(big);
  });

  it("sorts big maps as a plain sort would: shared prefixes, short keys, escapes and other scripts", () => {
    const texts = [
      ...Array.from({ length: 600 }, (_, index) => `server-${index}`),
      ...Array.from({ length: 300 }, (_, index) => `${index}`.padStart(3, "0").slice(0, 1 + (index % 3))),
      ...Array.from({ length: 600 }, (_, index) => ((index * 2_654_435_761) % 2 ** 32).toString(16).slice(0, 1 + (index % 9))),
      "server-", "s", "", "server-1 copy", "server-1!", 'server-"1"', "back\\slash", "tab\there", "é-café", "😀-1", "Z", "~",
    ];
    const values = texts.map((text, index) => ({ index, text }));
    const immutable = ImmutableMap(texts.map((text, index) => [text, values[index]]));
    const plain = new Map(texts.map((text, index) => [text, values[index]]));
    const ascii = ImmutableMap(texts.filter((text) => /^[#-[\]-~]*$/.test(text)).map((text) => [text, 1]));
    expect(ascii.size).toBeGreaterThan(256);
    expect(textOf({ immutable, plain, ascii })).toBe(reference({ immutable, plain, ascii }));
  });

  it("writes long strings and keys, and characters of every width, as UTF-8 of the same form", () => {
    const long = "x".repeat(200_000);
    const value = { [long.slice(0, 100_000)]: long, wide: "é✓😀\u2028", escaped: `"${long}"`, lone: "\ud800" };
    const chunks: Array<Buffer> = [];
    writeCanonical(value, (chunk) => chunks.push(Buffer.from(chunk)));
    expect(Buffer.concat(chunks).toString("utf8")).toBe(reference(value));
    expect(textOf(value)).toBe(reference(value));
  });

  it("refuses functions: a document is data", () => {
    expect(() => textOf({ f: () => 1 })).toThrow(/not data/);
  });
});
