/**
 * Questions the Nova gateway asks about servers: one server, a page of `GET /servers[/detail]`
 * with Nova's filters, and a server's instance actions. A default list walks the sorted index
 * backwards from the marker and stops at the limit, so a page costs O(log n + what it skips),
 * never a sort of every server. Policy (who may see all projects, or deleted servers) is the
 * gateway's: these functions answer whatever they are asked.
 */
import { uuidOf } from "@weft/domain/compute";
import type { ComputeDocument } from "./document.ts";
import type { InstanceAction } from "./instanceActions.ts";
import { idOfKey, instantOf, listingKey, serverStatus, type Server } from "./servers.ts";
import { keysAscending, keysDescending } from "./sortedKeys.ts";

/** A server, deleted or not (`deleted` says which: Nova answers 404 for a deleted one). */
export const getServer = (doc: ComputeDocument, serverId: string): Server | undefined => doc.servers.byId.get(serverId);

export interface ServerListQuery {
  /** Only this project's servers; undefined lists every project's (Nova's `all_tenants`, for admins). */
  readonly projectId?: string;
  /** A regular expression searched in the name; one that does not compile is a literal substring. */
  readonly name?: string;
  /** A Nova status (`ACTIVE`, `SHUTOFF`…), any case. `DELETED` lists deleted servers. */
  readonly status?: string;
  readonly host?: string;
  /** RFC 3339: only servers changed at or after it, deleted ones included. */
  readonly changesSince?: string;
  /** Undefined: no limit (the gateway applies Nova's `max_limit`). */
  readonly limit?: number;
  /** The id of the last server of the previous page. */
  readonly marker?: string;
}

export interface ServerList {
  /** Newest first: `created` descending, then id descending, as Nova sorts by default. */
  readonly servers: ReadonlyArray<Server>;
  /** The marker names no server: Nova answers 400 `marker [<id>] not found`. */
  readonly markerNotFound: boolean;
}

/**
 * Nova hands the name filter to the database as a regular expression; MySQL, which nearly every
 * Nova runs on, matches it anywhere in the name and ignores case, and so does this.
 */
const nameMatcher = (pattern: string): ((name: string) => boolean) => {
  try {
    const regex = new RegExp(pattern, "i");
    return (name) => regex.test(name);
  } catch {
    const needle = pattern.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
};

const filterOf = (query: ServerListQuery): ((server: Server) => boolean) => {
  const named = query.name === undefined ? undefined : nameMatcher(query.name);
  const status = query.status?.toUpperCase();
  return (server) =>
    (named === undefined || named(server.name)) &&
    (status === undefined || serverStatus(server).status === status) &&
    (query.host === undefined || server.host === query.host);
};

const descending = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

/**
 * The servers a `changes-since` or `status=DELETED` list considers: every server, deleted ones
 * too, changed at or after `since` (all when undefined), newest first. Only these are sorted,
 * and a changes-since poll sees few.
 */
const changedServers = (doc: ComputeDocument, projectId: string | undefined, since: string | undefined): ReadonlyArray<Server> => {
  const { changes, byId } = doc.servers;
  const index = projectId === undefined ? changes.all : (changes.byProject.get(uuidOf(projectId)) ?? null);
  const servers: Array<[string, Server]> = [];
  // Keys are `instant|id`, so every key of the instant `since` sorts after `since` itself.
  for (const key of keysAscending(index, since === undefined ? undefined : instantOf(since))) {
    const server = byId.get(idOfKey(key));
    if (server !== undefined) servers.push([listingKey(server), server]);
  }
  return servers.sort(([a], [b]) => descending(a, b)).map(([, server]) => server);
};

/** Listed servers newest first, strictly after `bound` (a listing key) when given. */
function* listedServers(doc: ComputeDocument, projectId: string | undefined, bound: string | undefined): Generator<Server, void, undefined> {
  const { listing, byId } = doc.servers;
  const index = projectId === undefined ? listing.all : (listing.byProject.get(uuidOf(projectId)) ?? null);
  for (const key of keysDescending(index, bound)) {
    const server = byId.get(idOfKey(key));
    if (server !== undefined) yield server;
  }
}

/** `GET /servers/detail`: one page, filtered, in Nova's order. */
export const listServers = (doc: ComputeDocument, query: ServerListQuery = {}): ServerList => {
  // Nova looks the marker up among every server, deleted or not, of any project: it only
  // gives the position the page starts after.
  const marker = query.marker === undefined ? undefined : doc.servers.byId.get(query.marker);
  if (query.marker !== undefined && marker === undefined) return { servers: [], markerNotFound: true };
  const bound = marker === undefined ? undefined : listingKey(marker);
  const includesDeleted = query.status?.toUpperCase() === "DELETED" || query.changesSince !== undefined;
  const candidates = includesDeleted
    ? changedServers(doc, query.projectId, query.changesSince).filter((server) => bound === undefined || listingKey(server) < bound)
    : listedServers(doc, query.projectId, bound);
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const matches = filterOf(query);
  const servers: Array<Server> = [];
  if (limit <= 0) return { servers, markerNotFound: false };
  for (const server of candidates) {
    if (!matches(server)) continue;
    servers.push(server);
    if (servers.length >= limit) break;
  }
  return { servers, markerNotFound: false };
};

/** `os-instance-actions`: newest first. Deleted servers keep theirs (admins may read them since 2.21). */
export const listInstanceActions = (doc: ComputeDocument, serverId: string): ReadonlyArray<InstanceAction> =>
  (doc.instanceActions.get(serverId) ?? []).toReversed();

/** `os-instance-actions/{request_id}`: the latest action of the server with that request id. */
export const getInstanceAction = (doc: ComputeDocument, serverId: string, requestId: string): InstanceAction | undefined =>
  doc.instanceActions.get(serverId)?.findLast((action) => action.requestId === requestId);
