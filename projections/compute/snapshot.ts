/**
 * The compute document as plain data for msgpack (and JSON): entities as arrays in the order
 * their collections keep, the sorted indexes and name and project indexes left out and rebuilt
 * on load (the indexes' shape depends only on their keys, so the rebuilt document is deep-equal
 * to the folded one). Changing this shape means bumping the projection's version.
 */
import { Map as ImmutableMap, OrderedMap as ImmutableOrderedMap, OrderedSet as ImmutableOrderedSet } from "immutable";
import { placementOf, uuidOf, type Placement, type QuotaLimits, type QuotaState, type ServerResources } from "@weft/domain/compute";
import type { Flavor, Keypair, ServerGroup } from "./catalog.ts";
import type { ComputeDocument } from "./document.ts";
import type { InstanceAction } from "./instanceActions.ts";
import { serverIndexesOf, type KnownServerState, type Server } from "./servers.ts";
import { sortedKeysOf } from "./sortedKeys.ts";
import type { HostResources, Quotas } from "./usage.ts";

/** A server's decider state with its metadata map written as an object, and `placement: null` when it has none. */
export type ServerStateSnapshot = Omit<KnownServerState, "metadata" | "placement"> & {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly placement?: Placement | null;
};

export interface ComputeSnapshot {
  readonly servers: ReadonlyArray<Omit<Server, "state"> & { readonly state: ServerStateSnapshot }>;
  /** [serverId, its actions oldest first] */
  readonly instanceActions: ReadonlyArray<readonly [string, ReadonlyArray<InstanceAction>]>;
  readonly flavors: ReadonlyArray<Flavor>;
  /** Every user's, each user's in import order. */
  readonly keypairs: ReadonlyArray<Keypair>;
  /** In creation order. */
  readonly serverGroups: ReadonlyArray<ServerGroup>;
  /** Keyed by the project in uuid form. */
  readonly quotas: ReadonlyArray<{
    readonly project: string;
    readonly limits: Partial<QuotaLimits>;
    readonly reservations: ReadonlyArray<readonly [string, ServerResources]>;
    readonly used: ServerResources;
  }>;
  readonly hosts: ReadonlyArray<{ readonly host: string; readonly servers: ReadonlyArray<readonly [string, HostResources]>; readonly used: HostResources }>;
}

const stateToSnapshot = (state: KnownServerState): ServerStateSnapshot => {
  if (state.status === "deleted") return state;
  const { metadata, ...rest } = state;
  // null, not undefined: msgpack would write undefined as nil anyway, and JSON would drop it.
  return { ...rest, metadata: Object.fromEntries(metadata), placement: placementOf(state) ?? null };
};

// The snapshot was written from a KnownServerState: only the metadata's and placement's form changed.
const stateFromSnapshot = ({ metadata, placement, ...rest }: ServerStateSnapshot): KnownServerState =>
  ({
    ...rest,
    ...(placement === undefined || placement === null ? {} : { placement }),
    ...(metadata === undefined ? {} : { metadata: new Map(Object.entries(metadata)) }),
  }) as KnownServerState;

/** The quotas of a compute document as its snapshot writes them. */
export const quotasToSnapshot = (quotas: Quotas): ComputeSnapshot["quotas"] =>
  quotas.entrySeq().map(([project, quota]) => ({
    project, limits: quota.limits, reservations: quota.reservations.entrySeq().toArray(), used: quota.used,
  })).toArray();

export const computeToSnapshot = (doc: ComputeDocument): ComputeSnapshot => ({
  servers: doc.servers.byId.valueSeq().map((server) => ({ ...server, state: stateToSnapshot(server.state) })).toArray(),
  instanceActions: doc.instanceActions.entrySeq().toArray(),
  flavors: doc.flavors.byId.valueSeq().toArray(),
  keypairs: doc.keypairs.valueSeq().flatMap((held) => held.valueSeq()).toArray(),
  serverGroups: doc.serverGroups.byId.valueSeq().toArray(),
  quotas: quotasToSnapshot(doc.quotas),
  hosts: doc.hosts.valueSeq().map(({ host, servers, used }) => ({ host, servers: servers.entrySeq().toArray(), used })).toArray(),
});

