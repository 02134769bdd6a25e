/**
 * The gateway's side of the public event stream: one tail of `$all` shared by every SSE
 * subscriber. The tail turns each event into its CloudEvent once (decoded, redacted, owner
 * resolved, framed as SSE bytes) and keeps the newest few thousand in a ring; a subscriber near
 * the head reads the ring, one further back pages through the store, so a subscriber costs one
 * page of memory however far behind it is. Subscribers pull (`read`, then `waitBeyond` when
 * they have everything): nothing is pushed to a consumer that is not asking.
 *
 * Reads never go past the tail's position, so the owner of every event a subscriber gets is
 * already known to the shared cache or read from the store.
 */
import { Effect, Schedule, Stream } from "effect";
import type { Message } from "@weft/domain/shared";
import { EventStore, categoryOf, type EventStoreShape, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import { decodePayload, resourceIdOf, toCloudEvent } from "./cloudEvents.ts";
import { foldedId, sameProject } from "./ownership.ts";
import { eventFrame } from "./sse.ts";
import { makeStreamOwners } from "./streamOwners.ts";

/** What a subscriber asked for; every field narrows. */
export interface FeedQuery {
  /** Event type names (`ServerSpawned`). */
  readonly eventTypes?: ReadonlySet<string>;
  /** Stream categories (`server`). */
  readonly resourceTypes?: ReadonlySet<string>;
  readonly resourceId?: string;
  /** Only events of resources this project owns; absent for an admin, who sees everything. */
  readonly project?: string;
}

export interface FeedEvent {
  readonly position: Position;
  readonly type: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly owner: string | undefined;
  /** The SSE frame: `id:`, `event:`, `data:` with the CloudEvent. */
  readonly frame: Uint8Array;
}

export interface FeedPage {
  readonly events: ReadonlyArray<FeedEvent>;
  /** Every event up to here was looked at: the next read starts after it. */
  readonly scannedTo: Position;
}

export interface FeedLimits {
  readonly events: number;
  /** Stops adding events once the frames reach this many bytes. */
  readonly bytes: number;
}

export interface EventFeed {
  /** The newest position the feed has taken in; reads never return events past it. */
  readonly position: () => Position;
  /** The store's head: where a subscription "from now" starts, and the furthest one may ask for. */
  readonly head: () => Promise<Position>;
  /** Matching events strictly after `after`, in order, within `limits`. */
  readonly read: (after: Position, query: FeedQuery, limits?: FeedLimits) => Promise<FeedPage>;
  /** True once the feed has taken in an event past `position`; false after `timeoutMs` or on abort. */
  readonly waitBeyond: (position: Position, timeoutMs: number, signal?: AbortSignal) => Promise<boolean>;
  /** Aborted when the feed stops (its scope closes): open streams end, so the server can close. */
  readonly closing: AbortSignal;
}

export interface EventFeedOptions {
  /** Events kept in memory for subscribers near the head. */
  readonly ringSize?: number;
  /** Events per store page for a subscriber behind the ring. */
  readonly pageSize?: number;
  /**
   * How long waiting subscribers are left to wait once new events are in, so that events
   * arriving close together go out in one write per subscriber rather than one each. Default 10 ms.
   */
  readonly lingerMs?: number;
}

export const defaultFeedLimits: FeedLimits = { events: 512, bytes: 64 * 1024 };

// A ring scan stops after this many events even when few match, so one read stays short.
const maxScan = 8_192;

const matcher = (query: FeedQuery) => {
  const resourceId = query.resourceId === undefined ? undefined : foldedId(query.resourceId);
  return (event: FeedEvent) =>
    (query.eventTypes === undefined || query.eventTypes.has(event.type)) &&
    (query.resourceTypes === undefined || query.resourceTypes.has(event.resourceType)) &&
    (resourceId === undefined || foldedId(event.resourceId) === resourceId) &&
    (query.project === undefined || sameProject(event.owner, query.project));
};

interface Waiter {
  readonly position: Position;
  readonly done: (moved: boolean) => void;
}

/** Starts the tail at the store's head; it follows until the scope closes. */
export const makeEventFeed = Effect.fnUntraced(function* (options: EventFeedOptions = {}) {
  const store: EventStoreShape = yield* EventStore;
  const ringSize = options.ringSize ?? 8_192;
  const pageSize = options.pageSize ?? 1_000;
  const lingerMs = options.lingerMs ?? 10;
  const owners = makeStreamOwners(store);
  const services = yield* Effect.context<never>();
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromiseWith(services)(effect);

  const start = yield* store.head;
  let position = start;
  // ring[offset..] holds the events after `floor`, oldest first.
  let ring: Array<FeedEvent> = [];
  let offset = 0;
  let floor = start;
  const waiters = new Set<Waiter>();

  const encode = (recorded: RecordedEvent) =>
    Effect.suspend(() => {
      let payload: Message;
      try {
        payload = decodePayload(recorded);
      } catch (error) {
        // A type this version does not know (a newer writer): skipped, never guessed at.
        return Effect.as(Effect.logWarning(`event feed: ${recorded.type} at ${recorded.position} not published`, error), undefined);
      }
      return Effect.map(owners.ownerOf(recorded, payload), (owner): FeedEvent => {
        const event = toCloudEvent(recorded, owner, payload);
        return {
          position: recorded.position,
          type: recorded.type,
          resourceType: categoryOf(recorded.stream),
          resourceId: resourceIdOf(recorded.stream),
          owner,
          frame: eventFrame(recorded.position, event.type, JSON.stringify(event)),
        };
      });
    });

  const admit = (event: FeedEvent) => {
    ring.push(event);
    if (ring.length - offset > ringSize) {
      floor = ring[offset]!.position;
      offset += 1;
      if (offset >= ringSize) {
        ring = ring.slice(offset);
        offset = 0;
      }
    }
  };

  // One timer for all waiters: at 1,000 events a second, 100 subscribers woken per append would
  // mean 100,000 socket writes a second; lingering 10 ms makes it about 10,000.
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  const release = () => {
    releaseTimer = undefined;
    for (const waiter of waiters) if (position > waiter.position) waiter.done(true);
  };
  const releaseSoon = () => {
    if (waiters.size === 0 || releaseTimer !== undefined) return;
    if (lingerMs <= 0) release();
    else releaseTimer = setTimeout(release, lingerMs);
  };

  const takeIn = (batch: ReadonlyArray<RecordedEvent>) =>
    Effect.gen(function* () {
      for (const recorded of batch) {
        if (recorded.position <= position) continue;
        const event = yield* encode(recorded);
        if (event !== undefined) admit(event);
        position = recorded.position;
      }
      releaseSoon();
    });

  // Resumes from its own position after a store failure: no event is skipped or taken twice.
  yield* Stream.runForEachArray(Stream.suspend(() => store.subscribeAll(position)), takeIn).pipe(
    Effect.tapError((error) => Effect.logWarning("event feed: following $all failed, retrying", error)),
    Effect.retry(Schedule.spaced("1 second")),
    Effect.forkScoped,
  );
  const closing = new AbortController();
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      closing.abort();
      if (releaseTimer !== undefined) clearTimeout(releaseTimer);
      for (const waiter of waiters) waiter.done(false);
    }),
  );

  const fromRing = (after: Position, matches: (event: FeedEvent) => boolean, limits: FeedLimits): FeedPage => {
    let low = offset;
    let high = ring.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ring[middle]!.position <= after) low = middle + 1;
      else high = middle;
    }
    const events: Array<FeedEvent> = [];
    let bytes = 0;
    let scannedTo = after;
    let i = low;
    for (; i < ring.length && i - low < maxScan && events.length < limits.events && bytes < limits.bytes; i++) {
      const event = ring[i]!;
      if (matches(event)) {
        events.push(event);
        bytes += event.frame.byteLength;
      }
      scannedTo = event.position;
    }
    // The whole ring looked at: so was everything up to the tail (events it could not publish too).
    return { events, scannedTo: i === ring.length ? position : scannedTo };
  };

  const fromStore = (after: Position, query: FeedQuery, matches: (event: FeedEvent) => boolean, limits: FeedLimits) =>
    Effect.gen(function* () {
      const tail = position;
      const filter = {
        ...(query.resourceTypes === undefined ? {} : { categories: [...query.resourceTypes] }),
        ...(query.eventTypes === undefined ? {} : { eventTypes: [...query.eventTypes] }),
      };
      const page = yield* store.readAll(after, pageSize, filter);
      const events: Array<FeedEvent> = [];
      let bytes = 0;
      let scannedTo = after;
      for (const recorded of page) {
        if (events.length >= limits.events || bytes >= limits.bytes) return { events, scannedTo };
        // The store's order: nothing else matching lies between here and the tail.
        if (recorded.position > tail) return { events, scannedTo: tail };
        const event = yield* encode(recorded);
        if (event !== undefined && matches(event)) {
          events.push(event);
          bytes += event.frame.byteLength;
        }
        scannedTo = recorded.position;
      }
      // A short page is the end of what matches in the store: nothing more up to the tail.
      return { events, scannedTo: page.length < pageSize ? Math.max(scannedTo, tail) : scannedTo };
    });

  const feed: EventFeed = {
    closing: closing.signal,
    position: () => position,
    head: () => run(store.head),
    read: (after, query, limits = defaultFeedLimits) => {
      if (after >= position) return Promise.resolve({ events: [], scannedTo: after });
      const matches = matcher(query);
      return after >= floor ? Promise.resolve(fromRing(after, matches, limits)) : run(fromStore(after, query, matches, limits));
    },
    waitBeyond: (after, timeoutMs, signal) =>
      new Promise<boolean>((resolve) => {
        if (position > after) return resolve(true);
        if (signal?.aborted === true) return resolve(false);
        const waiter: Waiter = {
          position: after,
          done: (moved) => {
            if (!waiters.delete(waiter)) return;
            clearTimeout(timer);
            signal?.removeEventListener("abort", abort);
            resolve(moved);
          },
        };
        const abort = () => waiter.done(false);
        const timer = setTimeout(abort, timeoutMs);
        signal?.addEventListener("abort", abort, { once: true });
        waiters.add(waiter);
      }),
  };
  return feed;
});
