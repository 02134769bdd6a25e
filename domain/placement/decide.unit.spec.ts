/**
 * A resource provider's rules, one given/when/then per rule: creation, inventory validation and
 * replacement, capacity arithmetic (reserved, allocation ratio, unit constraints), idempotent
 * claims and releases, and deletion only when nothing is allocated.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../shared/index.ts";
import {
  capacityOf,
  evolve,
  fits,
  initialState,
  placementCommandTypes,
  resourceProviderDecider,
  resourceProviderStream,
  usageOf,
  type Inventory,
  type PlacementCommand,
  type PlacementEvent,
  type Resources,
} from "./index.ts";

const spec = deciderSpecification(resourceProviderDecider);
const P = "6d1b5a8e-4a57-4d1e-9d43-1b2c3d4e5f60";

// Builders keep the proto field order: the specification compares events as JSON.
const inventory = (resourceClass: string, total: number, overrides: Partial<Inventory> = {}): Inventory =>
  ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio: 1, ...overrides });
const created: PlacementEvent = {
  type: "ResourceProviderCreated",
  data: { providerId: P, name: "compute-1", host: "compute-1", availabilityZone: "nova", traits: ["HW_CPU_X86_AVX2"] },
};
const inventorySet = (...inventories: ReadonlyArray<Inventory>): PlacementEvent => ({ type: "InventorySet", data: { providerId: P, inventories } });
const claimed = (consumerId: string, resources: Resources, projectId = "proj", userId = "user"): PlacementEvent =>
  ({ type: "AllocationClaimed", data: { providerId: P, consumerId, projectId, userId, resources } });
const released = (consumerId: string, resources: Resources): PlacementEvent =>
  ({ type: "AllocationReleased", data: { providerId: P, consumerId, resources } });
const deleted: PlacementEvent = { type: "ResourceProviderDeleted", data: { providerId: P } };

const create = (traits: ReadonlyArray<string> = ["HW_CPU_X86_AVX2"]): PlacementCommand =>
  ({ type: "CreateResourceProvider", data: { providerId: P, name: "compute-1", host: "compute-1", availabilityZone: "nova", traits } });
const setInventory = (...inventories: ReadonlyArray<Inventory>): PlacementCommand => ({ type: "SetInventory", data: { providerId: P, inventories } });
const claim = (consumerId: string, resources: Resources, projectId = "proj", userId = "user"): PlacementCommand =>
  ({ type: "ClaimAllocation", data: { providerId: P, consumerId, projectId, userId, resources } });
const release = (consumerId: string): PlacementCommand => ({ type: "ReleaseAllocation", data: { providerId: P, consumerId } });
const deleteProvider: PlacementCommand = { type: "DeleteResourceProvider", data: { providerId: P } };

/** A host of 8 VCPU (ratio 1), 16 GB RAM and 100 GB disk. */
const host = [created, inventorySet(inventory("VCPU", 8), inventory("MEMORY_MB", 16384), inventory("DISK_GB", 100))];
const stateOf = (events: ReadonlyArray<PlacementEvent>) => events.reduce(evolve, initialState());

describe("CreateResourceProvider", () => {
  it("creates the provider", () => spec.given([]).when(create()).then([created]));
  it("records a repeated trait once", () =>
    spec.given([]).when(create(["HW_CPU_X86_AVX2", "HW_CPU_X86_AVX2"])).then([created]));
  it("refuses an id in use", () => spec.given([created]).when(create()).thenRejects("ResourceProviderExists"));
  it("creates a deleted provider's id afresh, without its old inventory", () => {
    spec.given([...host, deleted]).when(create()).then([created]);
    expect(stateOf([...host, deleted, created])).toMatchObject({ status: "active", inventories: {} });
  });
  it("names its stream by the provider id", () => expect(resourceProviderStream(P)).toBe(`resourceProvider-${P}`));
});

describe("every command but create and release needs a provider", () => {
  const commands: ReadonlyArray<PlacementCommand> = [setInventory(inventory("VCPU", 8)), claim("c1", { VCPU: 1 }), deleteProvider];
  it("covers every such command", () =>
    expect(new Set(commands.map((c) => c.type)))
      .toEqual(new Set(placementCommandTypes.filter((t) => t !== "CreateResourceProvider" && t !== "ReleaseAllocation"))));
  it.each(commands)("refuses $type before creation", (command) => spec.given([]).when(command).thenRejects("ResourceProviderNotFound"));
  it.each(commands)("refuses $type after deletion", (command) => spec.given([created, deleted]).when(command).thenRejects("ResourceProviderNotFound"));
});

