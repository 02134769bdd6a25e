/**
 * What the scheduler knows of the cloud, folded from `$all` in order: every resource provider as
 * the placement decider itself folds it (one fold with the write side, so the scheduler and the
 * claims agree on usage), each server group's policy with how many members run on which host,
 * and the group and host of each member. Persistent maps, so an event costs O(log n) and never
 * copies the thousand providers; a decision builds its candidates in one pass.
 */
import { Map as ImmutableMap } from "immutable";
import type { ServerBuildRequested, ServerEvent, ServerGroupEvent, ServerGroupPolicy, ServerScheduled } from "../compute/index.ts";
import {
  placementEventTypes,
  type Allocation,
  type AllocationClaimed,
  resourceProviderDecider,
  selectHosts,
  type Candidate,
  type GroupRequest,
  type PlacementEvent,
  type Resources,
  type ResourceProvider,
  type SchedulingRequest,
} from "../placement/index.ts";

export type SchedulerEvent = PlacementEvent | ServerEvent | ServerGroupEvent;

/** The event types the view changes on; the scheduler reacts to a few more. */
export const schedulerViewEventTypes = [
  "ResourceProviderCreated",
  "InventorySet",
  "AllocationClaimed",
  "AllocationReleased",
  "ResourceProviderDeleted",
  "ServerGroupCreated",
  "ServerGroupDeleted",
  "ServerBuildRequested",
  "ServerScheduled",
  "ServerDeleted",
] as const satisfies ReadonlyArray<SchedulerEvent["type"]>;

/** A server in a group; servers in none need no record, as nothing in a decision depends on them. */
export interface MemberRecord {
  readonly groupId: string;
  /** Empty until scheduled. */
  readonly host: string;
}

export interface GroupRecord {
  readonly policy: ServerGroupPolicy;
  /** 0 when the group has no `max_server_per_host` rule. */
  readonly maxServerPerHost: number;
  /** host -> members scheduled there; a host with none is absent. */
  readonly membersOn: ImmutableMap<string, number>;
}

export interface ProviderEntry {
  readonly provider: ResourceProvider;
  /**
   * The provider as the candidate of an up host outside any group, built once per change to the
   * provider and shared by every decision until the next, so deciding allocates little.
   */
  readonly candidate: Candidate;
}

export interface SchedulerView {
  /** Active providers only. */
  readonly providers: ImmutableMap<string, ProviderEntry>;
  /** Group members from their build request until their deletion, by server id. */
  readonly members: ImmutableMap<string, MemberRecord>;
  readonly groups: ImmutableMap<string, GroupRecord>;
}

export const initialSchedulerView = (): SchedulerView => ({ providers: ImmutableMap(), members: ImmutableMap(), groups: ImmutableMap() });

const candidateOf = (provider: ResourceProvider, up: boolean, serversOfGroup: number): Candidate => ({
  providerId: provider.providerId,
  host: provider.host,
  availabilityZone: provider.availabilityZone,
  traits: provider.traits,
  inventories: provider.inventories,
  usage: provider.usage,
  serversOfGroup,
  up,
});

const countOn = (group: GroupRecord, host: string, delta: 1 | -1): GroupRecord => {
  const count = (group.membersOn.get(host) ?? 0) + delta;
  return { ...group, membersOn: count > 0 ? group.membersOn.set(host, count) : group.membersOn.delete(host) };
};

const moveMember = (view: SchedulerView, groupId: string, from: string, to: string): SchedulerView["groups"] => {
  const group = view.groups.get(groupId);
  if (group === undefined) return view.groups;
  let moved = group;
  if (from !== "") moved = countOn(moved, from, -1);
  if (to !== "") moved = countOn(moved, to, 1);
  return view.groups.set(groupId, moved);
};

const evolveProviders = (view: SchedulerView, event: PlacementEvent): SchedulerView => {
  const { providerId } = event.data;
  const before = view.providers.get(providerId)?.provider;
  const after = resourceProviderDecider.evolve(before ?? resourceProviderDecider.initialState(), event);
  if (after === before) return view;
  const providers = after.status === "active"
    ? view.providers.set(providerId, { provider: after, candidate: candidateOf(after, true, 0) })
    : view.providers.delete(providerId);
  return { ...view, providers };
};

