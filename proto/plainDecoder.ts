/**
 * Decoders that turn a message's bytes straight into the plain object protobufjs 8 gives for
 * `type.toObject(type.decode(bytes), options)` with this package's options (`longs: Number,
 * enums: String, defaults: true, arrays: true, objects: true, oneofs: true`): the same values,
 * nesting and property order, in one pass and one object graph, with flat interned strings
 * (see utf8.ts). Replay decodes millions of events; protobufjs's message instance, its `toObject`
 * copy and its cons-string ids were most of replay's garbage.
 *
 * One JavaScript function per message type is generated from protobufjs's reflection on first
 * use and compiled with `new Function`, as protobufjs compiles its own. It keeps each field in a
 * local while reading (last occurrence wins, embedded messages merge, a oneof member clears the
 * others, unknown fields are skipped) and builds the object once at the end, in toObject's key
 * order: repeated fields, then maps, then every other field with its default, each group by
 * field number, then the oneof members and proto3 `optional` fields that are set, by field
 * number, a real oneof's member followed by the oneof's name. Encoding stays with protobufjs.
 *
 * Only what proto3 schemas use is generated (groups, required fields, closed enums and strings
 * without UTF-8 validation are proto2/editions features): a message using them throws on its
 * first decode rather than decode differently.
 */
import protobuf from "protobufjs";
import * as wire from "./wireReader.ts";

type Decode = (r: wire.WireReader, depth: number, merge: Record<string, unknown> | null | undefined) => Record<string, unknown>;

interface Scalar {
  readonly wireType: number;
  // The wireReader function that reads it, already in toObject's form.
  readonly read: keyof typeof wire;
  readonly packable: boolean;
}

// protobufjs's types.basic (wire types) and types.packed, with "enum" for an enum field.
const scalars: Record<string, Scalar> = {
  double: { wireType: 1, read: "double", packable: true },
  float: { wireType: 5, read: "float", packable: true },
  int32: { wireType: 0, read: "int32", packable: true },
  uint32: { wireType: 0, read: "uint32", packable: true },
  sint32: { wireType: 0, read: "sint32", packable: true },
  fixed32: { wireType: 5, read: "fixed32", packable: true },
  sfixed32: { wireType: 5, read: "sfixed32", packable: true },
  int64: { wireType: 0, read: "int64", packable: true },
  uint64: { wireType: 0, read: "uint64", packable: true },
  sint64: { wireType: 0, read: "sint64", packable: true },
  fixed64: { wireType: 1, read: "fixed64", packable: true },
  sfixed64: { wireType: 1, read: "sfixed64", packable: true },
  bool: { wireType: 0, read: "bool", packable: true },
  enum: { wireType: 0, read: "int32", packable: true },
  string: { wireType: 2, read: "string", packable: false },
  bytes: { wireType: 2, read: "bytes", packable: false },
};

const longTypes = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

// toObject's enum conversion: the first name declared for the number, the number when unknown.
const enumName = (names: Readonly<Record<number, string>>, value: number): string | number => names[value] ?? value;

// util.makeProp, so a "__proto__" map key becomes an own property as toObject makes it.
const ownKey = (target: object, key: string): void => {
  Object.defineProperty(target, key, { enumerable: true, configurable: true, writable: true });
};

// What the generated code calls, by these names.
const runtime = { ...wire, enumName, ownKey, Buffer, empty: new wire.WireReader(new Uint8Array(0)) };

// One decoder per message type, shared by every codec; generated code calls `D[index]`.
const decoders: Decode[] = [];
const indexOfType = new Map<protobuf.Type, number>();

/** The plain-object decoder of a message type, generated on the first call for a type. */
export const plainDecoder = <T>(type: protobuf.Type): ((bytes: Uint8Array) => T) => {
  const decode = decoders[decoderIndex(type)]!;
  return (bytes) => {
    // Reader.create's check: protobufjs reads only Uint8Array (and Buffer, one of them).
    if (!(bytes instanceof Uint8Array)) throw new Error("illegal buffer");
    return decode(new wire.WireReader(bytes), 0, undefined) as T;
  };
};