describe("SetInventory", () => {
  it("records the inventory", () =>
    spec.given([created]).when(setInventory(inventory("VCPU", 8), inventory("MEMORY_MB", 16384)))
      .then([inventorySet(inventory("VCPU", 8), inventory("MEMORY_MB", 16384))]));
  it("accepts reserved equal to total", () =>
    spec.given([created]).when(setInventory(inventory("VCPU", 8, { reserved: 8 }))).then([inventorySet(inventory("VCPU", 8, { reserved: 8 }))]));
  it("accepts custom resource classes", () =>
    spec.given([created]).when(setInventory(inventory("CUSTOM_GPU_A100", 2))).then([inventorySet(inventory("CUSTOM_GPU_A100", 2))]));
  it("accepts an identical inventory as a no-op", () =>
    spec.given(host).when(setInventory(inventory("VCPU", 8), inventory("MEMORY_MB", 16384), inventory("DISK_GB", 100))).then([]));
  it("replaces the whole set: a class left out is gone", () => {
    spec.given(host).when(setInventory(inventory("VCPU", 8))).then([inventorySet(inventory("VCPU", 8))]);
    spec.given([...host, inventorySet(inventory("VCPU", 8))]).when(claim("c1", { MEMORY_MB: 512 })).thenRejects("InsufficientCapacity");
  });

  it.each([
    ["resource_class", inventory("vcpu", 8)],
    ["total", inventory("VCPU", 0)],
    ["total", inventory("VCPU", 1.5)],
    ["reserved", inventory("VCPU", 8, { reserved: 9 })],
    ["reserved", inventory("VCPU", 8, { reserved: -1 })],
    ["min_unit", inventory("VCPU", 8, { minUnit: 0 })],
    ["max_unit", inventory("VCPU", 8, { minUnit: 4, maxUnit: 2 })],
    ["step_size", inventory("VCPU", 8, { stepSize: 0 })],
    ["allocation_ratio", inventory("VCPU", 8, { allocationRatio: 0 })],
    ["allocation_ratio", inventory("VCPU", 8, { allocationRatio: -1 })],
  ] as const)("refuses an invalid %s", (field, bad) => {
    spec.given([created]).when(setInventory(inventory("MEMORY_MB", 1024), bad)).thenRejects("InvalidInventory");
    expect(resourceProviderDecider.decide(setInventory(bad), stateOf([created]))).toMatchObject({ message: expect.stringContaining(`${field} `) });
  });
  it("refuses a class listed twice", () =>
    spec.given([created]).when(setInventory(inventory("VCPU", 8), inventory("VCPU", 4))).thenRejects("InvalidInventory"));

  it("refuses a capacity below current usage (Placement's 409)", () =>
    spec.given([...host, claimed("c1", { VCPU: 6 })]).when(setInventory(inventory("VCPU", 4), inventory("MEMORY_MB", 16384), inventory("DISK_GB", 100)))
      .thenRejects("InventoryInUse"));
  it("refuses removing a class in use", () =>
    spec.given([...host, claimed("c1", { MEMORY_MB: 512 })]).when(setInventory(inventory("VCPU", 8))).thenRejects("InventoryInUse"));
  it("names the classes in use", () =>
    expect(resourceProviderDecider.decide(setInventory(inventory("VCPU", 8)), stateOf([...host, claimed("c1", { MEMORY_MB: 512, DISK_GB: 10 })])))
      .toEqual({ _tag: "InventoryInUse", message: expect.stringContaining("'MEMORY_MB, DISK_GB'") }));
  it("accepts a smaller capacity that still holds what is used", () =>
    spec.given([...host, claimed("c1", { VCPU: 4 })]).when(setInventory(inventory("VCPU", 4))).then([inventorySet(inventory("VCPU", 4))]));
  it("counts the allocation ratio in the new capacity", () =>
    spec.given([...host, claimed("c1", { VCPU: 6 })]).when(setInventory(inventory("VCPU", 4, { allocationRatio: 2 })))
      .then([inventorySet(inventory("VCPU", 4, { allocationRatio: 2 }))]));
});

