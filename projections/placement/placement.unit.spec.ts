import { describe, expect, it } from "vitest";
import { isRejection } from "@weft/domain/shared";
import { resourceProviderDecider, selectHosts, type PlacementCommand, type PlacementEvent } from "@weft/domain/placement";
import { foldProjected, initialProjected, type ProjectedEvent } from "../shared/index.ts";
import { getProvider, listProviders, placementFromSnapshot, placementProjection, placementToSnapshot, schedulingCandidates } from "./index.ts";

const inventory = (resourceClass: string, total: number, allocationRatio = 1) => ({
  resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio,
});

/** Runs commands through the real decider, per provider, and numbers the events as $all would. */
const eventsOf = (commands: ReadonlyArray<PlacementCommand>): Array<ProjectedEvent<PlacementEvent>> => {
  const states = new Map<string, ReturnType<typeof resourceProviderDecider.initialState>>();
  const out: Array<ProjectedEvent<PlacementEvent>> = [];
  for (const command of commands) {
    const id = command.data.providerId;
    const state = states.get(id) ?? resourceProviderDecider.initialState();
    const decision = resourceProviderDecider.decide(command, state);
    if (isRejection(decision)) throw new Error(`${command.type}: ${decision.message}`);
    states.set(id, decision.reduce(resourceProviderDecider.evolve, state));
    for (const event of decision) {
      out.push({ event, stream: `resourceProvider-${id}`, position: out.length + 1, occurredAt: `2026-11-22T00:00:${String(out.length).padStart(2, "0")}.000Z` });
    }
  }
  return out;
};

const host = (providerId: string, name: string, vcpus: number, ramMb: number): Array<PlacementCommand> => [
  { type: "CreateResourceProvider", data: { providerId, name, host: name, availabilityZone: "nova", traits: [] } },
  { type: "SetInventory", data: { providerId, inventories: [inventory("VCPU", vcpus, 4), inventory("MEMORY_MB", ramMb), inventory("DISK_GB", 100)] } },
];

const claim = (providerId: string, consumerId: string, vcpus: number, ramMb: number): PlacementCommand => ({
  type: "ClaimAllocation",
  data: { providerId, consumerId, projectId: "p", userId: "u", resources: { VCPU: vcpus, MEMORY_MB: ramMb, DISK_GB: 1 } },
});

const fold = (events: ReadonlyArray<ProjectedEvent<PlacementEvent>>) =>
  events.reduce((state, event) => foldProjected(placementProjection, state, event), initialProjected(placementProjection));

const P1 = "11111111-1111-4111-8111-111111111111";
const P2 = "22222222-2222-4222-8222-222222222222";

describe("placement read model", () => {
  const events = eventsOf([...host(P1, "compute-1", 4, 8192), ...host(P2, "compute-2", 8, 4096), claim(P1, "vm-a", 2, 2048), claim(P1, "vm-b", 1, 1024)]);

  it("holds each provider's inventory, usage, allocations and generation", () => {
    const { doc } = fold(events);
    const one = getProvider(doc, P1)!;
    expect(one.provider.usage).toEqual({ VCPU: 3, MEMORY_MB: 3072, DISK_GB: 2 });
    expect([...one.provider.allocations.keys()].sort()).toEqual(["vm-a", "vm-b"]);
    expect(one.generation).toBe(3);
    expect(listProviders(doc).map((record) => record.provider.name)).toEqual(["compute-1", "compute-2"]);
    expect(listProviders(doc, { name: "compute-2" }).map((record) => record.provider.providerId)).toEqual([P2]);
  });

  it("is unchanged by a duplicate delivery", () => {
    const once = fold(events);
    const twice = fold([...events, ...events]);
    expect(placementToSnapshot(twice.doc)).toEqual(placementToSnapshot(once.doc));
    expect(twice.position).toBe(once.position);
  });

  it("forgets released allocations and deleted providers", () => {
    const more = eventsOf([
      ...host(P1, "compute-1", 4, 8192),
      claim(P1, "vm-a", 2, 2048),
      { type: "ReleaseAllocation", data: { providerId: P1, consumerId: "vm-a" } },
      ...host(P2, "compute-2", 8, 4096),
      { type: "DeleteResourceProvider", data: { providerId: P2 } },
    ]);
    const { doc } = fold(more);
    expect(getProvider(doc, P1)!.provider.usage).toEqual({});
    expect(getProvider(doc, P2)).toBeUndefined();
  });

  it("gives the scheduler candidates it ranks by free RAM, skipping hosts that are down", () => {
    const { doc } = fold(events);
    const request = { resources: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 1 } };
    // compute-1 has 8192 - 3072 = 5120 MB free, compute-2 4096 MB.
    expect(selectHosts(schedulingCandidates(doc, () => true, () => 0), request).map((candidate) => candidate.host)).toEqual(["compute-1", "compute-2"]);
    expect(selectHosts(schedulingCandidates(doc, (name) => name !== "compute-1", () => 0), request).map((candidate) => candidate.host)).toEqual(["compute-2"]);
  });

  it("survives a snapshot round trip", () => {
    const { doc } = fold(events);
    const restored = placementFromSnapshot(JSON.parse(JSON.stringify(placementToSnapshot(doc))));
    expect(placementToSnapshot(restored)).toEqual(placementToSnapshot(doc));
    expect(getProvider(restored, P1)!.provider.allocations.get("vm-a")?.resources).toEqual({ VCPU: 2, MEMORY_MB: 2048, DISK_GB: 1 });
  });
});
