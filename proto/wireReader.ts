/**
 * The protobuf wire format read the way protobufjs 8's `Reader` reads it, for the decoders
 * `plainDecoder.ts` generates: the same varint limits, the same errors on truncated or malformed
 * input (a RangeError past the end of a message), and every scalar already in the form
 * protobufjs's `toObject` gives it with `longs: Number` (64-bit integers as the nearest number,
 * computed as protobufjs's `LongBits#toNumber` computes it), so a value needs no second pass.
 *
 * Readers are plain functions of one mutable reader state, so V8 inlines them into the decoders.
 */
import { utf8StringOf } from "./utf8.ts";

export class WireReader {
  readonly buf: Uint8Array;
  pos = 0;
  // The end of the message being read: a nested message narrows it while it is read.
  len: number;
  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.len = buf.length;
  }
}

/** protobufjs's limit on nested messages and groups (protoc's default recursion limit). */
export const recursionLimit = 100;

const pastEnd = (r: WireReader, length = 1): RangeError => new RangeError(`index out of range: ${r.pos} + ${length} > ${r.len}`);

// Any varint as protobufjs's `uint32` reads it: the low 32 bits of up to ten bytes.
const varint32Slow = (r: WireReader): number => {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.len) throw pastEnd(r);
    const byte = r.buf[r.pos++]!;
    if (i < 5) value = (value | ((byte & 0x7f) << (i * 7))) >>> 0;
    if (byte < 0x80) return value;
  }
  throw new Error("invalid varint encoding");
};

export const uint32 = (r: WireReader): number => {
  if (r.pos < r.len) {
    const byte = r.buf[r.pos]!;
    if (byte < 0x80) {
      r.pos++;
      return byte;
    }
  }
  return varint32Slow(r);
};

export const int32 = (r: WireReader): number => uint32(r) | 0;

export const sint32 = (r: WireReader): number => {
  const value = uint32(r);
  return ((value >>> 1) ^ -(value & 1)) | 0;
};

// Reader#tag: at most five bytes, the fifth carrying no more than the 32 bits.
const tagSlow = (r: WireReader): number => {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (r.pos >= r.len) throw pastEnd(r);
    const byte = r.buf[r.pos++]!;
    if (i === 4 && (byte >= 0x80 || (byte & 0x70) !== 0)) throw new Error("invalid tag encoding");
    value = (value | ((byte & 0x7f) << (i * 7))) >>> 0;
    if (byte < 0x80) return value;
  }
  throw new Error("invalid tag encoding");
};

export const tag = (r: WireReader): number => {
  if (r.pos < r.len) {
    const byte = r.buf[r.pos]!;
    if (byte < 0x80) {
      r.pos++;
      return byte;
    }
  }
  return tagSlow(r);
};

// Reader#size: a length under 2^31.
const sizeSlow = (r: WireReader): number => {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (r.pos >= r.len) throw pastEnd(r);
    const byte = r.buf[r.pos++]!;
    if (i === 4 && byte > 7) throw new Error("invalid length encoding");
    value = (value | ((byte & 0x7f) << (i * 7))) >>> 0;
    if (byte < 0x80) return value;
  }
  return value;
};

const size = (r: WireReader): number => {
  if (r.pos < r.len) {
    const byte = r.buf[r.pos]!;
    if (byte < 0x80) {
      r.pos++;
      return byte;
    }
  }
  return sizeSlow(r);
};

/** Narrows the reader to the length-delimited value that starts here; returns the end to restore. */
export const enter = (r: WireReader): number => {
  const length = size(r);
  const end = r.pos + length;
  if (end > r.len) throw pastEnd(r, length);
  const outer = r.len;
  r.len = end;
  return outer;
};

// No check that the value was read to its end, as protobufjs makes: no read passes `r.len`, and
// every loop over a value runs until `r.pos` reaches it.
export const leave = (r: WireReader, outer: number): void => {
  r.len = outer;
};

// The two halves of the last 64-bit value read: module state rather than a LongBits object,
// so reading an int64 allocates nothing.
let lo = 0;
let hi = 0;

// readLongVarint: up to ten bytes, the fifth split across the halves.
const longVarint = (r: WireReader): void => {
  lo = 0;
  hi = 0;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.len) throw pastEnd(r);
    const byte = r.buf[r.pos++]!;
    if (i < 4) lo = (lo | ((byte & 0x7f) << (i * 7))) >>> 0;
    else if (i === 4) {
      lo = (lo | ((byte & 0x7f) << 28)) >>> 0;
      hi = (hi | ((byte & 0x7f) >> 4)) >>> 0;
    } else hi = (hi | ((byte & 0x7f) << ((i - 5) * 7 + 3))) >>> 0;
    if (byte < 0x80) return;
  }
  throw new Error("invalid varint encoding");
};

// LongBits#toNumber, which toObject applies with `longs: Number`.
const longToNumber = (unsigned: boolean): number => {
  if (!unsigned && hi >>> 31) {
    const low = (~lo + 1) >>> 0;
    let high = ~hi >>> 0;
    if (!low) high = (high + 1) >>> 0;
    return -(low + high * 4294967296);
  }
  return lo + hi * 4294967296;
};

