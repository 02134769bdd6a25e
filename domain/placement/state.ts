/**
 * A resource provider as `decide` needs it: who it is, its inventory by class, the allocation each
 * consumer holds, and the running usage per class (kept by `evolve`, so a claim checks capacity in
 * O(classes) however many servers the host runs). Allocations are an `immutable` persistent map so
 * folding a busy host's stream stays O(n log n).
 */
import { Map as ImmutableMap } from "immutable";
import type { Resources } from "./commands.ts";
import { amountOf, type Inventories } from "./capacity.ts";
import type { PlacementEvent, ResourceProviderCreated } from "./events.ts";

/** The stream of one provider; Placement's generation is this stream's revision. */
export const resourceProviderStream = (providerId: string): string => `resourceProvider-${providerId}`;

export interface Allocation {
  readonly projectId: string;
  readonly userId: string;
  readonly resources: Resources;
}

export interface NoProvider {
  readonly status: "none";
}

export interface ResourceProvider {
  readonly status: "active";
  readonly providerId: string;
  readonly name: string;
  readonly host: string;
  readonly availabilityZone: string;
  readonly traits: ReadonlyArray<string>;
  readonly inventories: Inventories;
  /** consumer id -> what it holds here. */
  readonly allocations: ImmutableMap<string, Allocation>;
  /** The sum of all allocations per class; a class nobody uses is absent. */
  readonly usage: Resources;
}

/** Deleted providers hold nothing; the same id may be created again (a host re-registering). */
export interface DeletedProvider {
  readonly status: "deleted";
  readonly providerId: string;
}

export type ResourceProviderState = NoProvider | ResourceProvider | DeletedProvider;

export const initialState = (): ResourceProviderState => ({ status: "none" });

/** What the provider has in use per class; nothing for a provider that does not exist. */
export const usageOf = (state: ResourceProviderState): Resources => (state.status === "active" ? state.usage : {});

/** A clean copy without zero amounts, so usage rebuilt from any history compares equal. */
const addResources = (usage: Resources, resources: Resources, sign: 1 | -1): Resources => {
  const next: Record<string, number> = { ...usage };
  for (const resourceClass of Object.keys(resources)) {
    const total = amountOf(next, resourceClass) + sign * amountOf(resources, resourceClass);
    if (total === 0) delete next[resourceClass];
    else next[resourceClass] = total;
  }
  return next;
};

// A creation always starts afresh: after a delete the host may register the same id again.
const created = ({ providerId, name, host, availabilityZone, traits }: ResourceProviderCreated): ResourceProvider => ({
  status: "active", providerId, name, host, availabilityZone, traits,
  inventories: {}, allocations: ImmutableMap(), usage: {},
});

const evolveProvider = (state: ResourceProvider, event: PlacementEvent): ResourceProviderState => {
  switch (event.type) {
    case "ResourceProviderCreated":
      return created(event.data);
    case "InventorySet":
      return { ...state, inventories: Object.fromEntries(event.data.inventories.map((inventory) => [inventory.resourceClass, inventory])) };
    case "AllocationClaimed": {
      const { consumerId, projectId, userId, resources } = event.data;
      const previous = state.allocations.get(consumerId);
      const usage = previous === undefined ? state.usage : addResources(state.usage, previous.resources, -1);
      return {
        ...state,
        allocations: state.allocations.set(consumerId, { projectId, userId, resources }),
        usage: addResources(usage, resources, 1),
      };
    }
    case "AllocationReleased": {
      // The state's own record is what gets subtracted: it is what was added.
      const held = state.allocations.get(event.data.consumerId);
      if (held === undefined) return state;
      return { ...state, allocations: state.allocations.delete(event.data.consumerId), usage: addResources(state.usage, held.resources, -1) };
    }
    case "ResourceProviderDeleted":
      return { status: "deleted", providerId: state.providerId };
    default: {
      // A compile error when an event type has no case; at run time an unknown fact changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
};

/** Total and never throwing: an event other than a creation about a missing provider changes nothing. */
export const evolve = (state: ResourceProviderState, event: PlacementEvent): ResourceProviderState => {
  if (state.status === "active") return evolveProvider(state, event);
  return event.type === "ResourceProviderCreated" ? created(event.data) : state;
};
