/**
 * Why a resource provider refuses a command. The `_tag`s are published (the placement gateway's
 * fault table is keyed by them, checked complete by the compiler); the messages go to API users
 * verbatim, so they follow Placement's own wording where Placement has one.
 */
import { reject, type Rejection } from "../shared/index.ts";
import type { ClaimViolation } from "./capacity.ts";

export const placementRejectionTags = [
  "ResourceProviderExists",
  "ResourceProviderNotFound",
  "ResourceProviderInUse",
  "InvalidInventory",
  "InventoryInUse",
  "InvalidAllocation",
  "InsufficientCapacity",
  "AllocationConflict",
] as const;

export type PlacementRejectionTag = (typeof placementRejectionTags)[number];

export type PlacementRejection = Rejection<PlacementRejectionTag>;

export const resourceProviderExists = (providerId: string): PlacementRejection =>
  reject("ResourceProviderExists", `Conflicting resource provider uuid: ${providerId} already exists.`);

export const resourceProviderNotFound = (providerId: string): PlacementRejection =>
  reject("ResourceProviderNotFound", `No resource provider with uuid ${providerId} found.`);

export const resourceProviderInUse = (providerId: string): PlacementRejection =>
  reject("ResourceProviderInUse", `Unable to delete resource provider ${providerId}: Resource provider has allocations.`);

/** `field` is the proto field name, so an operator can find it in the request they sent. */
export const invalidInventory = (providerId: string, resourceClass: string, field: string, why: string): PlacementRejection =>
  reject("InvalidInventory", `Invalid inventory for '${resourceClass}' on resource provider '${providerId}': ${field} ${why}.`);

export const inventoryInUse = (providerId: string, classes: ReadonlyArray<string>): PlacementRejection =>
  reject(
    "InventoryInUse",
    `Inventory for '${classes.join(", ")}' on resource provider '${providerId}' in use: ` +
      "the new capacity would be below what is already allocated.",
  );

export const invalidAllocation = (consumerId: string, why: string): PlacementRejection =>
  reject("InvalidAllocation", `Invalid allocation for consumer ${consumerId}: ${why}.`);

const violationText: Readonly<Record<ClaimViolation["kind"], string>> = {
  noInventory: "The resource provider has no inventory of this class",
  constraints: "The requested amount would violate inventory constraints",
  capacity: "The requested amount would exceed the capacity",
};

export const insufficientCapacity = (providerId: string, v: ClaimViolation): PlacementRejection => {
  const limits = v.inventory === undefined || v.kind !== "constraints"
    ? ""
    : `, min_unit ${v.inventory.minUnit}, max_unit ${v.inventory.maxUnit}, step_size ${v.inventory.stepSize}`;
  return reject(
    "InsufficientCapacity",
    `Unable to create allocation for '${v.resourceClass}' on resource provider '${providerId}'. ${violationText[v.kind]}` +
      ` (requested ${v.requested}, used ${v.used}, capacity ${v.capacity}${limits}).`,
  );
};

export const allocationConflict = (providerId: string, consumerId: string): PlacementRejection =>
  reject(
    "AllocationConflict",
    `Consumer ${consumerId} already holds a different allocation on resource provider ${providerId}: release it first.`,
  );
