/**
 * The events a resource provider records, as TypeScript mirrors of the messages in
 * `proto/weft/placement/v1/placement.proto`. Event type names are published forever: a type string
 * in the log is a message name there. `wire.unit.spec.ts` keeps both shapes identical.
 */
import type { Inventory, Resources } from "./commands.ts";

export interface ResourceProviderCreated {
  readonly providerId: string;
  readonly name: string;
  readonly host: string;
  readonly availabilityZone: string;
  readonly traits: ReadonlyArray<string>;
}

/** The provider's whole inventory from now on; a class absent here has no inventory. */
export interface InventorySet {
  readonly providerId: string;
  readonly inventories: ReadonlyArray<Inventory>;
}

export interface AllocationClaimed {
  readonly providerId: string;
  readonly consumerId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly resources: Resources;
}

/** Carries what was released, so usage read models need not remember every claim. */
export interface AllocationReleased {
  readonly providerId: string;
  readonly consumerId: string;
  readonly resources: Resources;
}

export interface ResourceProviderDeleted {
  readonly providerId: string;
}

export type PlacementEvent =
  | { readonly type: "ResourceProviderCreated"; readonly data: ResourceProviderCreated }
  | { readonly type: "InventorySet"; readonly data: InventorySet }
  | { readonly type: "AllocationClaimed"; readonly data: AllocationClaimed }
  | { readonly type: "AllocationReleased"; readonly data: AllocationReleased }
  | { readonly type: "ResourceProviderDeleted"; readonly data: ResourceProviderDeleted };

export type PlacementEventType = PlacementEvent["type"];

/** Every event type: the filter of placement read models and exhaustive specs. */
export const placementEventTypes = [
  "ResourceProviderCreated",
  "InventorySet",
  "AllocationClaimed",
  "AllocationReleased",
  "ResourceProviderDeleted",
] as const satisfies ReadonlyArray<PlacementEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<PlacementEventType, (typeof placementEventTypes)[number]> extends never ? true : never = true;