const decoderIndex = (type: protobuf.Type): number => {
  const known = indexOfType.get(type);
  if (known !== undefined) return known;
  const fresh = unknownTypesFrom(type);
  for (const each of fresh) for (const field of each.fieldsArray) checkSupported(field.resolve());
  for (const each of fresh) indexOfType.set(each, decoders.length + fresh.indexOf(each));
  try {
    decoders.push(...fresh.map(compile));
  } catch (error) {
    for (const each of fresh) indexOfType.delete(each);
    throw error;
  }
  return indexOfType.get(type)!;
};

// The message types reachable from `type` that have no decoder yet, so a cycle compiles at once.
const unknownTypesFrom = (type: protobuf.Type): protobuf.Type[] => {
  const found = [type];
  for (let i = 0; i < found.length; i++) {
    for (const field of found[i]!.fieldsArray) {
      const nested = field.resolve().resolvedType;
      if (nested instanceof protobuf.Type && !indexOfType.has(nested) && !found.includes(nested)) found.push(nested);
    }
  }
  return found;
};

// protobufjs keeps edition features on a private property; these are the ones it decodes by.
const features = (object: protobuf.ReflectionObject | null): Readonly<Record<string, unknown>> =>
  (object as unknown as { _features?: Record<string, unknown> } | null)?._features ?? {};

const checkSupported = (field: protobuf.Field): void => {
  const unsupported = (what: string) => new Error(`${field.fullName}: ${what} are not supported by plainDecoder; decode with protobufjs`);
  if (field.required) throw unsupported("required fields");
  if (field.delimited) throw unsupported("groups (delimited message encoding)");
  if (field.resolvedType instanceof protobuf.Enum && features(field.resolvedType)["enum_type"] === "CLOSED") throw unsupported("closed enums");
  const hasString = field.type === "string" || (field.map && keyTypeOf(field) === "string");
  if (hasString && features(field)["utf8_validation"] !== "VERIFY") throw unsupported("strings without UTF-8 validation");
  if (field.name === "__proto__") throw unsupported("fields named __proto__");
};

// The values a decoder's code refers to as K[i]: enum names, default `bytes`.
type Constants = unknown[];
const ref = (constants: Constants, value: unknown): string => `K[${constants.push(value) - 1}]`;

const compile = (type: protobuf.Type): Decode => {
  const constants: Constants = [];
  const body = decoderSource(type, constants);
  const names = Object.keys(runtime);
  const factory = new Function("D", "K", ...names, `"use strict";\n${body}`) as (...args: unknown[]) => Decode;
  return factory(decoders, constants, ...names.map((name) => runtime[name as keyof typeof runtime]));
};

const key = (name: string): string => JSON.stringify(name);
const local = (field: protobuf.Field): string => `f${(field.parent as protobuf.Type).fieldsArray.indexOf(field)}`;
// A map field is a protobufjs MapField, which its typings do not make a Field.
const keyTypeOf = (field: protobuf.Field): string => (field as unknown as protobuf.MapField).keyType;
const tagOf = (field: protobuf.Field | number, wireType: number): number => (typeof field === "number" ? field : field.id) * 8 + wireType;
const messageOf = (field: protobuf.Field): protobuf.Type | undefined => (field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined);
const scalarOf = (field: protobuf.Field): Scalar => scalars[field.resolvedType instanceof protobuf.Enum ? "enum" : field.type]!;

// A scalar read, converted as toObject converts it: an enum's number to its name.
const readScalar = (field: protobuf.Field, constants: Constants): string => {
  const read = `${scalarOf(field).read}(r)`;
  return field.resolvedType instanceof protobuf.Enum ? `enumName(${ref(constants, field.resolvedType.valuesById)}, ${read})` : read;
};

