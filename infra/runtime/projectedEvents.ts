/**
 * Stored events as projections see them: the decoded payload plus where and when it happened,
 * read from the event's metadata (the time is the command's, decided at the edge).
 *
 * Projections read three things of the metadata (occurredAt, requestId and the actor's user and
 * project), so `projectedMetadataOf` reads only those off the protobuf bytes, skipping every
 * other field by its wire type: decoding the whole message (its nine other strings) took ~2.4 µs
 * per event with protobufjs and ~1 µs with the plain decoder, against a replay's budget of 5
 * (docs/benchmarks.md). The values are those the full decoder gives, as protobufjs gives them
 * (proto3 defaults: "" when absent; the last occurrence of a field wins, an embedded message's
 * occurrences merge; strings read as `utf8StringOf` reads them), so a read model cannot tell the
 * two apart.
 */
import type { Message } from "@weft/domain/shared";
import type { ProjectedEvent } from "@weft/projections/shared";
import { utf8StringOf, type PayloadCodec } from "@weft/proto";
import type { RecordedEvent } from "../eventStore/EventStore.ts";

/** What a projection reads of an event's metadata. */
export interface ProjectedMetadata {
  readonly occurredAt: string;
  readonly requestId: string;
  readonly actor: { readonly userId: string; readonly projectId: string };
}

// As the payload decoder reads strings: flat, and the same string for the same short ASCII
// bytes, so the actor ids a read model keeps from millions of events are a few hundred strings.
const stringAt = utf8StringOf;

class MalformedMetadata extends Error {
  readonly _tag = "MalformedMetadata";
}

// A varint longer than one byte (rare: field numbers over 15, lengths over 127) is read here; it
// leaves where it ended in `varintEnd`, so the walk below keeps its position in a local.
let varintEnd = 0;

const longVarint = (bytes: Uint8Array, at: number, end: number): number => {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= end) throw new MalformedMetadata("event metadata: truncated varint");
    const byte = bytes[at++]!;
    // Beyond 2^53 precision is lost, as protobufjs's `longs: Number` loses it.
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      varintEnd = at;
      return value;
    }
    scale *= 128;
  }
  throw new MalformedMetadata("event metadata: varint too long");
};

// The metadata's string fields by where they are: the top-level message's field numbers, and
// those of the actor (field 5), each mapped to a slot of `spans`, or -1 when not wanted.
const ACTOR_FIELD = 5;
// Indexed by field number, one entry per number a metadata may use (protobuf field numbers are
// small here), so a lookup is never out of bounds.
const MAX_FIELD = 31;
type FieldSlots = Int8Array;

// [start, end) of each slot's last occurrence; start -1 when none.
const spans = new Int32Array(8);

/**
 * One pass over `bytes[from, end)`: the span of the last occurrence of every wanted string field,
 * at this level (`wanted`) or, at the top level, inside any occurrence of the actor (`actor`), into
 * `spans`; every other field skipped by its wire type. Positions are locals and a one-byte varint
 * is read inline: this runs for nearly every event a projection folds (~30 ns for a metadata).
 */
const spansIn = (bytes: Uint8Array, from: number, end: number, wanted: FieldSlots, actor: FieldSlots | undefined): void => {
  let at = from;
  while (at < end) {
    let key = bytes[at]!;
    if (key < 0x80) at += 1;
    else {
      key = longVarint(bytes, at, end);
      at = varintEnd;
    }
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) {
      longVarint(bytes, at, end);
      at = varintEnd;
      continue;
    }
    if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
      if (at > end) throw new MalformedMetadata("event metadata: field runs past its message");
      continue;
    }
    if (wireType !== 2) throw new MalformedMetadata(`event metadata: unsupported wire type ${wireType}`);
    if (at >= end) throw new MalformedMetadata("event metadata: truncated varint");
    let length = bytes[at]!;
    if (length < 0x80) at += 1;
    else {
      length = longVarint(bytes, at, end);
      at = varintEnd;
    }
    const fieldEnd = at + length;
    if (fieldEnd > end) throw new MalformedMetadata("event metadata: field runs past its message");
    const slot = field <= MAX_FIELD ? wanted[field]! : -1;
    if (slot >= 0) {
      spans[2 * slot] = at;
      spans[2 * slot + 1] = fieldEnd;
    } else if (field === ACTOR_FIELD && actor !== undefined && actor !== NONE) {
      spansIn(bytes, at, fieldEnd, actor, undefined);
    }
    at = fieldEnd;
  }
};

const spansOf = (bytes: Uint8Array, top: FieldSlots, actor: FieldSlots, slots: number): void => {
  for (let slot = 0; slot < slots; slot++) spans[2 * slot] = -1;
  spansIn(bytes, 0, bytes.length, top, actor);
};

const spanString = (bytes: Uint8Array, slot: number): string => (spans[2 * slot]! < 0 ? "" : stringAt(bytes, spans[2 * slot]!, spans[2 * slot + 1]!));

/** Field number -> slot, -1 for every other field number. */
const slotsOf = (fields: Readonly<Record<number, number>>): FieldSlots => {
  const slots = new Int8Array(MAX_FIELD + 1).fill(-1);
  for (const [field, slot] of Object.entries(fields)) slots[Number(field)] = slot;
  return slots;
};

const NONE: FieldSlots = slotsOf({});
// requestId (2) and occurredAt (6) at the top, the actor's userId (1) and projectId (3).
const PROJECTED_TOP = slotsOf({ 2: 0, 6: 1 });
const PROJECTED_ACTOR = slotsOf({ 1: 2, 3: 3 });

/** occurredAt (6), requestId (2) and the actor's (5) userId (1) and projectId (3), nothing else decoded. */
export const projectedMetadataOf = (bytes: Uint8Array): ProjectedMetadata => {
  spansOf(bytes, PROJECTED_TOP, PROJECTED_ACTOR, 4);
  return {
    occurredAt: spanString(bytes, 1),
    requestId: spanString(bytes, 0),
    actor: { userId: spanString(bytes, 2), projectId: spanString(bytes, 3) },
  };
};

/** A string field of the metadata a reader may want alone: `metadataStringOf` reads just that one. */
export type MetadataString = "requestId" | "correlationId" | "occurredAt" | "userId" | "projectId";

// Each string as the one slot of a pass: [top-level slots, actor slots].
const STRING_FIELDS: Readonly<Record<MetadataString, readonly [FieldSlots, FieldSlots]>> = {
  requestId: [slotsOf({ 2: 0 }), NONE],
  correlationId: [slotsOf({ 3: 0 }), NONE],
  occurredAt: [slotsOf({ 6: 0 }), NONE],
  userId: [NONE, slotsOf({ 1: 0 })],
  projectId: [NONE, slotsOf({ 3: 0 })],
};

/**
 * One string of the metadata, the others skipped undecoded: what protobufjs would give for it
 * (its last occurrence; across repeated actors, the last occurrence in any of them; "" when
 * absent). A replay reads each one only when a fold asks for it: quota and allocation events, and
 * most events of the second thread's read models, never need their metadata at all.
 */
export const metadataStringOf = (bytes: Uint8Array, name: MetadataString): string => {
  const [top, actor] = STRING_FIELDS[name];
  spansOf(bytes, top, actor, 1);
  return spanString(bytes, 0);
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
