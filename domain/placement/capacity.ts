/**
 * Placement's arithmetic, shared by the provider's `decide` and the scheduler's filters: what an
 * inventory can hold, and whether a request fits beside what is already in use. Pure and
 * allocation-free on the success path, because the scheduler runs it once per candidate host.
 */
import type { Inventory, Resources } from "./commands.ts";

/** Inventories keyed by resource class. */
export type Inventories = Readonly<Record<string, Inventory>>;

/** What `fits` needs of a provider: a provider's state has both, and so does a scheduling candidate. */
export interface ProviderLoad {
  readonly inventories: Inventories;
  readonly usage: Resources;
}

/**
 * `(total - reserved) * allocation_ratio`, floored: Placement compares the product with
 * `used + amount` as a float, which for whole amounts is the same as comparing with its floor.
 */
export const capacityOf = (inventory: Inventory): number =>
  Math.floor((inventory.total - inventory.reserved) * inventory.allocationRatio);

// Keys come from users (claims) and from the log: a bare `record[key]` would find
// `Object.prototype` members for a class named `constructor`.
export const amountOf = (resources: Resources, resourceClass: string): number =>
  Object.hasOwn(resources, resourceClass) ? (resources[resourceClass] ?? 0) : 0;

export const inventoryOf = (inventories: Inventories, resourceClass: string): Inventory | undefined =>
  Object.hasOwn(inventories, resourceClass) ? inventories[resourceClass] : undefined;

type ViolationKind = "noInventory" | "constraints" | "capacity";

const violationOf = (load: ProviderLoad, resourceClass: string, amount: number): ViolationKind | undefined => {
  const inventory = inventoryOf(load.inventories, resourceClass);
  if (inventory === undefined) return "noInventory";
  if (amount < inventory.minUnit || amount > inventory.maxUnit || amount % inventory.stepSize !== 0) return "constraints";
  if (amountOf(load.usage, resourceClass) + amount > capacityOf(inventory)) return "capacity";
  return undefined;
};

/**
 * A request read once for many providers: the classes asked for with a positive amount. A zero
 * amount means "not requested" (a flavor with a 0 GB disk boots from a volume and asks for no DISK_GB).
 */
export interface PreparedRequest {
  readonly classes: ReadonlyArray<string>;
  readonly amounts: ReadonlyArray<number>;
}

export const prepareRequest = (resources: Resources): PreparedRequest => {
  const classes = Object.keys(resources).filter((resourceClass) => amountOf(resources, resourceClass) !== 0);
  return { classes, amounts: classes.map((resourceClass) => amountOf(resources, resourceClass)) };
};

/** `fits` for a prepared request: what the scheduler runs once per candidate host. */
export const fitsPrepared = (load: ProviderLoad, request: PreparedRequest): boolean => {
  for (let i = 0; i < request.classes.length; i++) {
    if (violationOf(load, request.classes[i] ?? "", request.amounts[i] ?? 0) !== undefined) return false;
  }
  return true;
};

/**
 * True when every class requested with a positive amount is in the provider's inventory, the
 * amount respects min_unit, max_unit and step_size, and fits beside current usage.
 */
export const fits = (load: ProviderLoad, resources: Resources): boolean => fitsPrepared(load, prepareRequest(resources));

/** Why a request does not fit, for the rejection's message: the first class that fails. */
export interface ClaimViolation {
  readonly kind: ViolationKind;
  readonly resourceClass: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
  readonly inventory?: Inventory;
}

export const claimViolation = (load: ProviderLoad, resources: Resources): ClaimViolation | undefined => {
  for (const resourceClass in resources) {
    const requested = amountOf(resources, resourceClass);
    const kind = requested === 0 ? undefined : violationOf(load, resourceClass, requested);
    if (kind !== undefined) {
      const inventory = inventoryOf(load.inventories, resourceClass);
      const used = amountOf(load.usage, resourceClass);
      return inventory === undefined
        ? { kind, resourceClass, requested, used, capacity: 0 }
        : { kind, resourceClass, requested, used, capacity: capacityOf(inventory), inventory };
    }
  }
  return undefined;
};
