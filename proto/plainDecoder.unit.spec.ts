/**
 * plainDecoder against protobufjs: for every message type of the schema, and of a scratch schema
 * with every scalar, map key and presence kind, the decoded object must equal protobufjs's
 * `toObject(decode(bytes))` value for value and key for key, in order, and a buffer protobufjs
 * rejects must throw. Nothing is compared with a hand-written expectation where protobufjs can
 * give the answer.
 */
import { readdirSync, readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { messageCodec } from "./index.ts";
import { plainDecoder } from "./plainDecoder.ts";
import { concat, encode, keyOrder, messageTypes, plain, protobufjsDecode, randomMessage, seeded, type Random } from "./plainDecoder.fixtures.ts";

const schemaRoot = new URL("weft/", import.meta.url).pathname;
const schemaFiles = readdirSync(schemaRoot, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".proto"))
  .map((file) => `${schemaRoot}${file}`);
const weft = protobuf.loadSync(schemaFiles);
weft.resolveAll();

const scratch = protobuf.parse(`syntax = "proto3";
  package scratch;
  enum Color { option allow_alias = true; COLOR_UNSPECIFIED = 0; COLOR_RED = 1; COLOR_SCARLET = 1; COLOR_BLUE = 2; COLOR_MINUS = -3; }
  message Inner { string name = 1; int64 count = 2; repeated string tags = 3; Inner child = 4; map<string, string> labels = 5; }
  message Scalars {
    double d = 1; float f = 2; int32 i32 = 3; uint32 u32 = 4; sint32 s32 = 5; fixed32 fx32 = 6; sfixed32 sfx32 = 7; int64 i64 = 8;
    uint64 u64 = 9; sint64 s64 = 10; fixed64 fx64 = 11; sfixed64 sfx64 = 12; bool b = 13; string s = 14; bytes by = 15; Color c = 16;
    Inner inner = 17;
  }
  message Packed {
    repeated double d = 1; repeated float f = 2; repeated int32 i32 = 3; repeated uint32 u32 = 4; repeated sint32 s32 = 5;
    repeated fixed32 fx32 = 6; repeated sfixed32 sfx32 = 7; repeated int64 i64 = 8; repeated uint64 u64 = 9; repeated sint64 s64 = 10;
    repeated fixed64 fx64 = 11; repeated sfixed64 sfx64 = 12; repeated bool b = 13; repeated string s = 14; repeated bytes by = 15;
    repeated Color c = 16; repeated Inner inner = 17;
  }
  message Unpacked {
    repeated double d = 1 [packed = false]; repeated float f = 2 [packed = false]; repeated int32 i32 = 3 [packed = false];
    repeated uint32 u32 = 4 [packed = false]; repeated sint32 s32 = 5 [packed = false]; repeated fixed32 fx32 = 6 [packed = false];
    repeated sfixed32 sfx32 = 7 [packed = false]; repeated int64 i64 = 8 [packed = false]; repeated uint64 u64 = 9 [packed = false];
    repeated sint64 s64 = 10 [packed = false]; repeated fixed64 fx64 = 11 [packed = false]; repeated sfixed64 sfx64 = 12 [packed = false];
    repeated bool b = 13 [packed = false]; repeated Color c = 16 [packed = false];
  }
  message Maps {
    map<int32, string> i32 = 1; map<uint32, int64> u32 = 2; map<sint32, bytes> s32 = 3; map<fixed32, Color> fx32 = 4;
    map<sfixed32, Inner> sfx32 = 5; map<int64, double> i64 = 6; map<uint64, bool> u64 = 7; map<sint64, float> s64 = 8;
    map<fixed64, uint64> fx64 = 9; map<sfixed64, sint32> sfx64 = 10; map<bool, string> b = 11; map<string, Inner> s = 12;
    map<string, sfixed64> sl = 13; map<string, fixed32> sf = 14;
  }
  message Presence {
    optional string s = 1; optional int64 n = 2; optional bool b = 3; optional Inner m = 4; optional bytes by = 5; optional Color c = 6;
    optional double d = 7;
    oneof choice { string text = 10; Inner nested = 11; int64 number = 12; bytes raw = 13; Color color = 14; }
    string between = 15;
    oneof other { bool flag = 20; Inner deep = 21; }
    optional uint64 last = 22;
  }
  message Shuffled { string c = 3; repeated string r2 = 9; int32 a = 1; map<string, string> m = 5; repeated int32 r1 = 2; optional string o = 4; Inner i = 7; }
  message Sparse { string low = 1; int32 high = 536870911; }
  message Empty {}
`).root;
scratch.resolveAll();

