/**
 * The placement read model: every resource provider as the placement decider itself folds it
 * (one fold, shared with the write side, so the scheduler's view and the claims agree on what a
 * provider holds), plus Placement's generation, which moves on every change to the provider.
 */
import { Map as ImmutableMap } from "immutable";
import { resourceProviderDecider, type PlacementEvent, type ResourceProvider } from "@weft/domain/placement";
import type { ProjectedEvent } from "../shared/index.ts";

export interface ProviderRecord {
  readonly provider: ResourceProvider;
  readonly generation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PlacementDocument {
  readonly providers: ImmutableMap<string, ProviderRecord>;
}

export const initialPlacementDocument = (): PlacementDocument => ({ providers: ImmutableMap() });

export const evolvePlacement = (doc: PlacementDocument, { event, occurredAt }: ProjectedEvent<PlacementEvent>): PlacementDocument => {
  const id = event.data.providerId;
  const before = doc.providers.get(id);
  const state = resourceProviderDecider.evolve(before?.provider ?? resourceProviderDecider.initialState(), event);
  if (state.status !== "active") return { providers: doc.providers.delete(id) };
  return {
    providers: doc.providers.set(id, {
      provider: state,
      generation: (before?.generation ?? -1) + 1,
      createdAt: before?.createdAt ?? occurredAt,
      updatedAt: occurredAt,
    }),
  };
};
