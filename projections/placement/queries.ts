/**
 * Questions the placement API and the scheduler ask of the read model.
 */
import type { Candidate } from "@weft/domain/placement";
import type { PlacementDocument, ProviderRecord } from "./document.ts";

export const getProvider = (doc: PlacementDocument, providerId: string): ProviderRecord | undefined => doc.providers.get(providerId);

export const listProviders = (doc: PlacementDocument, filter: { readonly name?: string | undefined } = {}): ReadonlyArray<ProviderRecord> =>
  doc.providers
    .valueSeq()
    .filter((record) => filter.name === undefined || record.provider.name === filter.name)
    .sortBy((record) => record.provider.name)
    .toArray();

export const providerOfHost = (doc: PlacementDocument, host: string): ProviderRecord | undefined =>
  doc.providers.find((record) => record.provider.host === host);

/**
 * Every provider as a scheduling candidate. Liveness and server-group membership are not in
 * this read model, so the caller supplies them.
 */
export const schedulingCandidates = (
  doc: PlacementDocument,
  isUp: (host: string) => boolean,
  groupMembersOn: (host: string) => number,
): ReadonlyArray<Candidate> =>
  doc.providers
    .valueSeq()
    .map(({ provider }) => ({
      providerId: provider.providerId,
      host: provider.host,
      availabilityZone: provider.availabilityZone,
      traits: provider.traits,
      inventories: provider.inventories,
      usage: provider.usage,
      serversOfGroup: groupMembersOn(provider.host),
      up: isUp(provider.host),
    }))
    .toArray();