type Decode = (bytes: Uint8Array) => unknown;

const expectSame = (type: protobuf.Type, decode: Decode, bytes: Uint8Array): void => {
  let expected: unknown;
  try {
    expected = protobufjsDecode(type, bytes);
  } catch {
    expect(() => decode(bytes), `protobufjs rejects ${Buffer.from(bytes).toString("hex")}`).toThrow();
    return;
  }
  const actual = decode(bytes);
  expect(actual).toStrictEqual(expected);
  expect(keyOrder(actual)).toEqual(keyOrder(expected));
};

// Plain Uint8Array (sqlite, NATS) and Buffer input: `bytes` fields come back as views of either.
const expectSameEither = (type: protobuf.Type, decode: Decode, bytes: Uint8Array): void => {
  expectSame(type, decode, plain(bytes));
  expectSame(type, decode, Buffer.from(bytes));
};

const seedOf = (name: string): number => [...name].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 0x01000193), 0x811c9dc5);

const realOneofs = (type: protobuf.Type) => type.oneofsArray.filter((oneof) => !oneof.isProto3Optional);

const everyCase = (type: protobuf.Type, decode: Decode, random: Random): void => {
  expectSameEither(type, decode, new Uint8Array(0));
  const full = encode(type, randomMessage(type, random));
  expectSameEither(type, decode, full);
  expectSameEither(type, decode, encode(type, randomMessage(type, random, 0, { zeros: true })));
  for (const oneof of realOneofs(type)) {
    for (const member of oneof.fieldsArray) {
      expectSameEither(type, decode, encode(type, randomMessage(type, random, 0, { members: new Map([[oneof, member]]) })));
    }
  }
  // A message sent twice is one message: the last scalar wins, embedded messages merge, repeated and maps append.
  expectSameEither(type, decode, concat(full, encode(type, randomMessage(type, random))));
  // Cut anywhere (every cut of the first 200 bytes, ~200 more beyond): a nested message's or a
  // string's length then runs past the end, or the cut falls between fields and still decodes.
  const stride = Math.max(1, Math.floor((full.length - 200) / 200));
  for (let length = 0; length < full.length; length += length < 200 ? 1 : stride) expectSame(type, decode, full.subarray(0, length));
};

describe("plainDecoder decodes as protobufjs decode + toObject", () => {
  it("walks every message the schema declares", () => {
    const declared = schemaFiles.flatMap((file) => readFileSync(file, "utf8").match(/^\s*message\s+\w+/gm) ?? []);
    expect(messageTypes(weft)).toHaveLength(declared.length);
  });

  it.each(messageTypes(weft).map((type) => [type.fullName.slice(1), type] as const))("%s, through messageCodec", (name, type) => {
    everyCase(type, messageCodec(name).decode, seeded(seedOf(name)));
  });

  it.each(messageTypes(scratch).map((type) => [type.fullName.slice(1), type] as const))("scratch %s", (name, type) => {
    const random = seeded(seedOf(name));
    for (let round = 0; round < 5; round++) everyCase(type, plainDecoder(type), random);
  });
});

const scratchType = (name: string) => scratch.lookupType(`scratch.${name}`);
const decoderOf = (name: string) => plainDecoder(scratchType(name));
const writer = () => protobuf.Writer.create();