// Decodes an embedded message, merged into `merge` when that holds one already (the `g` argument
// of protobufjs's generated decode), and hands the decode call to `use`.
const readMessage = (field: protobuf.Field, use: (decoded: string) => string, merge = "undefined"): string =>
  `{ const o = enter(r); ${use(`D[${decoderIndex(messageOf(field)!)}](r, q + 1, ${merge})`)}; leave(r, o); }`;

const literal = (value: unknown): string => {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return value === undefined ? "undefined" : JSON.stringify(value);
};

// toObject's `if(o.defaults)` value of a field that is neither repeated, a map nor in a oneof.
const defaultOf = (field: protobuf.Field, constants: Constants): string => {
  if (messageOf(field)) return "null";
  if (field.resolvedType instanceof protobuf.Enum) return literal(field.resolvedType.valuesById[field.typeDefault as number]);
  if (longTypes.has(field.type)) {
    const value = field.typeDefault as number | { toNumber(): number };
    return literal(typeof value === "number" ? value : value.toNumber());
  }
  // A fresh Buffer each time, as toObject's util.newBuffer: a read model may keep it.
  if (field.type === "bytes") return `Buffer.from(${ref(constants, Array.from(field.typeDefault as Uint8Array))})`;
  return literal(field.typeDefault);
};

// A map entry's value when the entry has none, as protobufjs's decoder starts `v` (then toObject
// converts it): an empty message's defaults, the enum's zero, and for bytes an empty Array.
const mapValueDefault = (field: protobuf.Field): string => {
  if (messageOf(field)) return "undefined";
  if (field.resolvedType instanceof protobuf.Enum) return literal(field.resolvedType.valuesById[0] ?? 0);
  if (field.type === "bytes") return "[]";
  return literal(field.type === "string" ? "" : field.type === "bool" ? false : 0);
};

// protobufjs's map entry loop: key and value keep their defaults unless the entry has them, an
// entry's unknown fields are skipped, a later entry with the same key replaces an earlier one.
const mapCase = (field: protobuf.Field, constants: Constants): string => {
  const f = local(field);
  const keyType = keyTypeOf(field);
  const keyScalar = scalars[keyType]!;
  const readKey = longTypes.has(keyType) ? `longKey(r, ${key(keyType)})` : `${keyScalar.read}(r)`;
  const keyDefault = keyType === "string" ? `""` : keyType === "bool" ? "false" : "0";
  const nested = messageOf(field);
  const readValue = nested ? readMessage(field, (decoded) => `v = ${decoded}`, "v") : `v = ${readScalar(field, constants)};`;
  const value = nested ? `v === undefined ? D[${decoderIndex(nested)}](empty, q + 1, undefined) : v` : "v";
  return [
    `case ${tagOf(field, 2)}: {`,
    `  const o = enter(r);`,
    `  let k = ${keyDefault}, v = ${mapValueDefault(field)};`,
    `  while (r.pos < r.len) {`,
    `    const t2 = tag(r);`,
    `    if (t2 === ${tagOf(1, keyScalar.wireType)}) k = ${readKey};`,
    `    else if (t2 === ${tagOf(2, nested ? 2 : scalarOf(field).wireType)}) ${readValue}`,
    `    else skip(r, t2 & 7, q, t2 >>> 3);`,
    `  }`,
    `  leave(r, o);`,
    keyType === "string" ? `  if (k === "__proto__") ownKey(${f}, k);` : "",
    `  ${f}[k] = ${value};`,
    `  continue;`,
    `}`,
  ].join("\n");
};

// Repeated scalars are accepted packed and unpacked whatever the schema says, as protobufjs does.
const repeatedCases = (field: protobuf.Field, constants: Constants): string => {
  const f = local(field);
  if (messageOf(field)) return `case ${tagOf(field, 2)}: ${readMessage(field, (decoded) => `${f}.push(${decoded})`)} continue;`;
  const scalar = scalarOf(field);
  const read = readScalar(field, constants);
  const single = `case ${tagOf(field, scalar.wireType)}: ${f}.push(${read}); continue;`;
  if (!scalar.packable) return single;
  return `case ${tagOf(field, 2)}: { const o = enter(r); while (r.pos < r.len) ${f}.push(${read}); leave(r, o); continue; }\n${single}`;
};

