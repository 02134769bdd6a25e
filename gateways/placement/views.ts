/**
 * Placement's representations, field for field, by microversion: a provider's links (aggregates
 * from 1.1, traits from 1.6, allocations from 1.11) and its tree (`parent_provider_uuid`,
 * `root_provider_uuid` from 1.14; Weft's providers are all roots), inventories with the
 * provider's generation, usages with every inventoried class (0 when unused), and allocations by
 * consumer (`project_id`/`user_id` from 1.12, `consumer_generation` from 1.28, `consumer_type`
 * from 1.38). Links are relative to the service root, as Placement writes them.
 */
import { amountOf, type Allocation, type Inventory } from "@weft/domain/placement";
import type { ProviderRecord } from "@weft/projections/placement";
import { atLeast, type PlacementVersion } from "./microversions.ts";

const ROOT = "/placement";

export const providerUrl = (providerId: string) => `${ROOT}/resource_providers/${providerId}`;

export const providerView = (version: PlacementVersion, record: ProviderRecord) => {
  const { providerId, name } = record.provider;
  const self = providerUrl(providerId);
  const related = [
    "inventories",
    "usages",
    ...(atLeast(version, 1) ? ["aggregates"] : []),
    ...(atLeast(version, 6) ? ["traits"] : []),
    ...(atLeast(version, 11) ? ["allocations"] : []),
  ];
  return {
    uuid: providerId,
    name,
    generation: record.generation,
    links: [{ rel: "self", href: self }, ...related.map((rel) => ({ rel, href: `${self}/${rel}` }))],
    ...(atLeast(version, 14) ? { parent_provider_uuid: null, root_provider_uuid: providerId } : {}),
  };
};

export const inventoryView = (inventory: Inventory) => ({
  total: inventory.total,
  reserved: inventory.reserved,
  min_unit: inventory.minUnit,
  max_unit: inventory.maxUnit,
  step_size: inventory.stepSize,
  allocation_ratio: inventory.allocationRatio,
});

export const inventoriesView = (record: ProviderRecord) => ({
  resource_provider_generation: record.generation,
  inventories: Object.fromEntries(Object.values(record.provider.inventories).map((inventory) => [inventory.resourceClass, inventoryView(inventory)])),
});

export const usagesView = (record: ProviderRecord) => ({
  resource_provider_generation: record.generation,
  usages: Object.fromEntries(Object.keys(record.provider.inventories).map((resourceClass) => [resourceClass, amountOf(record.provider.usage, resourceClass)])),
});

// Weft writes a consumer's allocation once, with the claim, so its generation is 1; every
// consumer is a Nova server.
const CONSUMER_GENERATION = 1;
const CONSUMER_TYPE = "INSTANCE";

/** `GET /resource_providers/{uuid}/allocations`: by consumer. */
export const providerAllocationsView = (version: PlacementVersion, record: ProviderRecord) => ({
  resource_provider_generation: record.generation,
  allocations: Object.fromEntries(
    record.provider.allocations
      .entrySeq()
      .map(([consumerId, allocation]) => [
        consumerId,
        { resources: { ...allocation.resources }, ...(atLeast(version, 28) ? { consumer_generation: CONSUMER_GENERATION } : {}) },
      ])
      .toArray(),
  ),
});

export interface ConsumerAllocation {
  readonly record: ProviderRecord;
  readonly allocation: Allocation;
}

/** `GET /allocations/{consumer}`: by provider; nothing held is `{"allocations": {}}`. */
export const consumerAllocationsView = (version: PlacementVersion, held: ReadonlyArray<ConsumerAllocation>) => {
  const first = held[0];
  return {
    allocations: Object.fromEntries(
      held.map(({ record, allocation }) => [record.provider.providerId, { generation: record.generation, resources: { ...allocation.resources } }]),
    ),
    ...(first !== undefined && atLeast(version, 12) ? { project_id: first.allocation.projectId, user_id: first.allocation.userId } : {}),
    ...(first !== undefined && atLeast(version, 28) ? { consumer_generation: CONSUMER_GENERATION } : {}),
    ...(first !== undefined && atLeast(version, 38) ? { consumer_type: CONSUMER_TYPE } : {}),
  };
};

export const resourceClassView = (name: string) => ({ name, links: [{ rel: "self", href: `${ROOT}/resource_classes/${name}` }] });
