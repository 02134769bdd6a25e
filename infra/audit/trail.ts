/**
 * The audit trail: a resource's history and a user's actions as CADF records (`cadf.ts`), read
 * from the event store through the in-memory index (`auditIndex.ts`). Before answering, the index
 * catches up with the store (one read past its position when nothing is new), so an answer holds
 * everything recorded before the question, and an idle trail costs nothing. The gateway keeps one
 * for `/audit/v1`; `weft audit` makes one over the store directly, so history can be read while
 * the cloud is stopped.
 */
import { Effect, Semaphore } from "effect";
import { UnknownMessageType } from "@weft/proto";
import { EventStore, type EventStoreUnavailable, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import { sameProject } from "../events/ownership.ts";
import { AuditIndex, type IndexEntries } from "./auditIndex.ts";
import { toAuditRecord, type AuditRecord } from "./cadf.ts";

export interface AuditQuery {
  /** Only events that happened at or after this time (epoch ms). */
  readonly since?: number;
  /** Only events after this position: the marker of the previous page. */
  readonly after?: Position;
  readonly limit: number;
  /** Only events of resources this project owns; absent for an admin, who sees everything. */
  readonly project?: string;
}

export interface AuditPage {
  /** In position order, oldest first. */
  readonly records: ReadonlyArray<AuditRecord>;
  /** True when the page stopped at `limit` with events left after it. */
  readonly more: boolean;
}

export interface AuditTrail {
  /** A resource's events; undefined when it has none the query's project may see (unknown, or not its own). */
  readonly history: (resourceId: string, query: AuditQuery) => Promise<AuditPage | undefined>;
  /** What a user did (events whose actor is that user). */
  readonly actions: (userId: string, query: AuditQuery) => Promise<AuditPage>;
  /** Folds everything the store holds into the index; resolves with the position reached. */
  readonly catchUp: () => Promise<Position>;
}

const catchUpPage = 1_000;
// A run of consecutive positions is read in one request of at most this many events.
const maxRun = 256;

const emptyPage: AuditPage = { records: [], more: false };

/** The index of the first position after `after` in increasing `positions`. */
const firstAfter = (positions: ReadonlyArray<Position>, after: Position): number => {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positions[middle]! <= after) low = middle + 1;
    else high = middle;
  }
  return low;
};

export const makeAuditTrail = Effect.fnUntraced(function* () {
  const store = yield* EventStore;
  const services = yield* Effect.context<never>();
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromiseWith(services)(effect);
  const index = new AuditIndex();
  const oneAtATime = Semaphore.makeUnsafe(1);

  const catchUp: Effect.Effect<Position, EventStoreUnavailable> = Semaphore.withPermit(
    oneAtATime,
    Effect.gen(function* () {
      for (;;) {
        const events = yield* store.readAll(index.position, catchUpPage);
        for (const event of events) index.add(event);
        if (events.length < catchUpPage) return index.position;
      }
    }),
  );

  /** The events at `positions` (increasing), reading runs of neighbours together. */
  const readAt = (positions: ReadonlyArray<Position>) =>
    Effect.gen(function* () {
      const found: Array<RecordedEvent> = [];
      let start = 0;
      while (start < positions.length) {
        let end = start + 1;
        while (end < positions.length && end - start < maxRun && positions[end] === positions[end - 1]! + 1) end++;
        const wanted = new Set(positions.slice(start, end));
        const events = yield* store.readAll(positions[start]! - 1, end - start);
        for (const event of events) if (wanted.has(event.position)) found.push(event);
        start = end;
      }
      return found;
    });

  const recordOf = (event: RecordedEvent): AuditRecord | undefined => {
    try {
      return toAuditRecord(event, index.ownerOf(event.stream));
    } catch (error) {
      // A type recorded by a newer version: this one cannot say what it means.
      if (error instanceof UnknownMessageType) return undefined;
      throw error;
    }
  };

  const visible = (event: RecordedEvent, project: string | undefined) => project === undefined || sameProject(index.ownerOf(event.stream), project);

  const page = (entries: IndexEntries | undefined, query: AuditQuery): Effect.Effect<AuditPage, EventStoreUnavailable> =>
    Effect.gen(function* () {
      if (entries === undefined) return emptyPage;
      const records: Array<AuditRecord> = [];
      const { positions, times } = entries;
      const wanted = (at: number) => query.since === undefined || times[at]! >= query.since;
      let next = firstAfter(positions, query.after ?? 0);
      while (records.length < query.limit && next < positions.length) {
        const batch: Array<Position> = [];
        for (; next < positions.length && batch.length < query.limit - records.length; next++) {
          if (wanted(next)) batch.push(positions[next]!);
        }
        for (const event of yield* readAt(batch)) {
          const record = visible(event, query.project) ? recordOf(event) : undefined;
          if (record !== undefined) records.push(record);
        }
      }
      while (next < positions.length && !wanted(next)) next++;
      return { records, more: records.length >= query.limit && next < positions.length };
    });

  const history = (resourceId: string, query: AuditQuery) =>
    Effect.gen(function* () {
      yield* catchUp;
      const entries = index.resource(resourceId);
      if (entries === undefined) return undefined;
      if (query.project !== undefined && ![...entries.streams].some((stream) => sameProject(index.ownerOf(stream), query.project!))) return undefined;
      return yield* page(entries, query);
    });

  const actions = (userId: string, query: AuditQuery) => Effect.andThen(catchUp, Effect.suspend(() => page(index.user(userId), query)));

  const trail: AuditTrail = {
    history: (resourceId, query) => run(history(resourceId, query)),
    actions: (userId, query) => run(actions(userId, query)),
    catchUp: () => run(catchUp),
  };
  return trail;
});
