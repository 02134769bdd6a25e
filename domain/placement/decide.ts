/**
 * What a resource provider decides: one small function per command, checking Placement's rules
 * (valid inventory, capacity never over-committed, one allocation per consumer) against the
 * provider and returning the events to record or a rejection. Retries are safe: re-sending an
 * identical inventory or claim, or releasing what is already released, is accepted with no event.
 */
import { assertNever, type Decision } from "../shared/index.ts";
import { amountOf, capacityOf, claimViolation, inventoryOf } from "./capacity.ts";
import type {
  ClaimAllocation,
  CreateResourceProvider,
  Inventory,
  PlacementCommand,
  ReleaseAllocation,
  Resources,
  SetInventory,
} from "./commands.ts";
import type { PlacementEvent } from "./events.ts";
import {
  allocationConflict,
  insufficientCapacity,
  invalidAllocation,
  invalidInventory,
  inventoryInUse,
  resourceProviderExists,
  resourceProviderInUse,
  resourceProviderNotFound,
  type PlacementRejection,
} from "./rejections.ts";
import type { ResourceProvider, ResourceProviderState } from "./state.ts";

type PlacementDecision = Decision<PlacementEvent, PlacementRejection>;

// Placement's schema pattern for standard and custom (`CUSTOM_*`) resource classes.
const RESOURCE_CLASS = /^[A-Z0-9_]+$/;

const isWhole = (value: number) => Number.isSafeInteger(value);

const createResourceProvider = (c: CreateResourceProvider, state: ResourceProviderState): PlacementDecision => {
  if (state.status === "active") return resourceProviderExists(c.providerId);
  // Traits are a set in Placement: a repeated trait is recorded once.
  const traits = [...new Set(c.traits)];
  return [{ type: "ResourceProviderCreated", data: { providerId: c.providerId, name: c.name, host: c.host, availabilityZone: c.availabilityZone, traits } }];
};

const checkInventory = (providerId: string, inventory: Inventory): PlacementRejection | undefined => {
  const { resourceClass, total, reserved, minUnit, maxUnit, stepSize, allocationRatio } = inventory;
  const invalid = (field: string, why: string) => invalidInventory(providerId, resourceClass, field, why);
  if (!RESOURCE_CLASS.test(resourceClass)) return invalid("resource_class", "must match ^[A-Z0-9_]+$");
  if (!isWhole(total) || total < 1) return invalid("total", `must be a whole number of at least 1, got ${total}`);
  if (!isWhole(reserved) || reserved < 0 || reserved > total) return invalid("reserved", `must be between 0 and total (${total}), got ${reserved}`);
  if (!isWhole(minUnit) || minUnit < 1) return invalid("min_unit", `must be a whole number of at least 1, got ${minUnit}`);
  if (!isWhole(maxUnit) || maxUnit < minUnit) return invalid("max_unit", `must be at least min_unit (${minUnit}), got ${maxUnit}`);
  if (!isWhole(stepSize) || stepSize < 1) return invalid("step_size", `must be a whole number of at least 1, got ${stepSize}`);
  if (!Number.isFinite(allocationRatio) || allocationRatio <= 0) return invalid("allocation_ratio", `must be greater than 0, got ${allocationRatio}`);
  return undefined;
};

const sameInventory = (a: Inventory, b: Inventory) =>
  a.total === b.total && a.reserved === b.reserved && a.minUnit === b.minUnit && a.maxUnit === b.maxUnit &&
  a.stepSize === b.stepSize && a.allocationRatio === b.allocationRatio;

