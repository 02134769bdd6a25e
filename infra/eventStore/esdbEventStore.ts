/**
 * The clustered event store: EventStoreDB / KurrentDB behind the `EventStore` port, through the
 * official Node client (`@kurrent/kurrentdb-client`). The client's promises and async iterables
 * are wrapped here once; `WrongExpectedVersionError` becomes `StreamRevisionConflict` (original as
 * `cause`), anything else `EventStoreUnavailable`. System events (types starting with `$`) never
 * leave this module.
 *
 * Positions: our numeric `Position` is the event's commit position in the server's transaction
 * log. Since EventStoreDB 20 every appended event is its own self-committed prepare record, so its
 * commit position is its own log position: unique per event and increasing in `$all` order.
 * Resuming after p reads from `{commit: p, prepare: p}`, which the server treats as inclusive, so
 * events at or before p are dropped here. The client's bigints become numbers, exact up to 2^53
 * bytes of log. Revisions are bigints in the client too and become numbers the same way.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START as CLIENT_START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AppendStreamState,
  type Filter,
  type ReadPosition,
} from "@kurrent/kurrentdb-client";
import { Effect, Layer, Semaphore, Stream, type Scope } from "effect";
import {
  EventStore,
  EventStoreUnavailable,
  START,
  matchesFilter,
  type AllFilter,
  type AppendResult,
  type EventStoreShape,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from "./EventStore.ts";
import { isExpected, revisionConflict } from "./expectedRevision.ts";

export interface EsdbEventStoreOptions {
  /**
   * Appends in flight on the one connection. The Node client stalls with more than ~100
   * concurrent appends on a connection, so callers beyond this wait their turn. Default 64.
   */
  readonly maxInFlightAppends?: number;
}

/** The fields of the client's recorded events we read, whatever their content type. */
interface ClientRecordedEvent {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: { readonly commit: bigint } | undefined;
}
interface ClientResolvedEvent {
  readonly event?: ClientRecordedEvent | undefined;
  readonly commitPosition?: bigint | undefined;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

// The client parses JSON-typed data, and any metadata that happens to parse as JSON; bytes that
// were JSON come back re-serialised (equal as JSON, not necessarily byte for byte). Weft writes
// binary events with protobuf metadata, which does not parse as JSON.
const bytesOf = (value: unknown): Uint8Array =>
  value === undefined || value === null ? EMPTY : value instanceof Uint8Array ? value : utf8.encode(JSON.stringify(value));

const positionOf = (resolved: ClientResolvedEvent): Position | undefined => {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit === undefined ? undefined : Number(commit);
};

const toRecorded = (resolved: ClientResolvedEvent): RecordedEvent | undefined => {
  const event = resolved.event;
  if (event === undefined || event.type.startsWith("$")) return undefined;
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: positionOf(resolved) ?? START,
    type: event.type,
    data: bytesOf(event.data),
    metadata: bytesOf(event.metadata),
    recordedAt: event.created.getTime(),
  };
};

const toEventData = (event: NewEvent) =>
  binaryEvent({
    ...(event.id === undefined ? {} : { id: event.id }),
    type: event.type,
    data: event.data,
    // The client sends metadata as bytes only when its constructor is exactly Uint8Array.
    metadata: event.metadata.constructor === Uint8Array ? event.metadata : Uint8Array.from(event.metadata),
  });

const toStreamState = (expected: ExpectedRevision): AppendStreamState =>
  typeof expected === "number" ? BigInt(expected) : expected;

const readPosition = (after: Position): ReadPosition =>
  after <= START ? CLIENT_START : { commit: BigInt(after), prepare: BigInt(after) };

// The server filters on one thing: stream-name prefixes when categories are given (a superset:
// `identity` also matches `identityx-…`), else event-type prefixes, else it drops system events.
// `matchesFilter` then applies the exact filter here.
const serverFilter = (filter: AllFilter | undefined): Filter =>
  filter?.categories !== undefined && filter.categories.length > 0
    ? streamNameFilter({ prefixes: [...filter.categories] })
    : filter?.eventTypes !== undefined && filter.eventTypes.length > 0
      ? eventTypeFilter({ prefixes: [...filter.eventTypes] })
      : excludeSystemEvents();

const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const items: Array<A> = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return items;
};

// Reads on past events the client filter dropped until `maxCount` match or `$all` ends; each
// page starts at the last position seen, so it never re-reads more than that one event.
const readAllAfter = async (client: KurrentDBClient, after: Position, maxCount: number, filter: AllFilter | undefined) => {
  const events: Array<RecordedEvent> = [];
  for (let cursor = after; events.length < maxCount;) {
    const wanted = maxCount - events.length + 1;
    let seen = 0;
    let last = cursor;
    for await (const resolved of client.readAll({ fromPosition: readPosition(cursor), maxCount: wanted, filter: serverFilter(filter) })) {
      seen += 1;
      last = Math.max(last, positionOf(resolved) ?? last);
      const event = toRecorded(resolved);
      if (event === undefined || event.position <= cursor || !matchesFilter(filter, event)) continue;
      events.push(event);
      if (events.length === maxCount) break;
    }
    if (seen < wanted || last === cursor) break;
    cursor = last;
  }
  return events;
};

const lastOfStream = async (client: KurrentDBClient, stream: string) =>
  (await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })))[0];

const newestPosition = async (client: KurrentDBClient): Promise<Position> => {
  for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: excludeSystemEvents() })) {
    return positionOf(resolved) ?? START;
  }
  return START;
};

