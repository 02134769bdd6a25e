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

const utf8 = new TextDecoder("utf-8");

// Metadata strings are short and almost always ASCII (uuids, request ids, RFC 3339 times), where
// building the string from char codes is several times faster than a TextDecoder call.
const stringAt = (bytes: Uint8Array, start: number, end: number): string => {
  if (end - start > 64) return utf8.decode(bytes.subarray(start, end));
  let text = "";
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte > 0x7f) return utf8.decode(bytes.subarray(start, end));
    text += String.fromCharCode(byte);
  }
  return text;
};

class MalformedMetadata extends Error {
  readonly _tag = "MalformedMetadata";
}

/** A protobuf reader over a range of bytes: varints, and skipping fields it does not want. */
const makeReader = (bytes: Uint8Array, start: number, end: number) => {
  let at = start;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) throw new MalformedMetadata("event metadata: truncated varint");
      const byte = bytes[at++]!;
      // Beyond 2^53 precision is lost, as protobufjs's `longs: Number` loses it.
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
      if (shift > 63) throw new MalformedMetadata("event metadata: varint too long");
    }
  };
  const length = (): number => {
    const size = varint();
    if (at + size > end) throw new MalformedMetadata("event metadata: field runs past its message");
    return size;
  };
  const skip = (wireType: number): void => {
    switch (wireType) {
      case 0:
        varint();
        return;
      case 1:
        at += 8;
        break;
      case 2: {
        // Not `at += length()`: that adds to `at` as it was before the length was read.
        const size = length();
        at += size;
        return;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new MalformedMetadata(`event metadata: unsupported wire type ${wireType}`);
    }
    if (at > end) throw new MalformedMetadata("event metadata: field runs past its message");
  };
  return {
    done: () => at >= end,
    varint,
    /** The range of the length-delimited field that follows. */
    range: (): readonly [number, number] => {
      const size = length();
      const from = at;
      at += size;
      return [from, at];
    },
    skip,
  };
};

/** occurredAt (6), requestId (2) and the actor's (5) userId (1) and projectId (3), nothing else decoded. */
export const projectedMetadataOf = (bytes: Uint8Array): ProjectedMetadata => {
  let occurredAt = "";
  let requestId = "";
  let userId = "";
  let projectId = "";
  const reader = makeReader(bytes, 0, bytes.length);
  while (!reader.done()) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType !== 2 || (field !== 2 && field !== 5 && field !== 6)) {
      reader.skip(wireType);
      continue;
    }
    const [from, to] = reader.range();
    if (field === 6) occurredAt = stringAt(bytes, from, to);
    else if (field === 2) requestId = stringAt(bytes, from, to);
    else {
      const actor = makeReader(bytes, from, to);
      while (!actor.done()) {
        const actorTag = actor.varint();
        const actorField = Math.floor(actorTag / 8);
        if ((actorTag & 7) !== 2 || (actorField !== 1 && actorField !== 3)) {
          actor.skip(actorTag & 7);
          continue;
        }
        const [start, end] = actor.range();
        if (actorField === 1) userId = stringAt(bytes, start, end);
        else projectId = stringAt(bytes, start, end);
      }
    }
  }
  return { occurredAt, requestId, actor: { userId, projectId } };
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