const smallVarint = (r: WireReader): number => {
  if (r.pos < r.len) {
    const byte = r.buf[r.pos]!;
    if (byte < 0x80) {
      r.pos++;
      return byte;
    }
  }
  return -1;
};

export const int64 = (r: WireReader): number => {
  const small = smallVarint(r);
  if (small >= 0) return small;
  longVarint(r);
  return longToNumber(false);
};

export const uint64 = (r: WireReader): number => {
  const small = smallVarint(r);
  if (small >= 0) return small;
  longVarint(r);
  return longToNumber(true);
};

export const sint64 = (r: WireReader): number => {
  longVarint(r);
  // LongBits#zzDecode
  const mask = -(lo & 1);
  lo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
  hi = ((hi >>> 1) ^ mask) >>> 0;
  return longToNumber(false);
};

const fixed32At = (buf: Uint8Array, at: number): number => (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;

export const fixed32 = (r: WireReader): number => {
  if (r.pos + 4 > r.len) throw pastEnd(r, 4);
  r.pos += 4;
  return fixed32At(r.buf, r.pos - 4);
};

export const sfixed32 = (r: WireReader): number => fixed32(r) | 0;

const fixed64Halves = (r: WireReader): void => {
  if (r.pos + 8 > r.len) throw pastEnd(r, 8);
  lo = fixed32At(r.buf, r.pos);
  hi = fixed32At(r.buf, r.pos + 4);
  r.pos += 8;
};

export const fixed64 = (r: WireReader): number => {
  fixed64Halves(r);
  return longToNumber(true);
};

export const sfixed64 = (r: WireReader): number => {
  fixed64Halves(r);
  return longToNumber(false);
};

// Little-endian scratch, as protobufjs's util.float reads floats on a little-endian host.
const float32 = new Float32Array(1);
const float32Bytes = new Uint8Array(float32.buffer);
const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);

export const float = (r: WireReader): number => {
  if (r.pos + 4 > r.len) throw pastEnd(r, 4);
  for (let i = 0; i < 4; i++) float32Bytes[i] = r.buf[r.pos++]!;
  return float32[0]!;
};

export const double = (r: WireReader): number => {
  if (r.pos + 8 > r.len) throw pastEnd(r, 8);
  for (let i = 0; i < 8; i++) float64Bytes[i] = r.buf[r.pos++]!;
  return float64[0]!;
};

// Reader#bool: true when any of up to ten bytes has a bit set.
export const bool = (r: WireReader): boolean => {
  let value = false;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.len) throw pastEnd(r);
    const byte = r.buf[r.pos++]!;
    if (byte & 0x7f) value = true;
    if (byte < 0x80) return value;
  }
  throw new Error("invalid varint encoding");
};

export const string = (r: WireReader): string => {
  const length = size(r);
  const start = r.pos;
  if (start + length > r.len) throw pastEnd(r, length);
  r.pos = start + length;
  return utf8StringOf(r.buf, start, r.pos);
};

/** A view of the input, not a copy, of the input's own class (a Buffer stays a Buffer), as Reader#bytes. */
export const bytes = (r: WireReader): Uint8Array => {
  const length = size(r);
  const start = r.pos;
  if (start + length > r.len) throw pastEnd(r, length);
  r.pos = start + length;
  return r.buf.subarray(start, r.pos);
};

/** A 64-bit map key as protobufjs's toObject names it: the exact decimal, not the rounded number. */
export const longKey = (r: WireReader, read: "int64" | "uint64" | "sint64" | "fixed64" | "sfixed64"): string => {
  if (read === "fixed64" || read === "sfixed64") fixed64Halves(r);
  else longVarint(r);
  if (read === "sint64") {
    const mask = -(lo & 1);
    lo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
    hi = ((hi >>> 1) ^ mask) >>> 0;
  }
  const bits = (BigInt(hi) << 32n) | BigInt(lo);
  return String(read === "uint64" || read === "fixed64" ? bits : BigInt.asIntN(64, bits));
};

/** Reader#skipType: steps over an unknown field, groups included; an end-group or reserved wire type throws. */
export const skip = (r: WireReader, wireType: number, depth: number, fieldNumber: number): void => {
  if (depth > recursionLimit) throw new Error("max depth exceeded");
  if (fieldNumber === 0) throw new Error("illegal tag: field number 0");
  switch (wireType) {
    case 0:
      do if (r.pos >= r.len) throw pastEnd(r);
      while (r.buf[r.pos++]! & 0x80);
      return;
    case 1:
      return skipBytes(r, 8);
    case 2:
      return skipBytes(r, size(r));
    case 3:
      for (;;) {
        const nested = tag(r);
        if (nested >>> 3 === 0) throw new Error("illegal tag: field number 0");
        if ((nested & 7) === 4) {
          if (nested >>> 3 !== fieldNumber) throw new Error("invalid end group tag");
          return;
        }
        skip(r, nested & 7, depth + 1, nested >>> 3);
      }
    case 5:
      return skipBytes(r, 4);
    default:
      throw new Error(`invalid wire type ${wireType} at offset ${r.pos}`);
  }
};

const skipBytes = (r: WireReader, length: number): void => {
  if (r.pos + length > r.len) throw pastEnd(r, length);
  r.pos += length;
};