const setInventory = (c: SetInventory, p: ResourceProvider): PlacementDecision => {
  const seen = new Set<string>();
  for (const inventory of c.inventories) {
    const invalid = checkInventory(p.providerId, inventory);
    if (invalid !== undefined) return invalid;
    if (seen.has(inventory.resourceClass)) return invalidInventory(p.providerId, inventory.resourceClass, "resource_class", "appears twice");
    seen.add(inventory.resourceClass);
  }
  const byClass = new Map(c.inventories.map((inventory) => [inventory.resourceClass, inventory]));
  // A class removed from the set has capacity 0: removing one in use is refused too.
  const overCommitted = Object.keys(p.usage).filter((resourceClass) => {
    const inventory = byClass.get(resourceClass);
    return amountOf(p.usage, resourceClass) > (inventory === undefined ? 0 : capacityOf(inventory));
  });
  if (overCommitted.length > 0) return inventoryInUse(p.providerId, overCommitted);
  const unchanged = Object.keys(p.inventories).length === byClass.size &&
    c.inventories.every((inventory) => {
      const current = inventoryOf(p.inventories, inventory.resourceClass);
      return current !== undefined && sameInventory(current, inventory);
    });
  if (unchanged) return [];
  const inventories = c.inventories.map(({ resourceClass, total, reserved, minUnit, maxUnit, stepSize, allocationRatio }) =>
    ({ resourceClass, total, reserved, minUnit, maxUnit, stepSize, allocationRatio }));
  return [{ type: "InventorySet", data: { providerId: p.providerId, inventories } }];
};

const sameResources = (a: Resources, b: Resources) => {
  const classes = Object.keys(a);
  return classes.length === Object.keys(b).length && classes.every((resourceClass) => amountOf(a, resourceClass) === amountOf(b, resourceClass));
};

const claimAllocation = (c: ClaimAllocation, p: ResourceProvider): PlacementDecision => {
  const classes = Object.keys(c.resources);
  if (classes.length === 0) return invalidAllocation(c.consumerId, "no resources requested");
  for (const resourceClass of classes) {
    const amount = amountOf(c.resources, resourceClass);
    if (!isWhole(amount) || amount < 1) return invalidAllocation(c.consumerId, `${resourceClass} must be a whole number of at least 1, got ${amount}`);
  }
  const held = p.allocations.get(c.consumerId);
  if (held !== undefined) {
    // A retried claim (the scheduler after a crash) is the same fact: accepted, nothing new.
    const identical = held.projectId === c.projectId && held.userId === c.userId && sameResources(held.resources, c.resources);
    return identical ? [] : allocationConflict(p.providerId, c.consumerId);
  }
  const violation = claimViolation(p, c.resources);
  if (violation !== undefined) return insufficientCapacity(p.providerId, violation);
  const resources = Object.fromEntries(classes.map((resourceClass) => [resourceClass, amountOf(c.resources, resourceClass)]));
  return [{
    type: "AllocationClaimed",
    data: { providerId: p.providerId, consumerId: c.consumerId, projectId: c.projectId, userId: c.userId, resources },
  }];
};

const releaseAllocation = (c: ReleaseAllocation, state: ResourceProviderState): PlacementDecision => {
  if (state.status === "none") return resourceProviderNotFound(c.providerId);
  // A deleted provider held nothing (deletion needs no allocations): a late release is a retry.
  if (state.status === "deleted") return [];
  const held = state.allocations.get(c.consumerId);
  if (held === undefined) return [];
  return [{ type: "AllocationReleased", data: { providerId: state.providerId, consumerId: c.consumerId, resources: { ...held.resources } } }];
};

const deleteResourceProvider = (p: ResourceProvider): PlacementDecision => {
  if (!p.allocations.isEmpty()) return resourceProviderInUse(p.providerId);
  return [{ type: "ResourceProviderDeleted", data: { providerId: p.providerId } }];
};

// Every command but a creation and a release needs a provider that exists now.
const onProvider = (providerId: string, state: ResourceProviderState, decideFor: (p: ResourceProvider) => PlacementDecision) =>
  state.status === "active" ? decideFor(state) : resourceProviderNotFound(providerId);

export const decide = (command: PlacementCommand, state: ResourceProviderState): PlacementDecision => {
  switch (command.type) {
    case "CreateResourceProvider":
      return createResourceProvider(command.data, state);
    case "SetInventory":
      return onProvider(command.data.providerId, state, (p) => setInventory(command.data, p));
    case "ClaimAllocation":
      return onProvider(command.data.providerId, state, (p) => claimAllocation(command.data, p));
    case "ReleaseAllocation":
      return releaseAllocation(command.data, state);
    case "DeleteResourceProvider":
      return onProvider(command.data.providerId, state, deleteResourceProvider);
    default:
      return assertNever(command);
  }
};
