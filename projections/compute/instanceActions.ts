/**
 * Nova's instance actions (`os-instance-actions`, `openstack server event list/show`): each
 * user request on a server opens an action keyed by the request id, and the fabric's reports
 * open and finish the action's events under Nova's own event names, so scripts that read them
 * see what they would see from Nova. Kept oldest first per server, listed newest first.
 */
import type { Map as ImmutableMap } from "immutable";
import type { ServerEvent } from "@weft/domain/compute";
import type { ProjectedEvent } from "../shared/index.ts";
import type { Server } from "./servers.ts";

export type InstanceActionName = "create" | "stop" | "start" | "reboot" | "delete";

export interface InstanceActionEvent {
  /** Nova's name: `<service>_<method>`, e.g. `compute__do_build_and_run_instance`. */
  readonly event: string;
  readonly startTime: string;
  readonly finishTime: string | null;
  readonly result: "Success" | "Error" | null;
  /** The compute host that ran it (microversion 2.62); empty for the scheduler's part. */
  readonly host: string;
  /** Why it failed (microversion 2.84), from the server's fault. */
  readonly details: string | null;
}

export interface InstanceAction {
  readonly action: InstanceActionName;
  /** Empty only for events recorded before the runtime carried request ids. */
  readonly requestId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly startTime: string;
  /** The last change to the action or its events (microversion 2.58's `updated_at`). */
  readonly updatedAt: string;
  /** Nova sets "Error" once one of the action's events fails. */
  readonly message: string | null;
  readonly events: ReadonlyArray<InstanceActionEvent>;
}

/**
 * serverId -> its actions, oldest first. A server has a handful, so a plain array copied on write
 * is both smaller and quicker than a persistent list (~150 bytes less a server).
 */
export type InstanceActions = ImmutableMap<string, ReadonlyArray<InstanceAction>>;

const build = "conductor_schedule_and_build_instances";
const spawn = "compute__do_build_and_run_instance";

// The request that opens each action, and the event its host runs for it.
const opened: Partial<Record<ServerEvent["type"], readonly [InstanceActionName, string]>> = {
  ServerBuildRequested: ["create", build],
  ServerStopRequested: ["stop", "compute_stop_instance"],
  ServerStartRequested: ["start", "compute_start_instance"],
  ServerRebootRequested: ["reboot", "compute_reboot_instance"],
  ServerDeletionRequested: ["delete", "compute_terminate_instance"],
};

// The report that finishes each event. A build that times out fails whichever step it was in.
const finished: Partial<Record<ServerEvent["type"], readonly [ReadonlyArray<string>, "Success" | "Error"]>> = {
  ServerScheduled: [[build], "Success"],
  ServerBuildFailed: [[build], "Error"],
  ServerSpawned: [[spawn], "Success"],
  ServerSpawnFailed: [[spawn], "Error"],
  ServerBuildTimedOut: [[build, spawn], "Error"],
  ServerStopped: [["compute_stop_instance"], "Success"],
  ServerStarted: [["compute_start_instance"], "Success"],
  ServerRebooted: [["compute_reboot_instance"], "Success"],
  ServerDeleted: [["compute_terminate_instance"], "Success"],
};

const open = (event: string, startTime: string, host: string): InstanceActionEvent =>
  ({ event, startTime, finishTime: null, result: null, host, details: null });

const isOpen = (names: ReadonlyArray<string>) => (e: InstanceActionEvent) => e.finishTime === null && names.includes(e.event);

const opening = (server: Server, { event, occurredAt, actor, requestId }: ProjectedEvent<ServerEvent>): InstanceAction | undefined => {
  const what = opened[event.type];
  if (what === undefined) return undefined;
  const [action, eventName] = what;
  // A server deleted before it had a host goes at once: Nova records the action with no event.
  const events = action === "delete" && server.host === "" ? [] : [open(eventName, occurredAt, action === "create" ? "" : server.host)];
  // An admin acting on another project's server is the action's user and project, as in Nova.
  const byActor = actor !== undefined && actor.userId !== "";
  return {
    action, requestId: requestId ?? "", userId: byActor ? actor.userId : server.userId, projectId: byActor ? actor.projectId : server.projectId,
    startTime: occurredAt, updatedAt: occurredAt, message: null, events,
  };
};

const finishing = (actions: ReadonlyArray<InstanceAction>, server: Server, projected: ProjectedEvent<ServerEvent>): ReadonlyArray<InstanceAction> => {
  const { event, occurredAt } = projected;
  const how = finished[event.type];
  if (how === undefined) return actions;
  const [names, result] = how;
  const finishes = isOpen(names);
  // The newest action with an open event it finishes.
  const at = actions.findLastIndex((action) => action.events.some(finishes));
  const action = actions[at];
  if (action === undefined) return actions;
  const details = result === "Error" ? (server.fault?.message ?? null) : null;
  let events = action.events.map((e) => (finishes(e) ? { ...e, finishTime: occurredAt, result, details } : e));
  if (event.type === "ServerScheduled") events = [...events, open(spawn, occurredAt, event.data.host)];
  const message = result === "Error" ? "Error" : action.message;
  return actions.with(at, { ...action, events, message, updatedAt: occurredAt });
};

const noActions: ReadonlyArray<InstanceAction> = [];

/** The actions after a server event; `server` is the server as the event left it. */
export const evolveInstanceActions = (actions: InstanceActions, server: Server, projected: ProjectedEvent<ServerEvent>): InstanceActions => {
  const held = actions.get(server.id) ?? noActions;
  const started = opening(server, projected);
  const next = started === undefined ? finishing(held, server, projected) : [...held, started];
  return next === held ? actions : actions.set(server.id, next);
};

