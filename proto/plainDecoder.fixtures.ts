/**
 * Test inputs for plainDecoder's specs: every message type of a protobufjs root, and seeded
 * random values for a type's fields in the shape protobufjs's `fromObject` takes, with non-ASCII,
 * empty and over-64-byte strings, negative and beyond-2^53 64-bit integers, several map entries
 * and repeated elements (a default one among them), and nested messages filled in turn.
 */
import protobuf from "protobufjs";

/** The options every codec of this package decodes with. */
export const toObjectOptions: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true, objects: true, oneofs: true };

/** What protobufjs gives today: the reference every decode is compared with. */
export const protobufjsDecode = (type: protobuf.Type, bytes: Uint8Array): unknown => type.toObject(type.decode(bytes), toObjectOptions);

export const messageTypes = (namespace: protobuf.NamespaceBase): protobuf.Type[] =>
  namespace.nestedArray.flatMap((nested) => [
    ...(nested instanceof protobuf.Type ? [nested] : []),
    ...(nested instanceof protobuf.Namespace || nested instanceof protobuf.Type ? messageTypes(nested) : []),
  ]);

/** Every key at every level, in order, so two objects with the same values but another key order differ. */
export const keyOrder = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return typeof value;
  return Object.entries(value).map(([key, nested]) => [key, keyOrder(nested)]);
};

/** mulberry32: a small seeded generator, so a failure reproduces. */
export const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
export type Random = ReturnType<typeof seeded>;

const pick = <T>(random: Random, from: ReadonlyArray<T>): T => from[Math.floor(random() * from.length)]!;
const int = (random: Random, below: number) => Math.floor(random() * below);

const pieces = ["a", "Z", "0", "-", "_", " ", "é", "ß", "日本", "🙂", "\u0000", "~"];
const text = (random: Random, minLength: number): string => {
  const length = minLength + pick(random, [0, 1, 8, 36, 63, 64, 65, 90]);
  let out = random() < 0.1 ? "\uFEFF" : "";
  while (out.length < length) out += random() < 0.8 ? String.fromCharCode(0x21 + int(random, 94)) : pick(random, pieces);
  return out;
};

const bits64 = (random: Random): bigint => (BigInt(int(random, 2 ** 32)) << 32n) | BigInt(int(random, 2 ** 32));

const nonZero = (value: number, fallback: number): number => (value === 0 ? fallback : value);

// A 64-bit value as fromObject takes it exactly: a decimal string, within the type's range.
const long = (random: Random, unsigned: boolean): string => {
  const bits = pick(random, [bits64(random), BigInt(1 + int(random, 1000)), 2n ** 53n + 1n, 2n ** 63n + 3n, -1n, -(2n ** 60n) - 7n]);
  return String(unsigned ? BigInt.asUintN(64, bits) : BigInt.asIntN(64, bits));
};

/** A non-default value of a scalar type (or an enum's), as fromObject takes it. */
export const scalarValue = (type: string, random: Random, resolved?: protobuf.Enum): unknown => {
  if (resolved) return pick(random, [...Object.values(resolved.values).filter((value) => value !== 0), 99]);
  switch (type) {
    case "double":
      return pick(random, [random() * 1e9 - 5e8, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, 1.5]);
    case "float":
      return Math.fround(pick(random, [random() * 1e6 - 5e5, -0, 0.25, 3e38]));
    case "int32":
    case "sint32":
    case "sfixed32":
      return nonZero(int(random, 2 ** 32) | 0, -1);
    case "uint32":
    case "fixed32":
      return nonZero(int(random, 2 ** 32), 2 ** 32 - 1);
    case "int64":
    case "sint64":
    case "sfixed64":
      return long(random, false);
    case "uint64":
    case "fixed64":
      return long(random, true);
    case "bool":
      return true;
    case "string":
      return text(random, 1);
    case "bytes":
      return Uint8Array.from({ length: 1 + int(random, 9) }, () => int(random, 256));
    default:
      throw new Error(`no value for ${type}`);
  }
};

// A map key as a plain object's key: a decimal for integers, "true"/"false", any string. Not
// "constructor": toStrictEqual compares `a.constructor === b.constructor`, which two equal
// message values under that key never are.
const mapKey = (keyType: string, random: Random): string => {
  if (keyType === "bool") return pick(random, ["true", "false"]);
  if (keyType === "string") return pick(random, [text(random, 0), "", "__proto__", "1", "toString"]);
  return String(scalarValue(keyType, random));
};

const zeroOf = (field: protobuf.Field): unknown => {
  if (field.resolvedType instanceof protobuf.Type) return {};
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  return field.type === "string" ? "" : field.type === "bool" ? false : field.type === "bytes" ? new Uint8Array(0) : 0;
};

const valueOf = (field: protobuf.Field, random: Random, depth: number): unknown =>
  field.resolvedType instanceof protobuf.Type ? randomMessage(field.resolvedType, random, depth + 1) : scalarValue(field.type, random, field.resolvedType ?? undefined);

export interface Fill {
  /** Fields with presence (proto3 optional, oneof members) set to their zero value instead. */
  readonly zeros?: boolean;
  /** For each real oneof, the one member to set; every member is set (the last encoded wins) otherwise. */
  readonly members?: ReadonlyMap<protobuf.OneOf, protobuf.Field>;
}

const maxDepth = 3;

/** Every field of `type` set, nested messages included down to a few levels. */
export const randomMessage = (type: protobuf.Type, random: Random, depth = 0, fill: Fill = {}): Record<string, unknown> => {
  const message: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const oneof = field.partOf;
    if (oneof && !oneof.isProto3Optional && depth === 0 && fill.members && fill.members.get(oneof) !== field) continue;
    if (field.resolvedType instanceof protobuf.Type && depth >= maxDepth) continue;
    if (field.map) {
      // Null prototype, so "__proto__" is a key like any other.
      const entries: Record<string, unknown> = Object.create(null);
      entries[mapKey((field as unknown as protobuf.MapField).keyType, random)] = zeroOf(field);
      for (let i = 0; i < 3; i++) entries[mapKey((field as unknown as protobuf.MapField).keyType, random)] = valueOf(field, random, depth);
      message[field.name] = entries;
    } else if (field.repeated) {
      message[field.name] = [valueOf(field, random, depth), zeroOf(field), valueOf(field, random, depth)];
    } else {
      message[field.name] = fill.zeros && field.hasPresence ? zeroOf(field) : valueOf(field, random, depth);
    }
  }
  return message;
};

export const encode = (type: protobuf.Type, value: Record<string, unknown>): Uint8Array => type.encode(type.fromObject(value)).finish();

/** Bytes as a plain Uint8Array, not the Buffer protobufjs's writer returns. */
export const plain = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

export const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
};