const evolveServers = (view: SchedulerView, event: ServerEvent | ServerGroupEvent): SchedulerView => {
  switch (event.type) {
    case "ServerGroupCreated": {
      const { groupId, policy, maxServerPerHost } = event.data;
      if (view.groups.has(groupId)) return view;
      return { ...view, groups: view.groups.set(groupId, { policy, maxServerPerHost, membersOn: ImmutableMap() }) };
    }
    case "ServerGroupDeleted":
      return view.groups.has(event.data.groupId) ? { ...view, groups: view.groups.delete(event.data.groupId) } : view;
    case "ServerBuildRequested": {
      const { serverId, serverGroupId } = event.data;
      if (serverGroupId === "" || view.members.has(serverId)) return view;
      return { ...view, members: view.members.set(serverId, { groupId: serverGroupId, host: "" }) };
    }
    case "ServerScheduled": {
      const { serverId, host } = event.data;
      const member = view.members.get(serverId);
      // A repeat (the scheduler's own foresight, then the recorded fact) changes nothing.
      if (member === undefined || member.host === host) return view;
      return {
        ...view,
        members: view.members.set(serverId, { ...member, host }),
        groups: moveMember(view, member.groupId, member.host, host),
      };
    }
    case "ServerDeleted": {
      const member = view.members.get(event.data.serverId);
      if (member === undefined) return view;
      return { ...view, members: view.members.delete(event.data.serverId), groups: moveMember(view, member.groupId, member.host, "") };
    }
    default:
      return view;
  }
};

const placementTypes: ReadonlySet<string> = new Set(placementEventTypes);

const isPlacementEvent = (event: SchedulerEvent): event is PlacementEvent => placementTypes.has(event.type);

/** Total and never throwing; an event folded twice in a row changes nothing more than once. */
export const evolveSchedulerView = (view: SchedulerView, event: SchedulerEvent): SchedulerView =>
  isPlacementEvent(event) ? evolveProviders(view, event) : evolveServers(view, event);

/** The view as plain data (structured clone carries it to another thread): every map as its entries. */
export interface SchedulerViewData {
  readonly providers: ReadonlyArray<Omit<ResourceProvider, "allocations"> & { readonly allocations: ReadonlyArray<readonly [string, Allocation]> }>;
  readonly members: ReadonlyArray<readonly [string, MemberRecord]>;
  readonly groups: ReadonlyArray<readonly [string, Omit<GroupRecord, "membersOn"> & { readonly membersOn: ReadonlyArray<readonly [string, number]> }]>;
}

export const schedulerViewToData = (view: SchedulerView): SchedulerViewData => ({
  providers: [...view.providers.values()].map(({ provider }) => ({ ...provider, allocations: [...provider.allocations] })),
  members: [...view.members],
  groups: [...view.groups].map(([groupId, group]) => [groupId, { ...group, membersOn: [...group.membersOn] }]),
});

/** The view `schedulerViewToData` was given: the same entries, each candidate built as the fold builds it. */
export const schedulerViewFromData = (data: SchedulerViewData): SchedulerView => ({
  providers: ImmutableMap(data.providers.map((entry): [string, ProviderEntry] => {
    const provider: ResourceProvider = { ...entry, allocations: ImmutableMap(entry.allocations) };
    return [provider.providerId, { provider, candidate: candidateOf(provider, true, 0) }];
  })),
  members: ImmutableMap(data.members),
  groups: ImmutableMap(data.groups.map(([groupId, group]): [string, GroupRecord] => [groupId, { ...group, membersOn: ImmutableMap(group.membersOn) }])),
});

/**
 * What a flavor asks of placement: root plus ephemeral disk. Swap is not claimed: Nova adds it to
 * DISK_GB in whole GB, Weft does not (yet), so a flavor's swap never decides where it fits.
 */
export const flavorResources = ({ flavor }: ServerBuildRequested): SchedulingRequest["resources"] => ({
  VCPU: flavor.vcpus,
  MEMORY_MB: flavor.ramMb,
  DISK_GB: flavor.diskGb + flavor.ephemeralGb,
});

