/**
 * The commands a resource provider accepts, as TypeScript mirrors of the messages in
 * `proto/weft/placement/v1/placement.proto` (the wire truth; `wire.unit.spec.ts` round-trips every
 * one). Fields are the protobufjs camelCase of the proto names; int64 amounts are numbers and a
 * proto `map<string, int64>` is a plain record keyed by resource class.
 */

/** One resource class of a provider, as Placement's inventory record. */
export interface Inventory {
  /** `VCPU`, `MEMORY_MB`, `DISK_GB` or `CUSTOM_*`. */
  readonly resourceClass: string;
  readonly total: number;
  readonly reserved: number;
  readonly minUnit: number;
  readonly maxUnit: number;
  readonly stepSize: number;
  readonly allocationRatio: number;
}

/** Amounts keyed by resource class: what a consumer asks for, holds, or a provider has in use. */
export type Resources = Readonly<Record<string, number>>;

export interface CreateResourceProvider {
  readonly providerId: string;
  readonly name: string;
  /** The compute host the provider stands for. */
  readonly host: string;
  readonly availabilityZone: string;
  readonly traits: ReadonlyArray<string>;
}

/** Replaces the whole inventory set, as Placement's PUT of a provider's inventories does. */
export interface SetInventory {
  readonly providerId: string;
  readonly inventories: ReadonlyArray<Inventory>;
}

export interface ClaimAllocation {
  readonly providerId: string;
  readonly consumerId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly resources: Resources;
}

export interface ReleaseAllocation {
  readonly providerId: string;
  readonly consumerId: string;
}

export interface DeleteResourceProvider {
  readonly providerId: string;
}

export type PlacementCommand =
  | { readonly type: "CreateResourceProvider"; readonly data: CreateResourceProvider }
  | { readonly type: "SetInventory"; readonly data: SetInventory }
  | { readonly type: "ClaimAllocation"; readonly data: ClaimAllocation }
  | { readonly type: "ReleaseAllocation"; readonly data: ReleaseAllocation }
  | { readonly type: "DeleteResourceProvider"; readonly data: DeleteResourceProvider };

export type PlacementCommandType = PlacementCommand["type"];

/** Every command type, for routing (`weft.cmd.placement.<type>`) and exhaustive specs. */
export const placementCommandTypes = [
  "CreateResourceProvider",
  "SetInventory",
  "ClaimAllocation",
  "ReleaseAllocation",
  "DeleteResourceProvider",
] as const satisfies ReadonlyArray<PlacementCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<PlacementCommandType, (typeof placementCommandTypes)[number]> extends never ? true : never = true;