describe("plainDecoder on the wire's corner cases", () => {
  it("reads packed scalars unpacked and unpacked scalars packed, whatever the schema says", () => {
    const random = seeded(7);
    for (let round = 0; round < 20; round++) {
      const value = randomMessage(scratchType("Unpacked"), random);
      // The same fields, so the same values: one schema writes them packed, the other not.
      const packedBytes = encode(scratchType("Packed"), value);
      const unpackedBytes = encode(scratchType("Unpacked"), value);
      expect(Buffer.from(packedBytes).equals(Buffer.from(unpackedBytes))).toBe(false);
      expectSameEither(scratchType("Packed"), decoderOf("Packed"), unpackedBytes);
      expectSameEither(scratchType("Unpacked"), decoderOf("Unpacked"), packedBytes);
      // Both encodings of one field in one message: the elements append in wire order.
      expectSameEither(scratchType("Packed"), decoderOf("Packed"), concat(packedBytes, unpackedBytes, packedBytes));
    }
  });

  it("keeps the last of a repeated scalar field, a later zero included", () => {
    const bytes = writer()
      .uint32(3 * 8).int32(5).uint32(14 * 8 + 2).string("first").uint32(8 * 8).int64(-7)
      .uint32(3 * 8).int32(0).uint32(14 * 8 + 2).string("").uint32(8 * 8).int64(0).uint32(15 * 8 + 2).bytes(new Uint8Array([1]))
      .uint32(15 * 8 + 2).bytes(new Uint8Array(0)).uint32(16 * 8).int32(2).uint32(16 * 8).int32(0).finish();
    expectSameEither(scratchType("Scalars"), decoderOf("Scalars"), bytes);
    expect(decoderOf("Scalars")(plain(bytes))).toMatchObject({ i32: 0, s: "", i64: 0, c: "COLOR_UNSPECIFIED" });
  });

  it("merges an embedded message that appears twice, and a oneof member after another one", () => {
    const inner = scratchType("Inner");
    const first = encode(inner, { name: "a", count: 3, tags: ["x"], labels: { k: "1" } });
    const second = encode(inner, { tags: ["y"], labels: { j: "2" }, child: { name: "c" } });
    const bytes = writer().uint32(17 * 8 + 2).bytes(first).uint32(17 * 8 + 2).bytes(second).finish();
    expectSameEither(scratchType("Scalars"), decoderOf("Scalars"), bytes);
    expect(decoderOf("Scalars")(plain(bytes))).toMatchObject({ inner: { name: "a", count: 3, tags: ["x", "y"], labels: { k: "1", j: "2" }, child: { name: "c" } } });
    const oneof = writer().uint32(11 * 8 + 2).bytes(first).uint32(10 * 8 + 2).string("t").uint32(11 * 8 + 2).bytes(second).finish();
    expectSameEither(scratchType("Presence"), decoderOf("Presence"), oneof);
  });

  it("skips unknown fields of every wire type, at any depth, and known fields sent with another wire type", () => {
    const unknown = writer()
      .uint32(100 * 8).uint64("18446744073709551615").uint32(101 * 8 + 1).fixed64(42).uint32(102 * 8 + 2).bytes(new Uint8Array([1, 2, 3]))
      .uint32(103 * 8 + 3).uint32(1 * 8).int32(1).uint32(2 * 8 + 3).uint32(2 * 8 + 4).uint32(103 * 8 + 4)
      .uint32(104 * 8 + 5).fixed32(7)
      .uint32(14 * 8).int32(1) // field `s` as a varint: not a string, skipped
      .finish();
    const random = seeded(11);
    for (const name of ["Scalars", "Maps", "Presence", "Packed"]) {
      const type = scratchType(name);
      const value = encode(type, randomMessage(type, random));
      expectSameEither(type, decoderOf(name), concat(unknown, value, unknown));
      expect(decoderOf(name)(concat(unknown, value, unknown))).toStrictEqual(decoderOf(name)(plain(value)));
    }
    const truncated = concat(encode(scratchType("Scalars"), { s: "x" }), unknown);
    for (let length = 0; length < truncated.length; length++) expectSame(scratchType("Scalars"), decoderOf("Scalars"), truncated.subarray(0, length));
    const nested = writer().uint32(17 * 8 + 2).bytes(concat(unknown, encode(scratchType("Inner"), { name: "n" }), unknown)).finish();
    expectSameEither(scratchType("Scalars"), decoderOf("Scalars"), nested);
    // protobufjs's decoder of a message without fields passes the whole tag where skipType wants
    // the field number, so any group ends "invalid end group tag" there: a bug not copied.
    expect(() => protobufjsDecode(scratchType("Empty"), unknown)).toThrow("invalid end group tag");
    expect(decoderOf("Empty")(unknown)).toStrictEqual({});
    const inMapEntry = writer().uint32(12 * 8 + 2).bytes(concat(unknown, writer().uint32(10).string("k").finish(), unknown)).finish();
    expectSameEither(scratchType("Maps"), decoderOf("Maps"), inMapEntry);
  });

  it("gives a map entry without a key or a value protobufjs's defaults for them", () => {
    const type = scratchType("Maps");
    for (const field of type.fieldsArray as unknown as protobuf.MapField[]) {
      const keyTag = field.keyType === "fixed32" || field.keyType === "sfixed32" ? 13 : field.keyType === "fixed64" || field.keyType === "sfixed64" ? 9 : field.keyType === "string" ? 10 : 8;
      const keyWriter = writer().uint32(keyTag) as unknown as Record<string, (value: unknown) => protobuf.Writer>;
      const keyOnly = keyWriter[field.keyType]!(field.keyType === "string" ? "k" : field.keyType === "bool" ? true : 5);
      const bytes = writer().uint32(field.id * 8 + 2).bytes(new Uint8Array(0)).uint32(field.id * 8 + 2).bytes(keyOnly.finish()).finish();
      expectSameEither(type, decoderOf("Maps"), bytes);
    }
  });

  it("gives `bytes` as views of the input, as protobufjs does, and a fresh empty Buffer when absent", () => {
    const type = scratchType("Scalars");
    const input = plain(encode(type, { by: new Uint8Array([1, 2, 3]) }));
    for (const decoded of [protobufjsDecode(type, input), decoderOf("Scalars")(input)] as Array<{ by: Uint8Array }>) {
      expect(decoded.by.buffer).toBe(input.buffer);
    }
    const empty = decoderOf("Scalars")(new Uint8Array(0)) as { by: Uint8Array };
    expect(empty.by).toStrictEqual((protobufjsDecode(type, new Uint8Array(0)) as { by: Uint8Array }).by);
    expect(empty.by).not.toBe((decoderOf("Scalars")(new Uint8Array(0)) as { by: Uint8Array }).by);
  });

  it.each([
    ["a truncated string", "Scalars", writer().uint32(14 * 8 + 2).uint32(10).finish()],
    ["a string past its message's end", "Scalars", writer().uint32(17 * 8 + 2).uint32(2).uint32(1 * 8 + 2).uint32(5).string("abcd").finish()],
    ["field number 0", "Scalars", new Uint8Array([0x00, 0x01])],
    ["wire type 6", "Scalars", new Uint8Array([0x0e, 0x01])],
    ["wire type 7", "Scalars", new Uint8Array([0x0f, 0x01])],
    ["an end group with no start", "Scalars", writer().uint32(100 * 8 + 4).finish()],
    ["a group ended by another field's end", "Scalars", writer().uint32(100 * 8 + 3).uint32(101 * 8 + 4).finish()],
    ["an unterminated group", "Scalars", writer().uint32(100 * 8 + 3).finish()],
    ["an eleven-byte varint", "Scalars", new Uint8Array([3 * 8, ...Array<number>(10).fill(0xff), 0x01])],
    ["a six-byte tag", "Scalars", new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])],
    ["a packed fixed64 of 12 bytes", "Packed", writer().uint32(11 * 8 + 2).bytes(new Uint8Array(12)).finish()],
    ["a packed float of 6 bytes", "Packed", writer().uint32(2 * 8 + 2).bytes(new Uint8Array(6)).finish()],
  ] as const)("throws on %s, as protobufjs does", (_, name, bytes) => {
    expect(() => protobufjsDecode(scratchType(name), bytes)).toThrow();
    expect(() => decoderOf(name)(plain(bytes))).toThrow();
  });

  it("throws on invalid UTF-8 in a string, short or long, key or element", () => {
    const invalid = [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [...Array(70).fill(0x61), 0xe2, 0x82]];
    for (const sequence of invalid) {
      const string = new Uint8Array([0x61, ...sequence]);
      const cases: Array<[string, Uint8Array]> = [
        ["Scalars", writer().uint32(14 * 8 + 2).bytes(string).finish()],
        ["Packed", writer().uint32(14 * 8 + 2).bytes(string).finish()],
        ["Maps", writer().uint32(12 * 8 + 2).bytes(writer().uint32(10).bytes(string).finish()).finish()],
      ];
      for (const [name, bytes] of cases) {
        expect(() => protobufjsDecode(scratchType(name), bytes)).toThrow();
        expect(() => decoderOf(name)(plain(bytes))).toThrow(TypeError);
      }
    }
  });

  it("keeps a leading byte-order mark", () => {
    for (const s of ["\uFEFFid", "\uFEFF", `\uFEFF${"x".repeat(80)}`]) {
      const bytes = encode(scratchType("Scalars"), { s });
      expectSameEither(scratchType("Scalars"), decoderOf("Scalars"), bytes);
      expect((decoderOf("Scalars")(plain(bytes)) as { s: string }).s).toBe(s);
    }
  });

  it("stops at protobufjs's recursion limit", () => {
    const nestedIn = (depth: number): Uint8Array => (depth === 0 ? new Uint8Array(0) : writer().uint32(4 * 8 + 2).bytes(nestedIn(depth - 1)).finish());
    const inner = scratchType("Inner");
    expectSame(inner, plainDecoder(inner), nestedIn(100));
    expect(() => protobufjsDecode(inner, nestedIn(102))).toThrow("max depth exceeded");
    expect(() => plainDecoder(inner)(nestedIn(102))).toThrow("max depth exceeded");
  });

  it("rejects what is not a Uint8Array, as protobufjs's Reader.create does", () => {
    expect(() => decoderOf("Empty")("bytes" as unknown as Uint8Array)).toThrow("illegal buffer");
  });
});

