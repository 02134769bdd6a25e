/**
 * The shape of every read model: a pure fold of events into a document, plus a snapshot form of
 * plain data (for msgpack) so a runner can restart without replaying the whole log. The runner in
 * infra/ owns subscriptions, checkpoints and snapshot storage; this module owns only the fold.
 */

/** An event as a projection sees it: the domain event plus where and when it was recorded. */
export interface ProjectedEvent<E> {
  readonly event: E;
  readonly stream: string;
  /** Position in `$all`, strictly increasing; 0 means "before the first event". */
  readonly position: number;
  /** RFC 3339, from the event metadata: the domain's time, not the store's. */
  readonly occurredAt: string;
  readonly actor?: { readonly userId: string; readonly projectId: string };
  /** The API request that caused the event (`req-<uuid>`), from the metadata: Nova's instance actions are keyed by it. */
  readonly requestId?: string;
}

export interface Projection<Doc, E extends { readonly type: string }> {
  /** Names the read model in checkpoints and snapshots, e.g. "identity". */
  readonly name: string;
  /** Bumped whenever the document or snapshot shape changes; older snapshots are then ignored. */
  readonly version: number;
  /** The event types it folds; the runner subscribes with this filter. */
  readonly eventTypes: ReadonlySet<string>;
  readonly initial: () => Doc;
  /** Pure, total, never throws: events are facts. */
  readonly evolve: (doc: Doc, projected: ProjectedEvent<E>) => Doc;
  /**
   * Optional: a fold of many events at once (replay, catching up), by the same rules as `evolve`
   * and ending in the document `evolve` would fold event by event. Without it, `batchFoldOf`
   * folds with `evolve`.
   */
  readonly batch?: (doc: Doc) => BatchFold<Doc, E>;
  /** Plain data only (arrays, objects, strings, numbers, booleans), so msgpack and JSON carry it. */
  readonly toSnapshot: (doc: Doc) => unknown;
  readonly fromSnapshot: (snapshot: unknown) => Doc;
}

/**
 * Many events folded into a document the fold owns from its start to `finish`: it may change its
 * own transient copy in place (the document it started from is left as it was) and build derived
 * indexes once at the end instead of on every event.
 */
export interface BatchFold<Doc, E> {
  readonly fold: (projected: ProjectedEvent<E>) => void;
  /** The document folded so far; the batch is spent after it. */
  readonly finish: () => Doc;
}

/** A batch that folds event by event with `evolve` (`P`: the events as the fold receives them). */
export const evolvingBatch = <Doc, P>(evolve: (doc: Doc, projected: P) => Doc, doc: Doc): { readonly fold: (projected: P) => void; readonly finish: () => Doc } => {
  let folded = doc;
  return {
    fold: (projected) => {
      folded = evolve(folded, projected);
    },
    finish: () => folded,
  };
};

/** The projection's own batch fold from `doc`, or one that folds with its `evolve`. */
export const batchFoldOf = <Doc, E extends { readonly type: string }>(projection: Projection<Doc, E>, doc: Doc): BatchFold<Doc, E> =>
  projection.batch?.(doc) ?? evolvingBatch(projection.evolve, doc);

/** A document and the position of the last event folded into it: the checkpoint travels with it. */
export interface Projected<Doc> {
  readonly position: number;
  readonly doc: Doc;
}

export const initialProjected = <Doc, E extends { readonly type: string }>(projection: Projection<Doc, E>): Projected<Doc> => ({
  position: 0,
  doc: projection.initial(),
});

/**
 * Folds one event. Delivery is at-least-once, so an event at or before the current position was
 * already folded and is skipped. An event of a type the projection does not fold still advances
 * the position, so the checkpoint never lags behind what was read.
 */
export const foldProjected = <Doc, E extends { readonly type: string }>(
  projection: Projection<Doc, E>,
  state: Projected<Doc>,
  projected: ProjectedEvent<E>,
): Projected<Doc> => {
  if (projected.position <= state.position) return state;
  const doc = projection.eventTypes.has(projected.event.type) ? projection.evolve(state.doc, projected) : state.doc;
  return { position: projected.position, doc };
};