describe("ClaimAllocation", () => {
  it("claims what fits", () =>
    spec.given(host).when(claim("c1", { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 })).then([claimed("c1", { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 })]));
  it("refuses the second of two claims that together exceed capacity", () => {
    spec.given([...host, claimed("c1", { VCPU: 6 })]).when(claim("c2", { VCPU: 2 })).then([claimed("c2", { VCPU: 2 })]);
    spec.given([...host, claimed("c1", { VCPU: 6 })]).when(claim("c2", { VCPU: 3 })).thenRejects("InsufficientCapacity");
  });
  it("refuses the whole claim when one class does not fit", () =>
    spec.given(host).when(claim("c1", { VCPU: 1, MEMORY_MB: 16385 })).thenRejects("InsufficientCapacity"));
  it("names class, requested, used and capacity", () =>
    expect(resourceProviderDecider.decide(claim("c2", { VCPU: 3 }), stateOf([...host, claimed("c1", { VCPU: 6 })]))).toEqual({
      _tag: "InsufficientCapacity",
      message: `Unable to create allocation for 'VCPU' on resource provider '${P}'. The requested amount would exceed the capacity ` +
        "(requested 3, used 6, capacity 8).",
    }));

  const overcommitted = [created, inventorySet(inventory("VCPU", 4, { maxUnit: 64, allocationRatio: 16 }))];
  it("multiplies by the allocation ratio: 4 VCPU at 16.0 hold 64", () => {
    expect(capacityOf(inventory("VCPU", 4, { allocationRatio: 16 }))).toBe(64);
    spec.given([...overcommitted, claimed("c1", { VCPU: 32 })]).when(claim("c2", { VCPU: 32 })).then([claimed("c2", { VCPU: 32 })]);
    spec.given([...overcommitted, claimed("c1", { VCPU: 32 }), claimed("c2", { VCPU: 32 })]).when(claim("c3", { VCPU: 1 })).thenRejects("InsufficientCapacity");
  });
  it("floors a fractional capacity: 3 at 1.5 hold 4", () => {
    const fractional = [created, inventorySet(inventory("MEMORY_MB", 3, { maxUnit: 5, allocationRatio: 1.5 }))];
    spec.given(fractional).when(claim("c1", { MEMORY_MB: 4 })).then([claimed("c1", { MEMORY_MB: 4 })]);
    spec.given(fractional).when(claim("c1", { MEMORY_MB: 5 })).thenRejects("InsufficientCapacity");
  });
  it("keeps reserved out of reach: 8 with 2 reserved hold 6", () => {
    const reserved = [created, inventorySet(inventory("VCPU", 8, { reserved: 2 }))];
    spec.given(reserved).when(claim("c1", { VCPU: 6 })).then([claimed("c1", { VCPU: 6 })]);
    spec.given(reserved).when(claim("c1", { VCPU: 7 })).thenRejects("InsufficientCapacity");
  });
  it("applies reserved before the ratio: (8 - 2) x 2 = 12", () => {
    const both = [created, inventorySet(inventory("VCPU", 8, { reserved: 2, maxUnit: 16, allocationRatio: 2 }))];
    spec.given(both).when(claim("c1", { VCPU: 12 })).then([claimed("c1", { VCPU: 12 })]);
    spec.given(both).when(claim("c1", { VCPU: 13 })).thenRejects("InsufficientCapacity");
  });
  it("takes only multiples of step_size", () => {
    const stepped = [created, inventorySet(inventory("DISK_GB", 100, { stepSize: 10 }))];
    spec.given(stepped).when(claim("c1", { DISK_GB: 20 })).then([claimed("c1", { DISK_GB: 20 })]);
    spec.given(stepped).when(claim("c1", { DISK_GB: 25 })).thenRejects("InsufficientCapacity");
  });
  it("holds each allocation between min_unit and max_unit", () => {
    const bounded = [created, inventorySet(inventory("VCPU", 8, { minUnit: 2, maxUnit: 4 }))];
    spec.given(bounded).when(claim("c1", { VCPU: 1 })).thenRejects("InsufficientCapacity");
    spec.given(bounded).when(claim("c1", { VCPU: 5 })).thenRejects("InsufficientCapacity");
    spec.given(bounded).when(claim("c1", { VCPU: 4 })).then([claimed("c1", { VCPU: 4 })]);
  });
  it("refuses a class the provider has no inventory of", () =>
    spec.given(host).when(claim("c1", { VCPU: 1, CUSTOM_GPU: 1 })).thenRejects("InsufficientCapacity"));
  it("refuses a class named like an Object member", () =>
    spec.given(host).when(claim("c1", { constructor: 1 })).thenRejects("InsufficientCapacity"));

  it("accepts an identical retry as a no-op, without counting it twice", () =>
    spec.given([...host, claimed("c1", { VCPU: 8 })]).when(claim("c1", { VCPU: 8 })).then([]));
  it("accepts an identical retry whatever the order of classes", () =>
    spec.given([...host, claimed("c1", { VCPU: 1, MEMORY_MB: 512 })]).when(claim("c1", { MEMORY_MB: 512, VCPU: 1 })).then([]));
  it.each([
    ["other amounts", claim("c1", { VCPU: 2 })],
    ["other classes", claim("c1", { VCPU: 1, DISK_GB: 1 })],
    ["another project", claim("c1", { VCPU: 1 }, "proj-2")],
    ["another user", claim("c1", { VCPU: 1 }, "proj", "user-2")],
  ])("refuses a second claim for the consumer with %s", (_, command) =>
    spec.given([...host, claimed("c1", { VCPU: 1 })]).when(command).thenRejects("AllocationConflict"));

  it.each([
    ["no resources", {}],
    ["a zero amount", { VCPU: 1, DISK_GB: 0 }],
    ["a negative amount", { VCPU: -1 }],
    ["a fractional amount", { VCPU: 0.5 }],
  ])("refuses %s", (_, resources) => spec.given(host).when(claim("c1", resources)).thenRejects("InvalidAllocation"));

  it("claims again what a release freed", () =>
    spec.given([...host, claimed("c1", { VCPU: 8 }), released("c1", { VCPU: 8 })]).when(claim("c2", { VCPU: 8 })).then([claimed("c2", { VCPU: 8 })]));
});

