/**
 * Every read model of the fabric that is a fold of `$all`, as the replay engine runs it: the four
 * the gateway answers from (identity, image, compute, placement; these have live snapshots that
 * `weft verify` compares) and two process managers' views (the scheduler's and the relay's host
 * view), which are replayed and hashed but live only in memory. A new read model is one entry in
 * `readModels`. Each stored event's payload is decoded by the one codec that knows its type.
 */
import type { PayloadCodec } from "@weft/proto";
import type { Message } from "@weft/domain/shared";
import {
  evolveSchedulerView,
  initialSchedulerView,
  schedulerViewEventTypes,
  schedulerViewFromData,
  schedulerViewToData,
  type SchedulerEvent,
  type SchedulerView,
  type SchedulerViewData,
} from "@weft/domain/scheduler";
import { Map as ImmutableMap } from "immutable";
import { quotaEventTypes, type QuotaEvent } from "@weft/domain/compute";
import type { ProjectedEvent, Projection } from "@weft/projections/shared";
import { computeProjection, evolveQuotas, quotasFromSnapshot, quotasToSnapshot, type ComputeDocument, type ComputeSnapshot, type Quotas } from "@weft/projections/compute";
import { identityProjection } from "@weft/projections/identity";
import { imageProjection } from "@weft/projections/image";
import { placementProjection } from "@weft/projections/placement";
import { computeEventCodec, identityEventCodec, imageEventCodec, placementEventCodec } from "../contexts/index.ts";
import type { RecordedEvent } from "../eventStore/EventStore.ts";
import { causeOf, evolveHostView, hostViewEventTypes, initialHostView, type HostView, type HostViewEvent } from "../relay/hostView.ts";

/** A stored event as replay hands it to every read model that folds its type: decoded once. */
export interface ReplayedEvent extends ProjectedEvent<Message> {
  readonly recorded: RecordedEvent;
}

/** A read model's fold of many events into a document it owns until `finish` (a projection's `batch`). */
export interface ReadModelBatch<Doc> {
  readonly fold: (event: ReplayedEvent) => void;
  readonly finish: () => Doc;
}

export interface ReadModel<Doc = unknown> {
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
  readonly initial: () => Doc;
  readonly evolve: (doc: Doc, event: ReplayedEvent) => Doc;
  /** Folds many events at once into the document `evolve` would fold (the projection's `batch`). */
  readonly batch?: (doc: Doc) => ReadModelBatch<Doc>;
  /** The gateway projection behind it, whose snapshots in the data dir are the live copy. */
  readonly projection?: Projection<Doc, Message>;
  /**
   * How its document crosses to another thread: `pack` gives what structured clone carries,
   * `unpack` the document again, with the same canonical form. A model without one is folded in
   * the thread that asked for the replay.
   */
  readonly portable?: { readonly pack: (doc: Doc) => unknown; readonly unpack: (packed: unknown) => Doc };
  /**
   * A share of its events that changes one part of its document and nothing else reads: a replay
   * with a second thread folds them there with `part` (portable, named `<name>.<part>`), this
   * model skips them, and `merge` puts the part into its document at the end.
   */
  readonly split?: { readonly part: ReadModel; readonly merge: (doc: Doc, part: unknown) => Doc };
}

const ofProjection = <Doc, E extends Message>(projection: Projection<Doc, E>, portable = true): ReadModel<Doc> => ({
  name: projection.name,
  eventTypes: projection.eventTypes,
  initial: projection.initial,
  evolve: projection.evolve as unknown as (doc: Doc, event: ReplayedEvent) => Doc,
  ...(projection.batch === undefined ? {} : { batch: projection.batch as unknown as (doc: Doc) => ReadModelBatch<Doc> }),
  projection: projection as unknown as Projection<Doc, Message>,
  ...(portable ? { portable: { pack: projection.toSnapshot, unpack: projection.fromSnapshot } } : {}),
});

const schedulerModel: ReadModel<SchedulerView> = {
  name: "scheduler",
  eventTypes: new Set(schedulerViewEventTypes),
  initial: initialSchedulerView,
  evolve: (view, { event }) => evolveSchedulerView(view, event as SchedulerEvent),
  portable: { pack: schedulerViewToData, unpack: (packed) => schedulerViewFromData(packed as SchedulerViewData) },
};

// The relay mutates its view in place: a replay owns the view it folds, so that is safe here.
// Structured clone carries its JavaScript maps as they are, a server shared by both still shared.
const hostsModel: ReadModel<HostView> = {
  portable: { pack: (view) => view, unpack: (packed) => packed as HostView },
  name: "hosts",
  eventTypes: new Set(hostViewEventTypes),
  initial: initialHostView,
  evolve: (view, { event, recorded }) => {
    evolveHostView(view, event as HostViewEvent, causeOf(recorded));
    return view;
  },
};

// Quota events (a fifth of compute's at the bench's mix) change the quotas and nothing else of the
// compute document, and no other event reads the quotas.
const computeQuotasModel: ReadModel<Quotas> = {
  name: "compute.quotas",
  eventTypes: new Set(quotaEventTypes),
  initial: () => ImmutableMap(),
  evolve: (quotas, { event }) => evolveQuotas(quotas, event as QuotaEvent),
  portable: { pack: quotasToSnapshot, unpack: (packed) => quotasFromSnapshot(packed as ComputeSnapshot["quotas"]) },
};

const computeModel: ReadModel<ComputeDocument> = {
  ...ofProjection(computeProjection, false),
  split: { part: computeQuotasModel as ReadModel, merge: (doc, quotas) => ({ ...doc, quotas: quotas as Quotas }) },
};

/**
 * Every read model, the gateway's four first. Compute is not portable: at 1,000,000 events its
 * document holds ~97,000 servers, and packing, cloning and unpacking it would cost more than the
 * fold a second thread saves, so it is folded where the replay was asked for, the others beside it,
 * and its quota events with them.
 */
export const readModels: ReadonlyArray<ReadModel> = [
  ofProjection(identityProjection),
  ofProjection(imageProjection),
  computeModel,
  ofProjection(placementProjection),
  schedulerModel,
  hostsModel,
] as ReadonlyArray<ReadModel>;

/** A read model, or a part of one that another thread folds (`split`), by its name. */
export const readModelNamed = (name: string): ReadModel | undefined =>
  readModels.find((model) => model.name === name) ?? readModels.find((model) => model.split?.part.name === name)?.split!.part;

const eventCodecs: ReadonlyArray<PayloadCodec<Message>> = [identityEventCodec, imageEventCodec, computeEventCodec, placementEventCodec];

/** The payload codec of each event type any context records. */
export const eventCodecByType: ReadonlyMap<string, PayloadCodec<Message>> = (() => {
  const byType = new Map<string, PayloadCodec<Message>>();
  for (const model of readModels) {
    for (const type of model.eventTypes) {
      const codec = eventCodecs.find((candidate) => candidate.has(type));
      if (codec === undefined) throw new Error(`read model ${model.name} folds ${type}, which no event codec knows`);
      byType.set(type, codec);
    }
  }
  return byType;
})();
