/**
 * projectedMetadataOf reads the same occurredAt, requestId and actor as decoding the whole
 * EventMetadata (eventMetadataCodec, itself checked against protobufjs in proto/): with every
 * field set, none set, non-ASCII text, long strings, fields of a newer schema it does not know
 * (every wire type), repeated occurrences, and malformed bytes. metadataStringOf reads each of
 * those strings (and the correlation id) alone, the same way.
 */
import { describe, expect, it } from "vitest";
import { eventMetadataCodec, type EventMetadata } from "@weft/proto";
import { metadataStringOf, projectedMetadataOf, type MetadataString } from "./projectedEvents.ts";

const full: EventMetadata = {
  commandId: "cmd-1",
  requestId: "req-7c1e0d2a-7f5c-4b0e-9d55-0f1b2c3d4e5f",
  correlationId: "corr-1",
  causationId: "cause-1",
  actor: { userId: "u-1", userName: "alice", projectId: "p-1", domainId: "default", roles: ["admin", "member"], systemScope: false },
  occurredAt: "2026-11-22T10:00:00.123Z",
};

const expected = (bytes: Uint8Array) => {
  const decoded = eventMetadataCodec.decode(bytes);
  return { occurredAt: decoded.occurredAt, requestId: decoded.requestId, actor: { userId: decoded.actor?.userId ?? "", projectId: decoded.actor?.projectId ?? "" } };
};

const concat = (...parts: ReadonlyArray<Uint8Array | ReadonlyArray<number>>) => Uint8Array.from(parts.flatMap((part) => [...part]));

describe("projectedMetadataOf", () => {
  it("reads what protobufjs reads from a full metadata", () => {
    const bytes = eventMetadataCodec.encode(full);
    expect(projectedMetadataOf(bytes)).toEqual(expected(bytes));
    expect(projectedMetadataOf(bytes)).toEqual({ occurredAt: full.occurredAt, requestId: full.requestId, actor: { userId: "u-1", projectId: "p-1" } });
  });

  it("gives proto3 defaults for absent fields, the actor included", () => {
    const empty = new Uint8Array(0);
    expect(projectedMetadataOf(empty)).toEqual({ occurredAt: "", requestId: "", actor: { userId: "", projectId: "" } });
    const noActor = eventMetadataCodec.encode({ ...full, actor: undefined } as unknown as EventMetadata);
    expect(projectedMetadataOf(noActor)).toEqual(expected(noActor));
  });

  it("decodes non-ASCII and long strings as UTF-8", () => {
    const bytes = eventMetadataCodec.encode({ ...full, requestId: "req-é—✓-😀", actor: { ...full.actor, userId: "ü".repeat(100), projectId: "x".repeat(300) } });
    expect(projectedMetadataOf(bytes)).toEqual(expected(bytes));
  });

  it("skips fields it does not know, of every wire type, as a newer schema may add them", () => {
    const unknown = [
      [0x38, 0x96, 0x01], // field 7, varint
      [0x41, 1, 2, 3, 4, 5, 6, 7, 8], // field 8, fixed64
      [0x4a, 3, 0x61, 0x62, 0x63], // field 9, bytes "abc"
      [0x55, 1, 2, 3, 4], // field 10, fixed32
      [0xa2, 0x06, 2, 0x10, 0x01], // field 100, an embedded message
    ];
    const bytes = concat(...unknown, eventMetadataCodec.encode(full), ...unknown);
    expect(projectedMetadataOf(bytes)).toEqual(expected(bytes));
  });

  it("takes the last occurrence of a string and merges repeated actors, as protobufjs does", () => {
    const first = eventMetadataCodec.encode(full);
    const second = eventMetadataCodec.encode({ occurredAt: "2027-01-01T00:00:00Z", actor: { projectId: "p-2" } } as unknown as EventMetadata);
    const bytes = concat(first, second);
    expect(projectedMetadataOf(bytes)).toEqual(expected(bytes));
    expect(projectedMetadataOf(bytes).actor).toEqual({ userId: "u-1", projectId: "p-2" });
  });

  it("refuses a string that is not UTF-8, as the full decoder does", () => {
    const bytes = Uint8Array.from(eventMetadataCodec.encode({ ...full, requestId: "req-x" }));
    bytes[bytes.indexOf(0x78)] = 0xff;
    expect(() => eventMetadataCodec.decode(bytes)).toThrow();
    expect(() => projectedMetadataOf(bytes)).toThrow();
  });

  it("refuses truncated bytes instead of reading past them", () => {
    const bytes = eventMetadataCodec.encode(full);
    expect(() => projectedMetadataOf(bytes.subarray(0, bytes.length - 3))).toThrow(/event metadata/);
    expect(() => projectedMetadataOf(Uint8Array.from([0x0f]))).toThrow(/wire type/);
  });
});

describe("metadataStringOf", () => {
  const names: ReadonlyArray<MetadataString> = ["requestId", "correlationId", "occurredAt", "userId", "projectId"];
  const protobufjs = (bytes: Uint8Array) => {
    const decoded = eventMetadataCodec.decode(bytes);
    return {
      requestId: decoded.requestId, correlationId: decoded.correlationId, occurredAt: decoded.occurredAt,
      userId: decoded.actor?.userId ?? "", projectId: decoded.actor?.projectId ?? "",
    };
  };
  const unknown = concat([0x38, 0x96, 0x01], [0x41, 1, 2, 3, 4, 5, 6, 7, 8], [0x4a, 3, 0x61, 0x62, 0x63], [0x55, 1, 2, 3, 4], [0xa2, 0x06, 2, 0x10, 0x01]);
  const cases: ReadonlyArray<readonly [string, Uint8Array]> = [
    ["full", eventMetadataCodec.encode(full)],
    ["empty", new Uint8Array(0)],
    ["without an actor", eventMetadataCodec.encode({ ...full, actor: undefined } as unknown as EventMetadata)],
    ["non-ASCII", eventMetadataCodec.encode({ ...full, correlationId: "corr-é—✓-😀", actor: { ...full.actor, userId: "ü".repeat(100) } })],
    ["unknown fields around it", concat(unknown, eventMetadataCodec.encode(full), unknown)],
    ["repeated", concat(eventMetadataCodec.encode(full), eventMetadataCodec.encode({ correlationId: "corr-2", actor: { projectId: "p-2" } } as unknown as EventMetadata))],
  ];

  it.each(cases)("reads each string as protobufjs does: %s", (_, bytes) => {
    const strings = Object.fromEntries(names.map((name) => [name, metadataStringOf(bytes, name)]));
    expect(strings).toEqual(protobufjs(bytes));
  });

  it("refuses truncated bytes", () => {
    const bytes = eventMetadataCodec.encode(full);
    expect(() => metadataStringOf(bytes.subarray(0, bytes.length - 3), "occurredAt")).toThrow(/event metadata/);
  });
});
