/**
 * The position `weft verify` bounds a replay by, read from a snapshot's first bytes: as the
 * projection runner packs it (a msgpackr record) and as a plain msgpack map, at every integer
 * width; anything laid out otherwise is left to a full decode.
 */
import { Packr, pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { positionInHeader } from "./liveSnapshots.ts";

const snapshot = { servers: [{ id: "a", name: "web-1" }], flavors: [] };

describe("positionInHeader", () => {
  it("reads the position of a record as the projection runner writes it, at every integer width", () => {
    for (const position of [0, 7, 127, 128, 255, 256, 65_535, 65_536, 1_000_000, 4_294_967_295, 4_294_967_296, Number.MAX_SAFE_INTEGER]) {
      expect(positionInHeader(new Packr({ useRecords: true }).pack({ position, snapshot }))).toBe(position);
    }
  });

  it("reads the position of a plain map", () => {
    expect(positionInHeader(pack({ position: 1_000_000, snapshot }))).toBe(1_000_000);
  });

  it("leaves any other layout to a full decode", () => {
    expect(positionInHeader(pack({ snapshot, position: 5 }))).toBeUndefined();
    expect(positionInHeader(pack({ position: -1, snapshot }))).toBeUndefined();
    expect(positionInHeader(pack({ position: 1.5, snapshot }))).toBeUndefined();
    expect(positionInHeader(pack({ position: "5", snapshot }))).toBeUndefined();
    expect(positionInHeader(Buffer.from("not msgpack at all"))).toBeUndefined();
    expect(positionInHeader(new Uint8Array())).toBeUndefined();
  });
});