const fields = ["servers", "instanceActions", "flavors", "keypairs", "serverGroups", "quotas", "hosts"] as const;

const isSnapshot = (value: unknown): value is ComputeSnapshot =>
  typeof value === "object" && value !== null && fields.every((field) => Array.isArray((value as Record<string, unknown>)[field]));

export class InvalidComputeSnapshot extends Error {
  readonly _tag = "InvalidComputeSnapshot";
}

/** `key -> value` of every item, filled as one transient (no path copy per entry). */
const keyed = <T, V>(items: Iterable<T>, keyOf: (item: T) => string, valueOf: (item: T) => V): ImmutableMap<string, V> =>
  ImmutableMap<string, V>().withMutations((map) => {
    for (const item of items) map.set(keyOf(item), valueOf(item));
  });

/** Items grouped by `scopeOf`, each group in the items' order. */
const grouped = <T>(items: ReadonlyArray<T>, scopeOf: (item: T) => string): Map<string, Array<T>> => {
  const groups = new Map<string, Array<T>>();
  for (const item of items) {
    const scope = scopeOf(item);
    const group = groups.get(scope);
    if (group === undefined) groups.set(scope, [item]);
    else group.push(item);
  }
  return groups;
};

const quotaOf = (quota: ComputeSnapshot["quotas"][number]): QuotaState =>
  ({ status: "quota", limits: { ...quota.limits }, reservations: ImmutableMap(quota.reservations), used: { ...quota.used } });

/** The quotas again from `quotasToSnapshot`'s form. */
export const quotasFromSnapshot = (quotas: ComputeSnapshot["quotas"]): Quotas => keyed(quotas, (quota) => quota.project, quotaOf);

/** Throws InvalidComputeSnapshot for anything that is not a `ComputeSnapshot`: rebuild from the log then. */
export const computeFromSnapshot = (snapshot: unknown): ComputeDocument => {
  if (!isSnapshot(snapshot)) throw new InvalidComputeSnapshot("not a compute read-model snapshot");
  const servers: ReadonlyArray<Server> = snapshot.servers.map((server) => ({ ...server, state: stateFromSnapshot(server.state) }));
  const self = <V>(value: V) => value;
  return {
    servers: { byId: keyed(servers, (server) => server.id, self), ...serverIndexesOf(servers) },
    instanceActions: keyed(snapshot.instanceActions, ([serverId]) => serverId, ([, actions]) => actions),
    flavors: {
      byId: keyed(snapshot.flavors, (flavor) => flavor.id, self),
      byName: keyed(snapshot.flavors, (flavor) => flavor.name, (flavor) => flavor.id),
      order: sortedKeysOf(snapshot.flavors.map((flavor) => flavor.id)),
    },
    keypairs: keyed(grouped(snapshot.keypairs, (keypair) => uuidOf(keypair.userId)), ([user]) => user,
      ([, held]) => ImmutableOrderedMap(held.map((keypair): [string, Keypair] => [keypair.name, keypair]))),
    serverGroups: {
      byId: ImmutableOrderedMap(snapshot.serverGroups.map((group): [string, ServerGroup] => [group.id, { ...group, members: [...group.members] }])),
      byProject: keyed(grouped(snapshot.serverGroups, (group) => uuidOf(group.projectId)), ([project]) => project,
        ([, held]) => ImmutableOrderedSet(held.map((group) => group.id))),
    },
    quotas: quotasFromSnapshot(snapshot.quotas),
    hosts: keyed(snapshot.hosts, (usage) => usage.host, ({ host, servers: held, used }) => ({
      host, servers: ImmutableOrderedMap(held.map(([serverId, taken]): [string, HostResources] => [serverId, taken])), used: { ...used },
    })),
  };
};