// A non-repeated field: the last occurrence wins; a oneof member clears the oneof's other members
// (protobufjs's oneof setter deletes them).
const singularCase = (field: protobuf.Field, constants: Constants): string => {
  const f = local(field);
  const others = field.partOf ? field.partOf.fieldsArray.filter((other) => other !== field).map((other) => `${local(other)} = undefined; `).join("") : "";
  if (messageOf(field)) return `case ${tagOf(field, 2)}: ${readMessage(field, (decoded) => `${f} = ${decoded}`, f)} ${others}continue;`;
  const read = readScalar(field, constants);
  // An empty `bytes` without presence is deleted from the message, so toObject gives the default.
  const value = field.type === "bytes" && !field.hasPresence ? `{ const b = ${read}; ${f} = b.length === 0 ? undefined : b; }` : `${f} = ${read};`;
  return `case ${tagOf(field, scalarOf(field).wireType)}: ${value} ${others}continue;`;
};

const byId = (a: protobuf.Field, b: protobuf.Field): number => a.id - b.id;

const decoderSource = (type: protobuf.Type, constants: Constants): string => {
  const fields = type.fieldsArray.map((field) => field.resolve()).sort(byId);
  const repeated = fields.filter((field) => field.repeated && !field.map);
  const maps = fields.filter((field) => field.map);
  const plain = fields.filter((field) => !field.repeated && !field.map && !field.partOf);
  const optional = fields.filter((field) => field.partOf);
  const initial = (field: protobuf.Field): string => {
    if (field.map) return "{}";
    if (field.repeated) return "[]";
    // Implicit bytes start unset: the fresh default Buffer is made only when the object is built.
    if (field.partOf || field.type === "bytes") return "undefined";
    return defaultOf(field, constants);
  };
  const cases = fields.map((field) => (field.map ? mapCase(field, constants) : field.repeated ? repeatedCases(field, constants) : singularCase(field, constants)));
  // toObject's `if(o.arrays||o.defaults)`, `if(o.objects||o.defaults)` and `if(o.defaults)`
  // blocks fix these keys' order, whatever was read.
  const output = [...repeated, ...maps, ...plain].map((field) => {
    const bytesDefault = field.type === "bytes" && !field.repeated && !field.map ? ` === undefined ? ${defaultOf(field, constants)} : ${local(field)}` : "";
    return `${key(field.name)}: ${local(field)}${bytesDefault}`;
  });
  // toObject's `if(m.x!=null&&Object.hasOwnProperty.call(m,"x"))` for oneof members and proto3
  // optional fields, then `if(o.oneofs)` naming a real oneof's member (not a synthetic one's).
  const present = optional.map((field) => {
    const oneof = field.partOf!.isProto3Optional ? "" : ` d[${key(field.partOf!.name)}] = ${key(field.name)};`;
    return `if (${local(field)} !== undefined) { d[${key(field.name)}] = ${local(field)};${oneof} }`;
  });
  return [
    `// ${type.fullName}`,
    `return function decode(r, q, g) {`,
    `if (q > ${wire.recursionLimit}) throw Error("max depth exceeded");`,
    fields.length ? `let ${fields.map((field) => `${local(field)} = ${initial(field)}`).join(", ")};` : "",
    fields.length ? `if (g != null) { ${fields.map((field) => `${local(field)} = g[${key(field.name)}];`).join(" ")} }` : "",
    `while (r.pos < r.len) {`,
    `const t = tag(r);`,
    cases.length ? `switch (t) {\n${cases.join("\n")}\n}` : "",
    `skip(r, t & 7, q, t >>> 3);`,
    `}`,
    `const d = { ${output.join(", ")} };`,
    ...present,
    `return d;`,
    `};`,
  ].filter((line) => line !== "").join("\n");
};