describe("ReleaseAllocation", () => {
  it("releases what the consumer holds", () =>
    spec.given([...host, claimed("c1", { VCPU: 2, MEMORY_MB: 512 })]).when(release("c1")).then([released("c1", { VCPU: 2, MEMORY_MB: 512 })]));
  it("accepts an unknown consumer as a no-op", () => spec.given(host).when(release("c1")).then([]));
  it("accepts a second release as a no-op", () =>
    spec.given([...host, claimed("c1", { VCPU: 2 }), released("c1", { VCPU: 2 })]).when(release("c1")).then([]));
  it("accepts a release on a deleted provider as a no-op", () => spec.given([...host, deleted]).when(release("c1")).then([]));
  it("refuses a provider that never existed", () => spec.given([]).when(release("c1")).thenRejects("ResourceProviderNotFound"));
});

describe("DeleteResourceProvider", () => {
  it("deletes an unused provider", () => spec.given(host).when(deleteProvider).then([deleted]));
  it("refuses while allocations remain", () =>
    spec.given([...host, claimed("c1", { VCPU: 1 })]).when(deleteProvider).thenRejects("ResourceProviderInUse"));
  it("deletes once the allocations are released", () =>
    spec.given([...host, claimed("c1", { VCPU: 1 }), released("c1", { VCPU: 1 })]).when(deleteProvider).then([deleted]));
});

describe("usage and fit", () => {
  it("sums allocations per class and forgets released ones", () =>
    expect(usageOf(stateOf([...host, claimed("c1", { VCPU: 2, MEMORY_MB: 512 }), claimed("c2", { VCPU: 1 }), released("c1", { VCPU: 2, MEMORY_MB: 512 })])))
      .toEqual({ VCPU: 1 }));
  it("is empty for a missing provider", () => expect(usageOf(initialState())).toEqual({}));
  it("ignores events about a provider that does not exist", () =>
    expect(stateOf([claimed("c1", { VCPU: 1 }), inventorySet(inventory("VCPU", 1))])).toEqual(initialState()));
  it("tells whether a request fits beside current usage, a zero amount meaning not requested", () => {
    const provider = stateOf([...host, claimed("c1", { VCPU: 6 })]);
    if (provider.status !== "active") throw new Error("expected a provider");
    expect(fits(provider, { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 0 })).toBe(true);
    expect(fits(provider, { VCPU: 3 })).toBe(false);
    expect(fits(provider, { CUSTOM_GPU: 1 })).toBe(false);
  });
});
