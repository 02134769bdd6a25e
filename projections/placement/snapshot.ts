/**
 * The placement document as plain data for msgpack snapshots, and back.
 */
import { Map as ImmutableMap } from "immutable";
import type { Allocation } from "@weft/domain/placement";
import type { PlacementDocument, ProviderRecord } from "./document.ts";

type PlainRecord = Omit<ProviderRecord, "provider"> & {
  readonly provider: Omit<ProviderRecord["provider"], "allocations"> & { readonly allocations: ReadonlyArray<readonly [string, Allocation]> };
};

export interface PlacementSnapshot {
  readonly providers: ReadonlyArray<PlainRecord>;
}

export const placementToSnapshot = (doc: PlacementDocument): PlacementSnapshot => ({
  providers: doc.providers
    .valueSeq()
    .map((record) => ({ ...record, provider: { ...record.provider, allocations: record.provider.allocations.entrySeq().toArray() } }))
    .toArray(),
});

export const placementFromSnapshot = (snapshot: unknown): PlacementDocument => {
  const { providers } = snapshot as PlacementSnapshot;
  return {
    providers: ImmutableMap(
      providers.map((record) => [
        record.provider.providerId,
        { ...record, provider: { ...record.provider, allocations: ImmutableMap(record.provider.allocations) } },
      ]),
    ),
  };
};
