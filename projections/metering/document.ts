/**
 * The metering document: a pure fold of the public event stream (CloudEvents, docs/events.md)
 * into usage intervals, one per server that ever ran, as Nova's os-simple-tenant-usage counts
 * them: from launch (`ServerSpawned`, Nova's `launched_at`) to deletion (`ServerDeleted`, Nova's
 * `terminated_at`), stopped or not. A server that never launched is never billed. Intervals are
 * indexed per project in launch order, so a project's query reads only its own servers.
 *
 * The document carries the position of the last event folded: an event at or before it is a
 * re-delivery and changes nothing, so a checkpoint of the document is exact across restarts.
 */
import { Map as ImmutableMap, OrderedMap as ImmutableOrderedMap } from "immutable";
import type { ServerEvent } from "@weft/domain/compute";

/**
 * What the fold reads of a CloudEvent: `AnyWeftCloudEvent` (infra/events) is one. Declared here
 * because projections/ may not import infra/; `data` is narrowed on `type`.
 */
export interface MeteredEvent {
  readonly type: string;
  /** RFC 3339: when it happened. */
  readonly time: string;
  readonly subject: string;
  readonly weftposition: number;
  readonly data: unknown;
}

export interface MeteredFlavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  /** Root plus ephemeral disk: Nova's `local_gb`. */
  readonly localGb: number;
}

/** Nova's `vm_state` of a launched server that still exists. */
export type VmState = "active" | "stopped";

/** One server's billable life. Times are milliseconds since the epoch. */
export interface UsageInterval {
  readonly serverId: string;
  readonly projectId: string;
  readonly name: string;
  readonly flavor: MeteredFlavor;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly vmState: VmState;
}

/** Nova's server status, for the fabric gauges. */
export type ServerStatus = "BUILD" | "ACTIVE" | "SHUTOFF" | "REBOOT" | "HARD_REBOOT" | "ERROR";

/** A server that exists (not yet deleted): what its interval will need when it launches. */
export interface LiveServer {
  readonly projectId: string;
  readonly name: string;
  readonly flavor: MeteredFlavor;
  readonly status: ServerStatus;
  readonly launched: boolean;
}

export interface MeteringDocument {
  /** Position of the last event folded (0: none). */
  readonly position: number;
  readonly live: ImmutableMap<string, LiveServer>;
  /** Project -> its servers' intervals in launch order; projects in order of their first launch. */
  readonly usage: ImmutableOrderedMap<string, ImmutableOrderedMap<string, UsageInterval>>;
  /** Events folded, by CloudEvents type. */
  readonly eventCounts: ImmutableMap<string, number>;
}

export const initialMeteringDocument = (): MeteringDocument => ({
  position: 0,
  live: ImmutableMap(),
  usage: ImmutableOrderedMap(),
  eventCounts: ImmutableMap(),
});

type DataOf<T extends ServerEvent["type"]> = Extract<ServerEvent, { readonly type: T }>["data"];
const dataOf = <T extends ServerEvent["type"]>(event: MeteredEvent, _type: T) => event.data as DataOf<T>;

const withLive = (doc: MeteringDocument, serverId: string, change: (server: LiveServer) => LiveServer): MeteringDocument => {
  const server = doc.live.get(serverId);
  return server === undefined ? doc : { ...doc, live: doc.live.set(serverId, change(server)) };
};

const withInterval = (doc: MeteringDocument, serverId: string, change: (interval: UsageInterval) => UsageInterval): MeteringDocument => {
  const projectId = doc.live.get(serverId)?.projectId;
  const interval = projectId === undefined ? undefined : doc.usage.get(projectId)?.get(serverId);
  if (projectId === undefined || interval === undefined) return doc;
  return { ...doc, usage: doc.usage.setIn([projectId, serverId], change(interval)) };
};

const withStatus = (doc: MeteringDocument, serverId: string, status: ServerStatus) => withLive(doc, serverId, (server) => ({ ...server, status }));

