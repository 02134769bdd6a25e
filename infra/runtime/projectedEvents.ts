/**
 * Stored events as projections see them: the decoded payload plus where and when it happened,
 * read from the event's metadata (the time is the command's, decided at the edge).
 *
 * Projections read three things of the metadata (occurredAt, requestId and the actor's user and
 * project), so `projectedMetadataOf` reads only those off the protobuf bytes, skipping every
 * other field by its wire type: protobufjs decoding the whole message and its `toObject` took
 * ~2.4 µs per event, a third of a replay's budget (docs/benchmarks.md). The values are those
 * protobufjs gives (proto3 defaults: "" when absent; the last occurrence of a field wins, an
 * embedded message's occurrences merge), so a read model cannot tell the two apart.
 */
import type { Message } from "@weft/domain/shared";
import type { ProjectedEvent } from "@weft/projections/shared";
import type { PayloadCodec } from "@weft/proto";
import type { RecordedEvent } from "../eventStore/EventStore.ts";

/** What a projection reads of an event's metadata. */
export interface ProjectedMetadata {
  readonly occurredAt: string;
  readonly requestId: string;
  readonly actor: { readonly userId: string; readonly projectId: string };
}

// `ignoreBOM`: a string that starts with U+FEFF keeps it, as protobufjs keeps it.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

const stringAt = (bytes: Uint8Array, start: number, end: number): string => utf8.decode(bytes.subarray(start, end));

class MalformedMetadata extends Error {
  readonly _tag = "MalformedMetadata";
}

// One reader, no closures: it runs for every event a projection folds. `at` is where the next
// read starts; `varint` leaves the value in `value` and advances `at`.
let at = 0;
let value = 0;

const readVarint = (bytes: Uint8Array, end: number): void => {
  value = 0;
  let shift = 0;
  for (;;) {
    if (at >= end) throw new MalformedMetadata("event metadata: truncated varint");
    const byte = bytes[at++]!;
    // Beyond 2^53 precision is lost, as protobufjs's `longs: Number` loses it.
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return;
    shift += 7;
    if (shift > 63) throw new MalformedMetadata("event metadata: varint too long");
  }
};

/** Reads a length prefix; `at` is then the field's first byte and `value` its end. */
const readLength = (bytes: Uint8Array, end: number): void => {
  readVarint(bytes, end);
  value += at;
  if (value > end) throw new MalformedMetadata("event metadata: field runs past its message");
};

const skip = (bytes: Uint8Array, end: number, wireType: number): void => {
  switch (wireType) {
    case 0:
      readVarint(bytes, end);
      return;
    case 1:
      at += 8;
      break;
    case 2:
      readLength(bytes, end);
      at = value;
      return;
    case 5:
      at += 4;
      break;
    default:
      throw new MalformedMetadata(`event metadata: unsupported wire type ${wireType}`);
  }
  if (at > end) throw new MalformedMetadata("event metadata: field runs past its message");
};

/** occurredAt (6), requestId (2) and the actor's (5) userId (1) and projectId (3), nothing else decoded. */
export const projectedMetadataOf = (bytes: Uint8Array): ProjectedMetadata => {
  let occurredAt = "";
  let requestId = "";
  let userId = "";
  let projectId = "";
  const end = bytes.length;
  at = 0;
  while (at < end) {
    readVarint(bytes, end);
    const field = Math.floor(value / 8);
    const wireType = value & 7;
    if (wireType !== 2 || (field !== 2 && field !== 5 && field !== 6)) {
      skip(bytes, end, wireType);
      continue;
    }
    readLength(bytes, end);
    const fieldEnd = value;
    if (field === 6) occurredAt = stringAt(bytes, at, fieldEnd);
    else if (field === 2) requestId = stringAt(bytes, at, fieldEnd);
    else {
      while (at < fieldEnd) {
        readVarint(bytes, fieldEnd);
        const actorField = Math.floor(value / 8);
        const actorWireType = value & 7;
        if (actorWireType !== 2 || (actorField !== 1 && actorField !== 3)) {
          skip(bytes, fieldEnd, actorWireType);
          continue;
        }
        readLength(bytes, fieldEnd);
        if (actorField === 1) userId = stringAt(bytes, at, value);
        else projectId = stringAt(bytes, at, value);
        at = value;
      }
    }
    at = fieldEnd;
  }
  return { occurredAt, requestId, actor: { userId, projectId } };
};

