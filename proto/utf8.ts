/**
 * Strings off the wire: UTF-8 bytes to a JavaScript string, as protobufjs's `stringVerify` reads
 * them (invalid UTF-8 throws, a leading U+FEFF is kept) but as one flat string, and the same
 * string object for the short ASCII strings that repeat across events (ids, names, timestamps).
 *
 * protobufjs builds strings under 64 bytes eight characters at a time (`str += ...`), so every
 * id a read model keeps is a chain of V8 cons-strings, ~300 bytes instead of ~56. Here ASCII
 * becomes one sequential one-byte string in a single copy, and a small direct-mapped cache hands
 * back the string already made for the same bytes: 100 project ids over a million events stay
 * 100 strings instead of a million copies.
 */

// `ignoreBOM`: protobufjs keeps a leading U+FEFF as part of the value.
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Node's Buffer method accepts any Uint8Array as `this` and copies the bytes into one flat
// one-byte string; it is not in @types/node, hence the cast.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

// Longer strings are descriptions and hashes, rarely repeated: not worth a slot.
const internMaxBytes = 64;
const slotBits = 12;
const slots: string[] = new Array<string>(1 << slotBits).fill("");
// Each slot's string's hash: most misses (timestamps, request ids) differ in their last characters,
// which a comparison of the characters would reach only at the end.
const slotHashes = new Int32Array(1 << slotBits);

/**
 * The string the UTF-8 bytes `bytes[start, end)` encode, the way protobufjs decodes a proto3
 * `string` field: a TypeError on invalid UTF-8, a leading byte-order mark kept. Short ASCII
 * strings are interned, so decoding the same id twice returns the same string.
 */
export const utf8StringOf = (bytes: Uint8Array, start: number, end: number): string => {
  const length = end - start;
  if (length <= 0) return "";
  if (length > internMaxBytes) return longStringOf(bytes, start, end);
  // FNV-1a over the bytes, in the loop that checks they are all ASCII anyway.
  let hash = 0x811c9dc5;
  let any = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    any |= byte;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  if (any >= 0x80) return strict.decode(bytes.subarray(start, end));
  const slot = hash >>> (32 - slotBits);
  const cached = slots[slot]!;
  if (slotHashes[slot] === hash && cached.length === length && sameAscii(cached, bytes, start)) return cached;
  const string = latin1Slice.call(bytes, start, end);
  slots[slot] = string;
  slotHashes[slot] = hash;
  return string;
};

const sameAscii = (string: string, bytes: Uint8Array, start: number): boolean => {
  for (let i = 0; i < string.length; i++) if (string.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
};

const longStringOf = (bytes: Uint8Array, start: number, end: number): string => {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return strict.decode(bytes.subarray(start, end));
  return latin1Slice.call(bytes, start, end);
};