const redact = (connectionString: string) => connectionString.replace(/\/\/[^@/]*@/, "//***@");

/**
 * Connects to `connectionString` (`kurrentdb://…`, `esdb://…`, or their `+discover` forms, as the
 * client accepts them); the connection is disposed when the scope closes. Connecting is lazy: an
 * unreachable server shows up as `EventStoreUnavailable` on the first call.
 */
export const makeEsdbEventStore = (
  connectionString: string,
  options: EsdbEventStoreOptions = {},
): Effect.Effect<EventStoreShape, EventStoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const where = redact(connectionString);
    const unavailable = (operation: string) => (cause: unknown) =>
      new EventStoreUnavailable({ message: `KurrentDB ${where}: ${operation} failed: ${String(cause)}`, cause });
    const call = <A>(operation: string, promise: () => Promise<A>) => Effect.tryPromise({ try: promise, catch: unavailable(operation) });

    const client = yield* Effect.acquireRelease(
      // `esdb` is the client's deprecated spelling of `kurrentdb`; it would warn on every start.
      Effect.try({ try: () => KurrentDBClient.connectionString(connectionString.replace(/^esdb(\+discover)?:/, "kurrentdb$1:")), catch: unavailable("connect") }),
      (connected) => Effect.ignore(Effect.timeout(Effect.tryPromise(() => connected.dispose()), "5 seconds")),
    );
    const appendPermits = yield* Semaphore.make(options.maxInFlightAppends ?? 64);

    // An empty append writes nothing, so its expectation is checked against the stream's last event.
    const checkOnly = (stream: string, expected: ExpectedRevision) =>
      Effect.flatMap(call("append", () => lastOfStream(client, stream)), (last) => {
        const current = last?.event === undefined ? undefined : Number(last.event.revision);
        return isExpected(expected, current)
          ? Effect.succeed<AppendResult>({ revision: current ?? -1, position: last === undefined ? START : positionOf(last) ?? START })
          : Effect.fail(revisionConflict(stream, expected, current));
      });

    const append = Effect.fn("EventStore.append")(function* (
      stream: string,
      expected: ExpectedRevision,
      events: ReadonlyArray<NewEvent>,
    ) {
      if (events.length === 0) return yield* checkOnly(stream, expected);
      const result = yield* Effect.tryPromise({
        try: () => client.appendToStream(stream, events.map(toEventData), { streamState: toStreamState(expected) }),
        catch: (cause) =>
          cause instanceof WrongExpectedVersionError
            ? revisionConflict(stream, expected, typeof cause.actualState === "bigint" ? Number(cause.actualState) : undefined, cause)
            : unavailable("append")(cause),
      }).pipe(appendPermits.withPermits(1));
      const revision = Number(result.nextExpectedRevision);
      if (result.position !== undefined) return { revision, position: Number(result.position.commit) };
      const last = yield* call("append", () => lastOfStream(client, stream));
      return { revision, position: last === undefined ? START : positionOf(last) ?? START };
    });

    const read = Effect.fn("EventStore.read")((stream: string, fromRevision: number = 0) =>
      call("read", () => collect(client.readStream(stream, { direction: FORWARDS, fromRevision: BigInt(fromRevision) }))).pipe(
        Effect.map((resolved) => resolved.flatMap((event) => toRecorded(event) ?? [])),
      ),
    );

    const readAll = Effect.fn("EventStore.readAll")((after: Position, maxCount: number, filter?: AllFilter) =>
      maxCount <= 0 ? Effect.succeed([]) : call("readAll", () => readAllAfter(client, after, maxCount, filter)),
    );

    const subscribeAll = (after: Position, filter?: AllFilter): Stream.Stream<RecordedEvent, EventStoreUnavailable> =>
      Stream.unwrap(
        Effect.gen(function* () {
          const subscription = yield* Effect.acquireRelease(
            Effect.try({
              try: () => client.subscribeToAll({ fromPosition: readPosition(after), filter: serverFilter(filter) }),
              catch: unavailable("subscribeAll"),
            }),
            (subscribed) => Effect.ignore(Effect.timeout(Effect.tryPromise(() => subscribed.unsubscribe()), "5 seconds")),
          );
          // Also guards against a redelivery after the client reconnects: never twice, never back.
          let last = after;
          const accept = (resolved: ClientResolvedEvent): RecordedEvent | undefined => {
            const event = toRecorded(resolved);
            if (event === undefined || event.position <= last || !matchesFilter(filter, event)) return undefined;
            last = event.position;
            return event;
          };
          // A subscription never ends by itself: if the server closes it, the caller must learn
          // so and resubscribe from its checkpoint.
          return Stream.fromAsyncIterable(subscription, unavailable("subscribeAll")).pipe(
            Stream.map(accept),
            Stream.filter((event): event is RecordedEvent => event !== undefined),
            Stream.concat(Stream.failSync(() => unavailable("subscribeAll")("the server ended the subscription"))),
          );
        }),
      );

    const head = call("head", () => newestPosition(client)).pipe(Effect.withSpan("EventStore.head"));

    return EventStore.of({ append, read, readAll, subscribeAll, head });
  });

/** The KurrentDB adapter as a layer: connects when built, disposes the connection on release. */
export const esdbEventStoreLayer = (
  connectionString: string,
  options: EsdbEventStoreOptions = {},
): Layer.Layer<EventStore, EventStoreUnavailable> => Layer.effect(EventStore, makeEsdbEventStore(connectionString, options));
