/**
 * Keeps the TypeScript commands and events of placement identical to the wire: one sample per
 * union member (the mapped types make a missing sample a compile error), each encoded with the
 * `weft.placement.v1` payload codec and decoded back deep-equal. Every field carries a non-default
 * value, so a field misspelt on either side decodes as a default and fails. The other direction
 * (a proto message without a TS type) is `proto/placement.unit.spec.ts`'s list of published names.
 */
import { describe, expect, it } from "vitest";
import { payloadCodec } from "@weft/proto";
import {
  placementCommandTypes,
  placementEventTypes,
  type Inventory,
  type PlacementCommand,
  type PlacementCommandType,
  type PlacementEvent,
  type PlacementEventType,
} from "./index.ts";

type DataOf<U extends { readonly type: string; readonly data: object }, T extends U["type"]> = Extract<U, { readonly type: T }>["data"];

const P = "6d1b5a8e-4a57-4d1e-9d43-1b2c3d4e5f60";
const inventories: ReadonlyArray<Inventory> = [
  { resourceClass: "VCPU", total: 4, reserved: 1, minUnit: 1, maxUnit: 4, stepSize: 1, allocationRatio: 16 },
  // Beyond 2^32, to prove int64 survives as a number.
  { resourceClass: "DISK_GB", total: 8_000_000_000, reserved: 10, minUnit: 2, maxUnit: 1000, stepSize: 2, allocationRatio: 1.5 },
];
const resources = { VCPU: 2, MEMORY_MB: 4096, DISK_GB: 8_000_000_000 };

const commandSamples: { readonly [T in PlacementCommandType]: DataOf<PlacementCommand, T> } = {
  CreateResourceProvider: { providerId: P, name: "compute-1", host: "compute-1", availabilityZone: "az1", traits: ["HW_CPU_X86_AVX2", "CUSTOM_SSD"] },
  SetInventory: { providerId: P, inventories },
  ClaimAllocation: { providerId: P, consumerId: "c", projectId: "p", userId: "u", resources },
  ReleaseAllocation: { providerId: P, consumerId: "c" },
  DeleteResourceProvider: { providerId: P },
};

const eventSamples: { readonly [T in PlacementEventType]: DataOf<PlacementEvent, T> } = {
  ResourceProviderCreated: { providerId: P, name: "compute-1", host: "compute-1", availabilityZone: "az1", traits: ["HW_CPU_X86_AVX2", "CUSTOM_SSD"] },
  InventorySet: { providerId: P, inventories },
  AllocationClaimed: { providerId: P, consumerId: "c", projectId: "p", userId: "u", resources },
  AllocationReleased: { providerId: P, consumerId: "c", resources },
  ResourceProviderDeleted: { providerId: P },
};

const samplesOf = <T extends { readonly type: string; readonly data: object }>(samples: Record<string, object>): ReadonlyArray<T> =>
  Object.entries(samples).map(([type, data]) => ({ type, data }) as unknown as T);

const commands = samplesOf<PlacementCommand>(commandSamples);
const events = samplesOf<PlacementEvent>(eventSamples);

describe("placement payloads on the wire", () => {
  const codec = payloadCodec<PlacementCommand | PlacementEvent>("weft.placement.v1");

  it("have one sample per command and event type", () => {
    expect(commands.map((c) => c.type)).toEqual([...placementCommandTypes]);
    expect(events.map((e) => e.type)).toEqual([...placementEventTypes]);
  });

  it.each([...commands, ...events])("$type round-trips unchanged", (payload) => {
    expect(codec.has(payload.type)).toBe(true);
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });

  it("decodes empty repeated fields and maps as empty, not absent", () => {
    expect(codec.decode("SetInventory", codec.encode({ type: "SetInventory", data: { providerId: P, inventories: [] } })))
      .toEqual({ type: "SetInventory", data: { providerId: P, inventories: [] } });
    expect(codec.decode("AllocationReleased", codec.encode({ type: "AllocationReleased", data: { providerId: P, consumerId: "c", resources: {} } })))
      .toEqual({ type: "AllocationReleased", data: { providerId: P, consumerId: "c", resources: {} } });
  });
});
