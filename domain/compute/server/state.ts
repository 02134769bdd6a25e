/**
 * One server as `decide` needs it: a union on `status` that follows Nova's vm_state (building is
 * split into scheduling and spawning, since only the latter has a host), with the task in
 * progress where one is possible. Only what a rule reads is kept: the flavor, image, fault and
 * times are the read model's business.
 */
import { uuidOf } from "../ids.ts";
import type { ServerEvent } from "./events.ts";

export const serverStream = (serverId: string): string => `server-${uuidOf(serverId)}`;

/** Where the scheduler put the server. */
export interface Placement {
  readonly host: string;
  readonly providerId: string;
  readonly availabilityZone: string;
}

/** Nova's vm_state of a server that is not deleted. */
export type VmState = "building" | "active" | "stopped" | "error";

interface ServerFacts {
  readonly serverId: string;
  readonly projectId: string;
  readonly name: string;
  readonly metadata: ReadonlyMap<string, string>;
}

export interface NoServer {
  readonly status: "none";
}

export interface SchedulingServer extends ServerFacts {
  readonly status: "scheduling";
}

export interface SpawningServer extends ServerFacts {
  readonly status: "spawning";
  readonly placement: Placement;
}

export interface ActiveServer extends ServerFacts {
  readonly status: "active";
  readonly placement: Placement;
  readonly task: null | "powering-off" | "rebooting" | "rebooting_hard";
}

export interface StoppedServer extends ServerFacts {
  readonly status: "stopped";
  readonly placement: Placement;
  readonly task: null | "powering-on";
}

/** Failed before a host was found (no placement) or on its host. */
export interface FailedServer extends ServerFacts {
  readonly status: "error";
  readonly placement: Placement | undefined;
}

/** Waiting for its host to destroy it; Nova keeps showing the status it had (`was`). */
export interface DeletingServer extends ServerFacts {
  readonly status: "deleting";
  readonly was: VmState;
  readonly placement: Placement | undefined;
}

export interface DeletedServer {
  readonly status: "deleted";
  readonly serverId: string;
}

export type ServerState =
  | NoServer
  | SchedulingServer
  | SpawningServer
  | ActiveServer
  | StoppedServer
  | FailedServer
  | DeletingServer
  | DeletedServer;

/** A server that exists and is not deleted: the one that takes user actions. */
export type LiveServer = Exclude<ServerState, NoServer | DeletedServer>;

export const initialState = (): ServerState => ({ status: "none" });

export const vmStateOf = (server: LiveServer): VmState => {
  switch (server.status) {
    case "scheduling":
    case "spawning":
      return "building";
    case "deleting":
      return server.was;
    default:
      return server.status;
  }
};

export const placementOf = (server: LiveServer): Placement | undefined =>
  server.status === "scheduling" ? undefined : server.placement;

const facts = ({ serverId, projectId, name, metadata }: ServerFacts): ServerFacts => ({ serverId, projectId, name, metadata });

export const isLive = (state: ServerState): state is LiveServer => state.status !== "none" && state.status !== "deleted";

/** Total and never throwing: an event that does not fit the state (it cannot, from decide) changes nothing. */
export const evolve = (state: ServerState, event: ServerEvent): ServerState => {
  switch (event.type) {
    case "ServerBuildRequested": {
      if (state.status !== "none") return state;
      const { serverId, projectId, name, metadata } = event.data;
      return { status: "scheduling", serverId, projectId, name, metadata: new Map(Object.entries(metadata)) };
    }
    case "ServerScheduled": {
      if (state.status !== "scheduling") return state;
      const { host, providerId, availabilityZone } = event.data;
      return { ...facts(state), status: "spawning", placement: { host, providerId, availabilityZone } };
    }
    case "ServerBuildFailed":
    case "ServerSpawnFailed":
    case "ServerBuildTimedOut":
      if (state.status !== "scheduling" && state.status !== "spawning") return state;
      return { ...facts(state), status: "error", placement: placementOf(state) };
    case "ServerSpawned":
      return state.status === "spawning" ? { ...facts(state), status: "active", placement: state.placement, task: null } : state;
    case "ServerStopRequested":
      return state.status === "active" ? { ...state, task: "powering-off" } : state;
    case "ServerStopped":
      return state.status === "active" ? { ...facts(state), status: "stopped", placement: state.placement, task: null } : state;
    case "ServerStartRequested":
      return state.status === "stopped" ? { ...state, task: "powering-on" } : state;
    case "ServerStarted":
      return state.status === "stopped" ? { ...facts(state), status: "active", placement: state.placement, task: null } : state;
    case "ServerRebootRequested":
      return state.status === "active" ? { ...state, task: event.data.hard ? "rebooting_hard" : "rebooting" } : state;
    case "ServerRebooted":
      return state.status === "active" ? { ...state, task: null } : state;
    case "ServerRenamed":
      return isLive(state) ? { ...state, name: event.data.name } : state;
    case "ServerMetadataSet":
      return isLive(state) ? { ...state, metadata: new Map([...state.metadata, ...Object.entries(event.data.items)]) } : state;
    case "ServerMetadataDeleted": {
      if (!isLive(state)) return state;
      const metadata = new Map(state.metadata);
      metadata.delete(event.data.key);
      return { ...state, metadata };
    }
    case "ServerDeletionRequested":
      if (!isLive(state) || state.status === "deleting") return state;
      return { ...facts(state), status: "deleting", was: vmStateOf(state), placement: placementOf(state) };
    case "ServerDeleted":
      return { status: "deleted", serverId: event.data.serverId };
    default: {
      // A compile error when an event type has no case; at run time an unknown fact changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
};
