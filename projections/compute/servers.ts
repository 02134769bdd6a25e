/**
 * Servers as Nova's server views show them, and the two indexes the lists are paged from. Each
 * server keeps the decider's own state, evolved by the domain's `serverDecider.evolve`, so its
 * status, task state and power state come from the domain's `novaStatus` and can never drift
 * from the rules that accept commands. Deleted servers stay (Nova's `changes-since` and instance
 * actions still show them), but leave the default listing.
 */
import { Map as ImmutableMap } from "immutable";
import {
  novaStatus,
  serverDecider,
  uuidOf,
  type FlavorSnapshot,
  type ImageRef,
  type NovaStatus,
  type ServerEvent,
  type ServerState,
} from "@weft/domain/compute";
import type { ProjectedEvent } from "../shared/index.ts";
import { insertKey, removeKey, sortedKeysOfAscending, type SortedKeys } from "./sortedKeys.ts";

/** A server's decider state once it exists. */
export type KnownServerState = Exclude<ServerState, { readonly status: "none" }>;

/** Nova's instance fault; `created` is the time of the event that recorded it. */
export interface ServerFault {
  readonly code: number;
  readonly message: string;
  readonly details: string;
  readonly created: string;
}

export interface Server {
  readonly id: string;
  readonly name: string;
  /** Nova's `tenant_id`. */
  readonly projectId: string;
  readonly userId: string;
  readonly flavor: FlavorSnapshot;
  readonly image: ImageRef;
  /** Empty when none. */
  readonly keyName: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Empty when in no group. */
  readonly serverGroupId: string;
  /** As requested until scheduled, then the zone of its host. */
  readonly availabilityZone: string;
  /** `OS-EXT-SRV-ATTR:host` and `hypervisor_hostname`; empty until scheduled. */
  readonly host: string;
  readonly providerId: string;
  /** The decider's state: `novaStatus` of it is what the API shows. */
  readonly state: KnownServerState;
  readonly fault: ServerFault | null;
  /** The build request's `requestedAt`. */
  readonly created: string;
  /** The time of the last event that changed the server. */
  readonly updated: string;
  /** `OS-SRV-USG:launched_at`: its first spawn. */
  readonly launchedAt: string | null;
  readonly terminatedAt: string | null;
  readonly deleted: boolean;
}

/** Sorted keys of servers, cloud-wide and per project (in uuid form); a project without servers has no entry. */
export interface ServerIndex {
  readonly all: SortedKeys;
  readonly byProject: ImmutableMap<string, SortedKeys>;
}

export interface Servers {
  readonly byId: ImmutableMap<string, Server>;
  /** Servers not deleted, by `created|id`: read backwards, Nova's default order. */
  readonly listing: ServerIndex;
  /** Every server, deleted ones too, by `updated|id`: the range `changes-since` reads. */
  readonly changes: ServerIndex;
}

const emptyIndex: ServerIndex = { all: null, byProject: ImmutableMap() };

export const initialServers = (): Servers => ({ byId: ImmutableMap(), listing: emptyIndex, changes: emptyIndex });

/** Nova's `status`, `OS-EXT-STS:task_state`, `power_state` and `vm_state`, by the domain's rules. */
export const serverStatus = (server: Server): NovaStatus => novaStatus(server.state);

/**
 * An RFC 3339 time in one canonical form, so keys sort as instants whatever offset or precision
 * the writer used. Parsing a given string reads no clock; an unparseable one is kept as it is.
 */
export const instantOf = (time: string): string => {
  // Almost every time is written in the canonical form already, and parsing and printing it again
  // cost ~10% of a full replay (docs/benchmarks.md). Days past the 28th are parsed: Date.parse
  // rolls 2026-02-30 over to March, which the canonical form must show.
  if (CANONICAL_INSTANT.test(time)) return time;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString();
};

const CANONICAL_INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

export const listingKey = (server: Server): string => `${instantOf(server.created)}|${server.id}`;

export const changeKey = (server: Server): string => `${instantOf(server.updated)}|${server.id}`;

/** The server id a key ends with (ids are uuids: they hold no `|`). */
export const idOfKey = (key: string): string => key.slice(key.lastIndexOf("|") + 1);

const withKey = (index: ServerIndex, projectId: string, key: string): ServerIndex => ({
  all: insertKey(index.all, key),
  byProject: index.byProject.set(projectId, insertKey(index.byProject.get(projectId) ?? null, key)),
});

const withoutKey = (index: ServerIndex, projectId: string, key: string): ServerIndex => {
  const rest = removeKey(index.byProject.get(projectId) ?? null, key);
  // Empty entries are dropped so a document rebuilt from a snapshot compares equal.
  return { all: removeKey(index.all, key), byProject: rest === null ? index.byProject.delete(projectId) : index.byProject.set(projectId, rest) };
};

const reindexed = (index: ServerIndex, projectId: string, before: string | undefined, after: string | undefined): ServerIndex => {
  if (before === after) return index;
  const removed = before === undefined ? index : withoutKey(index, projectId, before);
  return after === undefined ? removed : withKey(removed, projectId, after);
};

