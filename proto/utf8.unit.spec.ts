/**
 * utf8StringOf against the decoder protobufjs falls back on (fatal, BOM kept): the same string or
 * the same refusal for any bytes, and interning that never hands back another string's value,
 * however many strings share a cache slot.
 */
import { describe, expect, it } from "vitest";
import { messageCodec, utf8StringOf } from "./index.ts";
import { seeded } from "./plainDecoder.fixtures.ts";

const reference = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

const expectLikeReference = (bytes: Uint8Array, start: number, end: number): void => {
  let expected: string;
  try {
    expected = reference.decode(bytes.subarray(start, end));
  } catch {
    expect(() => utf8StringOf(bytes, start, end)).toThrow(TypeError);
    return;
  }
  expect(utf8StringOf(bytes, start, end)).toBe(expected);
};

describe("utf8StringOf", () => {
  it("decodes any bytes as a fatal TextDecoder does, at any offset and length", () => {
    const random = seeded(1);
    for (let round = 0; round < 5000; round++) {
      const length = Math.floor(random() * 100);
      // Mostly ASCII with some high bytes: valid sequences, broken ones and lone continuations.
      const bytes = Uint8Array.from({ length }, () => (random() < 0.9 ? Math.floor(random() * 0x80) : 0x80 + Math.floor(random() * 0x80)));
      const start = Math.floor(random() * (length + 1));
      expectLikeReference(bytes, start, start + Math.floor(random() * (length - start + 1)));
    }
  });

  it("decodes valid non-ASCII text, a leading byte-order mark kept", () => {
    for (const text of ["é", "日本語のテキスト", "🙂 emoji", "\uFEFFbom", "\uFEFF", `${"a".repeat(63)}é`, `${"a".repeat(64)}é`, "\u0000nul"]) {
      const bytes = encoder.encode(`xx${text}yy`);
      expect(utf8StringOf(bytes, 2, bytes.length - 2)).toBe(text);
    }
  });

  it("never returns a cached string for other bytes: 20,000 ids of one length share 4,096 slots", () => {
    const random = seeded(2);
    const ids = Array.from({ length: 20_000 }, (_, i) => `${i.toString(36).padStart(8, "0")}-${Math.floor(random() * 2 ** 32).toString(16).padStart(8, "0")}`);
    const encoded = ids.map((id) => encoder.encode(id));
    for (let pass = 0; pass < 3; pass++) {
      for (let i = 0; i < ids.length; i++) {
        // Interleaved, so each slot is overwritten by its other ids between two reads of one id.
        const at = (i * 7919 + pass) % ids.length;
        expect(utf8StringOf(encoded[at]!, 0, encoded[at]!.length)).toBe(ids[at]);
      }
    }
  });

  it("gives equal ids through a message decode, however many other ids went through in between", () => {
    const actor = messageCodec<{ userId: string; projectId: string }>("weft.common.v1.Actor");
    const projects = Array.from({ length: 300 }, (_, i) => `project-${i}`);
    const bytes = projects.map((projectId, i) => actor.encode({ userId: `user-${i * 31}`, projectId }));
    for (let round = 0; round < 3; round++) {
      bytes.forEach((encoded, i) => {
        const decoded = actor.decode(encoded);
        expect(decoded.projectId).toBe(projects[i]);
        expect(decoded.userId).toBe(`user-${i * 31}`);
      });
    }
    expect(actor.decode(bytes[7]!).projectId === actor.decode(bytes[7]!).projectId).toBe(true);
  });
});