describe("plainDecoder beyond proto3", () => {
  const proto2 = protobuf.parse(`syntax = "proto2";
    message Defaults { optional int32 n = 1 [default = 7]; optional bytes by = 2; optional bytes with = 3 [default = "ab"]; repeated int64 r = 4; optional int64 big = 5 [default = -9007199254740993]; }
    message Required { required int32 n = 1; }
    message Text { optional string s = 1; }
    enum Closed { A = 1; B = 2; }
    message WithClosed { optional Closed c = 1; }`).root;
  proto2.resolveAll();

  it("decodes explicit presence as protobufjs does: custom defaults, an empty `bytes` kept", () => {
    const type = proto2.lookupType("Defaults");
    const random = seeded(3);
    expectSameEither(type, plainDecoder(type), new Uint8Array(0));
    expectSameEither(type, plainDecoder(type), encode(type, { by: new Uint8Array(0), with: new Uint8Array(0) }));
    for (let round = 0; round < 20; round++) expectSameEither(type, plainDecoder(type), encode(type, randomMessage(type, random)));
  });

  it.each(["Required", "Text", "WithClosed"])("refuses %s rather than decode it differently", (name) => {
    expect(() => plainDecoder(proto2.lookupType(name))(new Uint8Array(0))).toThrow("not supported by plainDecoder");
  });
});