/** Stores `after` in place of `before` and moves its keys in both indexes. */
export const withServer = (servers: Servers, before: Server | undefined, after: Server): Servers => {
  const project = uuidOf(after.projectId);
  const listed = (server: Server | undefined) => (server === undefined || server.deleted ? undefined : listingKey(server));
  return {
    byId: servers.byId.set(after.id, after),
    listing: reindexed(servers.listing, project, listed(before), listed(after)),
    changes: reindexed(servers.changes, project, before === undefined ? undefined : changeKey(before), changeKey(after)),
  };
};

/**
 * Stores `after` by id only, leaving both indexes as they were: for a batch fold, which builds
 * them once at its end with `serverIndexesOf`.
 */
export const withServerById = (servers: Servers, _before: Server | undefined, after: Server): Servers =>
  ({ ...servers, byId: servers.byId.set(after.id, after) });

// One sort per index (of the keys alone: a sort without a comparator compares as `<` does, and
// natively): each project's keys are the cloud-wide sorted keys that are its own, in order.
// Projects are entered in the order of their first server, as a fold would meet them.
const indexOf = (servers: ReadonlyArray<Server>, projects: ReadonlyArray<string>, keyOf: (server: Server) => string): ServerIndex => {
  const byProject = new Map<string, Array<string>>();
  const projectOfKey = new Map<string, string>();
  const all = new Array<string>(servers.length);
  for (let i = 0; i < servers.length; i++) {
    const project = projects[i]!;
    if (!byProject.has(project)) byProject.set(project, []);
    all[i] = keyOf(servers[i]!);
    projectOfKey.set(all[i]!, project);
  }
  all.sort();
  for (const key of all) byProject.get(projectOfKey.get(key)!)!.push(key);
  return {
    all: sortedKeysOfAscending(all),
    byProject: ImmutableMap<string, SortedKeys>().withMutations((map) => {
      for (const [project, keys] of byProject) map.set(project, sortedKeysOfAscending(keys));
    }),
  };
};

/**
 * Both indexes of `servers` (distinct ids), built at once: equal to the ones `withServer` keeps up
 * event by event, since a sorted index's shape depends only on the keys it holds.
 */
export const serverIndexesOf = (servers: Iterable<Server>): Pick<Servers, "listing" | "changes"> => {
  const every = [...servers];
  const projects = every.map((server) => uuidOf(server.projectId));
  const listed: Array<Server> = [];
  const listedProjects: Array<string> = [];
  for (let i = 0; i < every.length; i++) {
    if (every[i]!.deleted) continue;
    listed.push(every[i]!);
    listedProjects.push(projects[i]!);
  }
  return { listing: indexOf(listed, listedProjects, listingKey), changes: indexOf(every, projects, changeKey) };
};

const built = ({ event, occurredAt }: ProjectedEvent<ServerEvent>): Server | undefined => {
  if (event.type !== "ServerBuildRequested") return undefined;
  const state = serverDecider.evolve(serverDecider.initialState(), event);
  if (state.status === "none") return undefined;
  const { data } = event;
  return {
    id: data.serverId, name: data.name, projectId: data.projectId, userId: data.userId,
    flavor: { ...data.flavor, extraSpecs: { ...data.flavor.extraSpecs } }, image: { ...data.image },
    keyName: data.keyName, metadata: { ...data.metadata }, serverGroupId: data.serverGroupId,
    availabilityZone: data.availabilityZone, host: "", providerId: "", state, fault: null,
    created: data.requestedAt, updated: occurredAt, launchedAt: null, terminatedAt: null, deleted: false,
  };
};

/** What the event changes besides the decider state. */
const fieldChanges = (server: Server, { event, occurredAt }: ProjectedEvent<ServerEvent>): Partial<Server> => {
  switch (event.type) {
    case "ServerScheduled": {
      const { host, providerId, availabilityZone } = event.data;
      return { host, providerId, availabilityZone: availabilityZone === "" ? server.availabilityZone : availabilityZone };
    }
    case "ServerBuildFailed":
    case "ServerSpawnFailed":
    case "ServerBuildTimedOut":
      return { fault: { ...event.data.fault, created: occurredAt } };
    case "ServerSpawned":
      return { launchedAt: server.launchedAt ?? occurredAt };
    case "ServerRenamed":
      return { name: event.data.name };
    case "ServerMetadataSet":
      return { metadata: { ...server.metadata, ...event.data.items } };
    case "ServerMetadataDeleted": {
      const { [event.data.key]: _gone, ...metadata } = server.metadata;
      return { metadata };
    }
    case "ServerDeleted":
      return { deleted: true, terminatedAt: occurredAt };
    default:
      return {};
  }
};

/**
 * The server after the event, or `undefined` when the event does not apply. Whether it applies
 * is the domain's `evolve` to say: a fact it ignores (none are recorded, but facts are facts)
 * changes nothing here either, not even `updated`.
 */
export const evolvedServer = (server: Server | undefined, projected: ProjectedEvent<ServerEvent>): Server | undefined => {
  if (server === undefined) return built(projected);
  if (server.deleted) return undefined;
  const state = serverDecider.evolve(server.state, projected.event);
  if (state === server.state || state.status === "none") return undefined;
  return { ...server, ...fieldChanges(server, projected), state, updated: projected.occurredAt };
};