const launched = (doc: MeteringDocument, serverId: string, at: number): MeteringDocument => {
  const server = doc.live.get(serverId);
  if (server === undefined) return doc;
  const running = { ...server, status: "ACTIVE" as const, launched: true };
  if (server.launched) return { ...doc, live: doc.live.set(serverId, running) };
  const interval: UsageInterval = { serverId, projectId: server.projectId, name: server.name, flavor: server.flavor, startedAt: at, endedAt: undefined, vmState: "active" };
  const intervals = doc.usage.get(server.projectId) ?? ImmutableOrderedMap<string, UsageInterval>();
  return { ...doc, live: doc.live.set(serverId, running), usage: doc.usage.set(server.projectId, intervals.set(serverId, interval)) };
};

const deleted = (doc: MeteringDocument, serverId: string, at: number): MeteringDocument => {
  const ended = withInterval(doc, serverId, (interval) => ({ ...interval, endedAt: at }));
  return { ...ended, live: ended.live.delete(serverId) };
};

const evolveServer = (doc: MeteringDocument, event: MeteredEvent, at: number): MeteringDocument => {
  const serverId = event.subject;
  switch (event.type) {
    case "weft.compute.ServerBuildRequested": {
      const data = dataOf(event, "ServerBuildRequested");
      const flavor: MeteredFlavor = {
        id: data.flavor.flavorId,
        name: data.flavor.name,
        vcpus: data.flavor.vcpus,
        ramMb: data.flavor.ramMb,
        localGb: data.flavor.diskGb + data.flavor.ephemeralGb,
      };
      if (doc.live.has(serverId)) return doc;
      return { ...doc, live: doc.live.set(serverId, { projectId: data.projectId, name: data.name, flavor, status: "BUILD", launched: false }) };
    }
    case "weft.compute.ServerSpawned":
      return launched(doc, serverId, at);
    case "weft.compute.ServerBuildFailed":
    case "weft.compute.ServerSpawnFailed":
    case "weft.compute.ServerBuildTimedOut":
      return withStatus(doc, serverId, "ERROR");
    case "weft.compute.ServerStopped":
      return withInterval(withStatus(doc, serverId, "SHUTOFF"), serverId, (interval) => ({ ...interval, vmState: "stopped" }));
    case "weft.compute.ServerStarted":
    case "weft.compute.ServerRebooted":
      return withInterval(withStatus(doc, serverId, "ACTIVE"), serverId, (interval) => ({ ...interval, vmState: "active" }));
    case "weft.compute.ServerRebootRequested":
      return withStatus(doc, serverId, dataOf(event, "ServerRebootRequested").hard ? "HARD_REBOOT" : "REBOOT");
    case "weft.compute.ServerRenamed": {
      const name = dataOf(event, "ServerRenamed").name;
      return withInterval(withLive(doc, serverId, (server) => ({ ...server, name })), serverId, (interval) => ({ ...interval, name }));
    }
    case "weft.compute.ServerDeleted":
      return deleted(doc, serverId, at);
    default:
      return doc;
  }
};

/**
 * Folds one event. Total: an event at or before the document's position is a re-delivery and is
 * skipped; one of a type the meter does not bill still moves the position and its count.
 */
export const evolveMetering = (doc: MeteringDocument, event: MeteredEvent): MeteringDocument => {
  if (event.weftposition <= doc.position) return doc;
  const at = Date.parse(event.time);
  const counted = { ...doc, position: event.weftposition, eventCounts: doc.eventCounts.update(event.type, 0, (count) => count + 1) };
  return Number.isFinite(at) ? evolveServer(counted, event, at) : counted;
};

/** Folds many events in order (a page, a replay). */
export const foldMetering = (doc: MeteringDocument, events: Iterable<MeteredEvent>): MeteringDocument => {
  let folded = doc;
  for (const event of events) folded = evolveMetering(folded, event);
  return folded;
};
