/**
 * The replay engine: folds read models from an empty state through `$all`, in position order, up
 * to a bound (a position, or a time: it stops at the first event that occurred after it) and
 * never past the head it found when it started, so a replay beside a running cloud ends. It
 * reads the log in pages, decodes each event once (payload and the metadata projections
 * read) and hands it to every read model that folds its type; an event none folds is not
 * decoded at all, only its time is read when the bound is a time. Each read model may have a
 * bound of its own below the common one (`weft verify` replays each to its snapshot's position).
 */
import { Effect } from "effect";
import type { Message } from "@weft/domain/shared";
import { evolvingBatch } from "@weft/projections/shared";
import { EventStoreUnavailable, type EventStoreShape, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import { metadataStringOf, projectedMetadataOf, type ProjectedMetadata } from "../runtime/projectedEvents.ts";
import { eventCodecByType, type ReadModel, type ReadModelBatch, type ReplayedEvent } from "./readModels.ts";
import { canonicalHash } from "./canonical.ts";
import { replayInThread, type ThreadModel } from "./replayThread.ts";

/** Where a replay stops: after `position`, or before the first event that occurred after `time`. */
export type ReplayBound =
  | { readonly kind: "head" }
  | { readonly kind: "position"; readonly position: Position }
  | { readonly kind: "time"; readonly time: string; readonly epochMs: number };

export interface ReplayTarget {
  readonly model: ReadModel;
  /** This model folds nothing after this position (its live snapshot's, for verify). */
  readonly until?: Position;
}

/** A target as one thread folds it: without the event types another thread folds for it (its `split`). */
export interface ThreadTarget extends ReplayTarget {
  readonly leaving?: ReadonlySet<string>;
}

export interface ReplayedModel {
  readonly model: ReadModel;
  readonly doc: unknown;
  /** Events folded into it (events of its types). */
  readonly folded: number;
  /** The last position it has seen: every event up to here was considered. */
  readonly position: Position;
}

export interface ReplayResult {
  readonly models: ReadonlyArray<ReplayedModel>;
  /** The last position within the bound: every model has seen up to here, or up to its own bound. */
  readonly position: Position;
  /** Events read, whether any model folded them or not. */
  readonly events: number;
}

/**
 * Events per page. Small on purpose: a page's events are held until the page is folded, and a
 * page of 10,000 (~5 MB of rows, views and strings) outlived young-generation collections, so
 * each page was copied and promoted to the old generation only to die there. At 500 a 1,000,000
 * event replay took ~20% less CPU (docs/benchmarks.md); the two queries per page cost little.
 */
export const DEFAULT_REPLAY_PAGE = 500;

interface Folding {
  readonly model: ReadModel;
  readonly until: Position;
  readonly batch: ReadModelBatch<unknown>;
  folded: number;
}

/**
 * A stored event as the folds see it: the payload decoded once, the metadata's strings each read
 * off the bytes the first time a fold asks (quota and allocation events, and most events of the
 * second thread's read models, are folded without their metadata). Getters on a class: folds
 * destructure it or read its fields, none copies it.
 */
class LazyReplayedEvent implements ReplayedEvent {
  readonly event: Message;
  readonly recorded: RecordedEvent;
  #occurredAt: string | undefined;
  #requestId: string | undefined;
  #actor: ProjectedMetadata["actor"] | undefined;

  constructor(recorded: RecordedEvent, metadata: ProjectedMetadata | undefined) {
    this.event = eventCodecByType.get(recorded.type)!.decode(recorded.type, recorded.data);
    this.recorded = recorded;
    if (metadata !== undefined) {
      this.#occurredAt = metadata.occurredAt;
      this.#requestId = metadata.requestId;
      this.#actor = metadata.actor;
    }
  }

  get stream(): string {
    return this.recorded.stream;
  }

  get position(): Position {
    return this.recorded.position;
  }

  get occurredAt(): string {
    return (this.#occurredAt ??= metadataStringOf(this.recorded.metadata, "occurredAt"));
  }

  // A fold that wants the request wants its actor too (instance actions): one pass reads both.
  get requestId(): string {
    return this.#requestId ?? this.#readRequest().requestId;
  }

  get actor(): ProjectedMetadata["actor"] {
    return this.#actor ?? this.#readRequest().actor;
  }

  #readRequest(): ProjectedMetadata {
    const metadata = projectedMetadataOf(this.recorded.metadata);
    this.#occurredAt ??= metadata.occurredAt;
    this.#requestId = metadata.requestId;
    this.#actor = metadata.actor;
    return metadata;
  }
}

/**
 * Folds `targets` from position 0 to `bound`, never past `last`, reading `pageSize` events at a
 * time: the fold of one thread (`replay` below, and the replay thread for its share). `onlyFolded`
 * reads only the events of the types the targets fold (the store filters them), when the bound is
 * a position: the result's `events` then counts those alone, and its position is `last`.
 */
export const replayTo = (
  store: EventStoreShape,
  targets: ReadonlyArray<ThreadTarget>,
  bound: ReplayBound,
  last: Position,
  pageSize: number,
  onlyFolded = false,
): Effect.Effect<ReplayResult, EventStoreUnavailable> =>
  Effect.gen(function* () {
    // Each model folds in one batch (its own, or event by event with `evolve`) into a document
    // nobody else holds until the replay ends.
    const folding: Array<Folding> = targets.map(({ model, until }) => ({
      model,
      until: until ?? Number.MAX_SAFE_INTEGER,
      batch: model.batch?.(model.initial()) ?? evolvingBatch(model.evolve, model.initial()),
      folded: 0,
    }));
    const byType = new Map<string, Array<Folding>>();
    for (const [i, target] of folding.entries()) {
      for (const type of target.model.eventTypes) {
        if (targets[i]!.leaving?.has(type) === true) continue;
        const wanting = byType.get(type) ?? [];
        wanting.push(target);
        byType.set(type, wanting);
      }
    }

    let position: Position = 0;
    let events = 0;
    // Folds one page synchronously (a few milliseconds of work); true once the bound is reached.
    const foldPage = (page: ReadonlyArray<RecordedEvent>): boolean => {
      for (const recorded of page) {
        if (recorded.position > last) return true;
        let metadata: ProjectedMetadata | undefined;
        if (bound.kind === "time") {
          metadata = projectedMetadataOf(recorded.metadata);
          if (Date.parse(metadata.occurredAt) > bound.epochMs) return true;
        }
        const wanting = byType.get(recorded.type);
        if (wanting !== undefined) {
          let replayed: ReplayedEvent | undefined;
          for (const target of wanting) {
            if (recorded.position > target.until) continue;
            replayed ??= new LazyReplayedEvent(recorded, metadata);
            target.batch.fold(replayed);
            target.folded += 1;
          }
        }
        position = recorded.position;
        events += 1;
      }
      return page.length === 0 || position >= last;
    };
    // A time bound is found by reading every event's time, so it reads them all.
    const filter = onlyFolded && bound.kind !== "time" ? { eventTypes: [...byType.keys()] } : undefined;
    let done = last === 0;
    while (!done) done = foldPage(yield* store.readAll(position, pageSize, filter));
    // Every event up to `last` was considered, the ones the filter left out too.
    if (filter !== undefined) position = last;
    return {
      models: folding.map(({ model, until, batch, folded }) => ({ model, doc: batch.finish(), folded, position: Math.min(position, until) })),
      position,
      events,
    } satisfies ReplayResult;
  });

export interface ReplayOptions {
  /**
   * The store again, as a `WEFT_EVENT_STORE` value: a worker thread opens it and replays every
   * read model with a portable form, and the split-off parts of the others (compute's quotas),
   * while this thread folds the rest (compute), so a replay uses two cores. Without it, one thread
   * folds them all.
   */
  readonly thread?: { readonly eventStore: string };
}

/** The portable targets, that a thread may fold, and the rest, without their split-off parts when `splitting`. */
const shares = (targets: ReadonlyArray<ReplayTarget>, splitting: boolean) => {
  const threaded: Array<ReplayTarget> = targets.filter((target) => target.model.portable !== undefined);
  // A model that stays here leaves its split-off share to the thread, which folds it as a part.
  const local: Array<ThreadTarget> = [];
  for (const target of targets) {
    if (threaded.includes(target)) continue;
    const part = splitting ? target.model.split?.part : undefined;
    if (part !== undefined) threaded.push({ model: part, ...(target.until === undefined ? {} : { until: target.until }) });
    local.push(part === undefined ? target : { ...target, leaving: part.eventTypes });
  }
  return { threaded, local };
};

/** Replays `threaded` in a thread and `local` here; `hashed` has the thread hash its documents instead of handing them back. */
const replayBeside = (
  store: EventStoreShape,
  eventStore: string,
  { threaded, local }: ReturnType<typeof shares>,
  bound: ReplayBound,
  last: Position,
  pageSize: number,
  hashed: boolean,
): Effect.Effect<{ readonly here: ReplayResult; readonly there: ReadonlyArray<ThreadModel> }, EventStoreUnavailable> =>
  Effect.acquireUseRelease(
    Effect.sync(() => replayInThread({ eventStore, targets: threaded, bound, last, pageSize, hashed })),
    (thread) =>
      Effect.gen(function* () {
        const here = yield* replayTo(store, local, bound, last, pageSize);
        const there = yield* Effect.tryPromise({
          try: () => thread.result,
          catch: (cause) => new EventStoreUnavailable({ message: `the replay thread failed: ${(cause as Error).message}`, cause }),
        });
        // The thread read only its models' events; this thread read them all and knows the last.
        const until = new Map(threaded.map((target) => [target.model, target.until ?? Number.MAX_SAFE_INTEGER]));
        return { here, there: there.map((model) => ({ ...model, position: Math.min(here.position, until.get(model.model)!) })) };
      }),
    (thread) => Effect.promise(thread.stop),
  );

// Both threads stop at this head, so a replay beside a running cloud folds the same log in each.
const lastOf = (store: EventStoreShape, bound: ReplayBound) =>
  Effect.map(store.head, (head) => (bound.kind === "position" ? Math.min(bound.position, head) : head));

/**
 * Folds `targets` from position 0 to `bound`, reading `pageSize` events at a time. Fails only when
 * the store does; events are facts, so no event makes a fold fail. The result is the same with a
 * thread or without: each read model folds the same events into the same document.
 */
export const replay = (
  store: EventStoreShape,
  targets: ReadonlyArray<ReplayTarget>,
  bound: ReplayBound,
  pageSize = DEFAULT_REPLAY_PAGE,
  options: ReplayOptions = {},
): Effect.Effect<ReplayResult, EventStoreUnavailable> =>
  Effect.gen(function* () {
    const last = yield* lastOf(store, bound);
    const shared = shares(targets, true);
    if (options.thread === undefined || shared.threaded.length === 0) return yield* replayTo(store, targets, bound, last, pageSize);
    const { here, there } = yield* replayBeside(store, options.thread.eventStore, shared, bound, last, pageSize, false);
    const byModel = new Map<ReadModel, ReplayedModel>();
    for (const replayed of here.models) byModel.set(replayed.model, replayed);
    for (const { model, doc, folded, position } of there) byModel.set(model, { model, doc, folded, position });
    const merged = (replayed: ReplayedModel): ReplayedModel => {
      const split = replayed.model.split;
      const part = split === undefined ? undefined : byModel.get(split.part);
      if (split === undefined || part === undefined) return replayed;
      return { ...replayed, doc: split.merge(replayed.doc, part.doc), folded: replayed.folded + part.folded };
    };
    return { ...here, models: targets.map((target) => merged(byModel.get(target.model)!)) } satisfies ReplayResult;
  });

/** A replayed read model's canonical hash (`canonical.ts`) instead of its document. */
export interface HashedModel {
  readonly model: ReadModel;
  readonly sha256: string;
  readonly folded: number;
  readonly position: Position;
}

export interface HashedReplay {
  readonly models: ReadonlyArray<HashedModel>;
  readonly position: Position;
  readonly events: number;
}

/**
 * `replay`, then each document's canonical hash, taken in the thread that folded it: with a
 * thread, its documents never cross to this one, so nothing but the fold stands between the log
 * and a hash (`weft verify` compares it with a snapshot's, and a snapshot form that loses
 * something must not be used on the way). No model is split: a part's hash is no document's.
 */
export const replayHashes = (
  store: EventStoreShape,
  targets: ReadonlyArray<ReplayTarget>,
  bound: ReplayBound,
  pageSize = DEFAULT_REPLAY_PAGE,
  options: ReplayOptions = {},
): Effect.Effect<HashedReplay, EventStoreUnavailable> =>
  Effect.gen(function* () {
    const last = yield* lastOf(store, bound);
    const shared = shares(targets, false);
    const hashedHere = ({ model, doc, folded, position }: ReplayedModel): HashedModel => ({ model, sha256: canonicalHash(doc), folded, position });
    if (options.thread === undefined || shared.threaded.length === 0) {
      const replayed = yield* replayTo(store, targets, bound, last, pageSize);
      return { ...replayed, models: replayed.models.map(hashedHere) };
    }
    const { here, there } = yield* replayBeside(store, options.thread.eventStore, shared, bound, last, pageSize, true);
    const byModel = new Map<ReadModel, HashedModel>();
    for (const replayed of here.models) byModel.set(replayed.model, hashedHere(replayed));
    for (const { model, sha256, folded, position } of there) byModel.set(model, { model, sha256: sha256!, folded, position });
    return { position: here.position, events: here.events, models: targets.map((target) => byModel.get(target.model)!) };
  });

// An RFC 3339 / ISO 8601 date or date-time; a bare date means its midnight UTC.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--until` as the operator writes it: a position (digits) or an ISO 8601 time. A time without an
 * offset is read as UTC, as the log's times are. Undefined when it is neither.
 */
export const parseReplayBound = (text: string): ReplayBound | undefined => {
  if (/^\d+$/.test(text)) {
    const position = Number(text);
    return Number.isSafeInteger(position) ? { kind: "position", position } : undefined;
  }
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const utc = match[1] !== undefined && match[4] === undefined ? `${text}Z` : text;
  const epochMs = Date.parse(utc);
  // Date.parse rolls 2030-02-30 over into March; the Gregorian calendar repeats every 400 years.
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate()) return undefined;
  return Number.isFinite(epochMs) ? { kind: "time", time: text, epochMs } : undefined;
};