/** A string field of the metadata a reader may want alone: `metadataStringOf` reads just that one. */
export type MetadataString = "requestId" | "correlationId" | "occurredAt" | "userId" | "projectId";

// [top-level field, field inside the actor (5), or 0 for a top-level string]
const STRING_FIELDS: Readonly<Record<MetadataString, readonly [number, number]>> = {
  requestId: [2, 0],
  correlationId: [3, 0],
  occurredAt: [6, 0],
  userId: [5, 1],
  projectId: [5, 3],
};

/**
 * One string of the metadata, the others skipped undecoded: what protobufjs would give for it
 * (its last occurrence; across repeated actors, the last occurrence in any of them; "" when
 * absent). A replay reads each one only when a fold asks for it: quota and allocation events, and
 * most events of the second thread's read models, never need their metadata at all.
 */
export const metadataStringOf = (bytes: Uint8Array, name: MetadataString): string => {
  const [top, inner] = STRING_FIELDS[name];
  spansOf(bytes, top, inner, 0);
  return first[0] < 0 ? "" : stringAt(bytes, first[0], first[1]);
};

/** The actor's user and project as `projectedMetadataOf` reads them, in one pass over the bytes. */
export const metadataActorOf = (bytes: Uint8Array): ProjectedMetadata["actor"] => {
  spansOf(bytes, 5, 1, 3);
  return {
    userId: first[0] < 0 ? "" : stringAt(bytes, first[0], first[1]),
    projectId: second[0] < 0 ? "" : stringAt(bytes, second[0], second[1]),
  };
};

// [start, end) of the last occurrence found, start -1 when none.
const first: [number, number] = [-1, -1];
const second: [number, number] = [-1, -1];

// The last occurrence of top-level string field `top` (`inner` 0) into `first`, or of fields
// `inner` and `other` inside every occurrence of message field `top` into `first` and `second`.
const spansOf = (bytes: Uint8Array, top: number, inner: number, other: number): void => {
  first[0] = -1;
  second[0] = -1;
  const end = bytes.length;
  at = 0;
  while (at < end) {
    readVarint(bytes, end);
    const field = Math.floor(value / 8);
    const wireType = value & 7;
    if (wireType !== 2 || field !== top) {
      skip(bytes, end, wireType);
      continue;
    }
    readLength(bytes, end);
    const fieldEnd = value;
    if (inner === 0) {
      first[0] = at;
      first[1] = fieldEnd;
    } else {
      while (at < fieldEnd) {
        readVarint(bytes, fieldEnd);
        const innerField = Math.floor(value / 8);
        const innerWireType = value & 7;
        if (innerWireType !== 2 || (innerField !== inner && innerField !== other)) {
          skip(bytes, fieldEnd, innerWireType);
          continue;
        }
        readLength(bytes, fieldEnd);
        const span = innerField === inner ? first : second;
        span[0] = at;
        span[1] = value;
        at = value;
      }
    }
    at = fieldEnd;
  }
};

export const projectedDecoder =
  <E extends Message>(codec: PayloadCodec<E>) =>
  (event: RecordedEvent): ProjectedEvent<E> => {
    const metadata = projectedMetadataOf(event.metadata);
    return {
      event: codec.decode(event.type, event.data),
      stream: event.stream,
      position: event.position,
      occurredAt: metadata.occurredAt,
      requestId: metadata.requestId,
      actor: metadata.actor,
    };
  };
