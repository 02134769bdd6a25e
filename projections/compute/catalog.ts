/**
 * The compute catalogs besides servers: flavors (by id, by name and in Nova's list order), each
 * user's key pairs, and server groups with their members. Members are not events of the group's
 * own: a server joins with its build request and leaves with its deletion.
 */
import { Map as ImmutableMap, OrderedMap as ImmutableOrderedMap, OrderedSet as ImmutableOrderedSet } from "immutable";
import { uuidOf, type FlavorEvent, type KeypairEvent, type KeypairType, type ServerGroupEvent, type ServerGroupPolicy } from "@weft/domain/compute";
import { insertKey, removeKey, type SortedKeys } from "./sortedKeys.ts";

export interface Flavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
  readonly ephemeralGb: number;
  readonly swapMb: number;
  readonly isPublic: boolean;
  readonly description: string;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

export interface Flavors {
  readonly byId: ImmutableMap<string, Flavor>;
  /** name -> flavor id */
  readonly byName: ImmutableMap<string, string>;
  /** Flavor ids, ascending: Nova lists flavors by `flavorid` as strings ("10" before "2"). */
  readonly order: SortedKeys;
}

export const initialFlavors = (): Flavors => ({ byId: ImmutableMap(), byName: ImmutableMap(), order: null });

const withExtraSpecs = (flavors: Flavors, flavorId: string, change: (specs: Readonly<Record<string, string>>) => Record<string, string>): Flavors => {
  const flavor = flavors.byId.get(flavorId);
  return flavor === undefined ? flavors : { ...flavors, byId: flavors.byId.set(flavorId, { ...flavor, extraSpecs: change(flavor.extraSpecs) }) };
};

/** Total: an event about a flavor the document does not hold changes nothing. */
export const evolveFlavors = (flavors: Flavors, event: FlavorEvent): Flavors => {
  switch (event.type) {
    case "FlavorCreated": {
      const { flavorId, name, vcpus, ramMb, diskGb, ephemeralGb, swapMb, isPublic, description } = event.data;
      const flavor: Flavor = { id: flavorId, name, vcpus, ramMb, diskGb, ephemeralGb, swapMb, isPublic, description, extraSpecs: {} };
      return { byId: flavors.byId.set(flavorId, flavor), byName: flavors.byName.set(name, flavorId), order: insertKey(flavors.order, flavorId) };
    }
    case "FlavorDeleted": {
      const flavor = flavors.byId.get(event.data.flavorId);
      if (flavor === undefined) return flavors;
      const byName = flavors.byName.get(flavor.name) === flavor.id ? flavors.byName.delete(flavor.name) : flavors.byName;
      return { byId: flavors.byId.delete(flavor.id), byName, order: removeKey(flavors.order, flavor.id) };
    }
    case "FlavorExtraSpecsSet":
      return withExtraSpecs(flavors, event.data.flavorId, (specs) => ({ ...specs, ...event.data.extraSpecs }));
    case "FlavorExtraSpecUnset":
      return withExtraSpecs(flavors, event.data.flavorId, ({ [event.data.key]: _gone, ...specs }) => specs);
    default: {
      const _unhandled: never = event;
      return flavors;
    }
  }
};

export interface Keypair {
  readonly name: string;
  readonly userId: string;
  readonly type: KeypairType;
  readonly publicKey: string;
  readonly fingerprint: string;
  /** The time of its KeypairImported. */
  readonly createdAt: string;
}

/**
 * user (in uuid form) -> name -> key pair, in import order: Nova lists key pairs by their row
 * id. Project and user ids key every map here in uuid form (`uuidOf`), as the streams do, so
 * either way of writing one finds the same entry.
 */
export type Keypairs = ImmutableMap<string, ImmutableOrderedMap<string, Keypair>>;

export const evolveKeypairs = (keypairs: Keypairs, event: KeypairEvent, occurredAt: string): Keypairs => {
  const user = uuidOf(event.data.userId);
  const held = keypairs.get(user) ?? ImmutableOrderedMap<string, Keypair>();
  switch (event.type) {
    case "KeypairImported": {
      const { userId, name, type, publicKey, fingerprint } = event.data;
      return keypairs.set(user, held.set(name, { name, userId, type, publicKey, fingerprint, createdAt: occurredAt }));
    }
    case "KeypairDeleted": {
      const rest = held.delete(event.data.name);
      return rest.isEmpty() ? keypairs.delete(user) : keypairs.set(user, rest);
    }
    default: {
      const _unhandled: never = event;
      return keypairs;
    }
  }
};

export interface ServerGroup {
  readonly id: string;
  readonly name: string;
  readonly policy: ServerGroupPolicy;
  /** Nova's `rules.max_server_per_host`; 0 when not set. */
  readonly maxServerPerHost: number;
  readonly projectId: string;
  readonly userId: string;
  /** Server ids in the order they joined. Bounded by the server_group_members quota, so a plain array. */
  readonly members: ReadonlyArray<string>;
}

export interface ServerGroups {
  /** In creation order, Nova's list order (by row id) when listing every project's. */
  readonly byId: ImmutableOrderedMap<string, ServerGroup>;
  /** project (uuid form) -> its group ids in creation order. */
  readonly byProject: ImmutableMap<string, ImmutableOrderedSet<string>>;
}

export const initialServerGroups = (): ServerGroups => ({ byId: ImmutableOrderedMap(), byProject: ImmutableMap() });

export const evolveServerGroups = (groups: ServerGroups, event: ServerGroupEvent): ServerGroups => {
  switch (event.type) {
    case "ServerGroupCreated": {
      const { groupId, name, policy, maxServerPerHost, projectId, userId } = event.data;
      if (groups.byId.has(groupId)) return groups;
      const project = uuidOf(projectId);
      return {
        byId: groups.byId.set(groupId, { id: groupId, name, policy, maxServerPerHost, projectId, userId, members: [] }),
        byProject: groups.byProject.set(project, (groups.byProject.get(project) ?? ImmutableOrderedSet<string>()).add(groupId)),
      };
    }
    case "ServerGroupDeleted": {
      const group = groups.byId.get(event.data.groupId);
      if (group === undefined) return groups;
      const project = uuidOf(group.projectId);
      const rest = (groups.byProject.get(project) ?? ImmutableOrderedSet<string>()).delete(group.id);
      return { byId: groups.byId.delete(group.id), byProject: rest.isEmpty() ? groups.byProject.delete(project) : groups.byProject.set(project, rest) };
    }
    default: {
      const _unhandled: never = event;
      return groups;
    }
  }
};

const withMembers = (groups: ServerGroups, groupId: string, change: (members: ReadonlyArray<string>) => ReadonlyArray<string>): ServerGroups => {
  const group = groups.byId.get(groupId);
  if (group === undefined) return groups;
  const members = change(group.members);
  return members === group.members ? groups : { ...groups, byId: groups.byId.set(groupId, { ...group, members }) };
};

/** A server built into a group joins it; a group deleted first (the gateway checked it existed) is not brought back. */
export const withMember = (groups: ServerGroups, groupId: string, serverId: string): ServerGroups =>
  withMembers(groups, groupId, (members) => (members.includes(serverId) ? members : [...members, serverId]));

export const withoutMember = (groups: ServerGroups, groupId: string, serverId: string): ServerGroups =>
  withMembers(groups, groupId, (members) => (members.includes(serverId) ? members.filter((member) => member !== serverId) : members));