/** The amounts to claim: a zero amount is not requested, and placement refuses to record one. */
export const claimResources = (resources: SchedulingRequest["resources"]): Resources =>
  Object.fromEntries(Object.entries(resources).filter(([, amount]) => amount > 0));

const groupRequestOf = (group: GroupRecord | undefined): GroupRequest | undefined =>
  group === undefined
    ? undefined
    : {
        policy: group.policy,
        hostsWithMembers: new Set(group.membersOn.keys()),
        ...(group.maxServerPerHost > 0 ? { maxServerPerHost: group.maxServerPerHost } : {}),
      };

/** A build as the filters and weighers read it: flavor resources, zone, extra specs, group. */
export const schedulingRequestOf = (view: SchedulerView, build: ServerBuildRequested): SchedulingRequest => {
  const group = groupRequestOf(build.serverGroupId === "" ? undefined : view.groups.get(build.serverGroupId));
  return {
    resources: flavorResources(build),
    availabilityZone: build.availabilityZone,
    extraSpecs: build.flavor.extraSpecs,
    ...(group === undefined ? {} : { group }),
  };
};

/** Every active provider as a scheduling candidate; liveness is not in the log, so it is asked. */
export const candidatesOf = (view: SchedulerView, isUp: (host: string) => boolean, groupId = ""): Array<Candidate> => {
  const membersOn = groupId === "" ? undefined : view.groups.get(groupId)?.membersOn;
  const candidates: Array<Candidate> = [];
  for (const { provider, candidate } of view.providers.values()) {
    const up = isUp(provider.host);
    const serversOfGroup = membersOn?.get(provider.host) ?? 0;
    candidates.push(up && serversOfGroup === 0 ? candidate : candidateOf(provider, up, serversOfGroup));
  }
  return candidates;
};

/** The providers holding an allocation of `consumerId`: one scan, tens of microseconds for a thousand. */
export const providersHolding = (view: SchedulerView, consumerId: string): Array<string> => {
  const holding: Array<string> = [];
  for (const { provider } of view.providers.values()) if (provider.allocations.has(consumerId)) holding.push(provider.providerId);
  return holding;
};

/**
 * The place a build holds while its claim and its schedule are under way, before either is
 * recorded: what the builds decided at the same time must count as taken.
 */
export interface HeldPlace {
  readonly claim: AllocationClaimed;
  readonly placement: ServerScheduled;
}

/**
 * The view as if every held place were claimed and scheduled already, so builds decided while
 * others are under way neither count the same room twice nor put two members of an
 * anti-affinity group on one host. A held claim the view has folded already changes nothing.
 */
export const withHeldPlaces = (view: SchedulerView, held: Iterable<HeldPlace>): SchedulerView => {
  let seen = view;
  for (const { claim, placement } of held) {
    seen = evolveSchedulerView(seen, { type: "AllocationClaimed", data: claim });
    seen = evolveSchedulerView(seen, { type: "ServerScheduled", data: placement });
  }
  return seen;
};

export interface PlacementPlan {
  readonly request: SchedulingRequest;
  /** The hosts to claim on, in order; empty: no valid host. */
  readonly hosts: ReadonlyArray<Candidate>;
}

/**
 * The hosts to try for a build, best first. A provider that already holds the server's
 * allocation (a claim made before a crash or a failed reply) comes first whatever the filters
 * say, since its usage counts the server itself: re-claiming there is idempotent, and claiming
 * anywhere else would leave that allocation behind.
 */
export const placeServer = (view: SchedulerView, build: ServerBuildRequested, isUp: (host: string) => boolean): PlacementPlan => {
  const request = schedulingRequestOf(view, build);
  const ranked = selectHosts(candidatesOf(view, isUp, build.serverGroupId), request);
  const [holderId] = providersHolding(view, build.serverId);
  const holder = holderId === undefined ? undefined : view.providers.get(holderId)?.provider;
  if (holder === undefined) return { request, hosts: ranked };
  const serversOfGroup = view.groups.get(build.serverGroupId)?.membersOn.get(holder.host) ?? 0;
  return { request, hosts: [candidateOf(holder, true, serversOfGroup), ...ranked.filter((host) => host.providerId !== holderId)] };
};
