/**
 * The event store port: streams of events with optimistic concurrency, and the global `$all`
 * log every read model and process manager folds. Adapters (`sqlite`, `esdb`) live beside this
 * file and all pass `eventStore.contract.ts`. Vendor errors stop at the adapter: a wrong expected
 * revision is always `StreamRevisionConflict`, an unreachable store `EventStoreUnavailable`.
 */
import { Context, Schema, type Effect, type Stream } from "effect";

/**
 * A place in `$all`. Strictly increasing in commit order; 0 means "before the first event", so a
 * fresh subscriber starts from 0 and a checkpoint is the position of the last event it handled.
 */
export type Position = number;
export const START: Position = 0;

/**
 * What the writer believes about the stream: "no_stream" (must not exist), "stream_exists",
 * "any", or the revision of its last event (revisions count from 0).
 */
export type ExpectedRevision = "any" | "no_stream" | "stream_exists" | number;

export interface NewEvent {
  /** A UUID; adapters generate one when absent. */
  readonly id?: string;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface RecordedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly position: Position;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** When the store recorded it, epoch milliseconds (the store's clock, not the domain's). */
  readonly recordedAt: number;
}

export interface AppendResult {
  /** Revision of the last event appended. */
  readonly revision: number;
  /** Position in `$all` of the last event appended. */
  readonly position: Position;
}

/** Which events a `$all` reader wants; empty means all non-system events. */
export interface AllFilter {
  /** Stream categories (`identity` matches `identity-…`). */
  readonly categories?: ReadonlyArray<string>;
  readonly eventTypes?: ReadonlyArray<string>;
}

export class StreamRevisionConflict extends Schema.TaggedError<StreamRevisionConflict>()("StreamRevisionConflict", {
  stream: Schema.String,
  expected: Schema.String,
  actual: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

export class EventStoreUnavailable extends Schema.TaggedError<EventStoreUnavailable>()("EventStoreUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

export interface EventStoreShape {
  /** Appends atomically; all events or none. Empty `events` only checks the expectation. */
  readonly append: (
    stream: string,
    expected: ExpectedRevision,
    events: ReadonlyArray<NewEvent>,
  ) => Effect.Effect<AppendResult, StreamRevisionConflict | EventStoreUnavailable>;
  /** The stream's events from `fromRevision` (default 0) on; empty when the stream does not exist. */
  readonly read: (
    stream: string,
    fromRevision?: number,
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreUnavailable>;
  /** Up to `maxCount` events of `$all` strictly after `after`, in position order. */
  readonly readAll: (
    after: Position,
    maxCount: number,
    filter?: AllFilter,
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreUnavailable>;
  /** Catch-up then live: every matching event strictly after `after`, in order, never ending. */
  readonly subscribeAll: (after: Position, filter?: AllFilter) => Stream.Stream<RecordedEvent, EventStoreUnavailable>;
  /** Position of the newest event in `$all` (START when empty). */
  readonly head: Effect.Effect<Position, EventStoreUnavailable>;
}

export class EventStore extends Context.Service<EventStore, EventStoreShape>()("weft/infra/EventStore") {}

/** `identity-3f…` -> `identity`: the category convention shared with EventStoreDB. */
export const categoryOf = (stream: string): string => {
  const dash = stream.indexOf("-");
  return dash === -1 ? stream : stream.slice(0, dash);
};

export const matchesFilter = (filter: AllFilter | undefined, event: Pick<RecordedEvent, "stream" | "type">) =>
  (filter?.categories === undefined || filter.categories.length === 0 || filter.categories.includes(categoryOf(event.stream))) &&
  (filter?.eventTypes === undefined || filter.eventTypes.length === 0 || filter.eventTypes.includes(event.type));
