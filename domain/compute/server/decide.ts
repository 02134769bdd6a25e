/**
 * What a server decides, after the lifecycle in docs/compute-design.md. User requests are checked
 * as Nova's `check_instance_state` does (vm_state first, then task_state) and refused with a
 * rejection. Commands from the fabric (the scheduler's failure, the build timer, the agents'
 * reports) may be redelivered or lose a race with the user: one that no longer applies is
 * accepted with no events, never refused. ScheduleServer is the exception, as the scheduler must
 * learn that its claim is not needed and release it.
 */
import { assertNever, type Decision } from "../../shared/index.ts";
import type { Fault, FlavorSnapshot, ImageRef, RebootServer, RequestServerBuild, ScheduleServer, ServerCommand, SetServerMetadata } from "./commands.ts";
import type { ServerEvent } from "./events.ts";
import { novaStatus, type TaskState } from "./novaStatus.ts";
import {
  flavorDiskSmallerThanMinDisk,
  flavorMemoryTooSmall,
  serverAlreadyExists,
  serverMetadataKeyNotFound,
  serverNotActive,
  serverNotBuilding,
  serverNotFound,
  serverNotStopped,
  serverTaskInProgress,
  type ServerRejection,
} from "./rejections.ts";
import { isLive, placementOf, type LiveServer, type ServerState, type VmState } from "./state.ts";

type ServerDecision = Decision<ServerEvent, ServerRejection>;

/** The fault a build that never finished records (Nova's `instance_build_timeout`). */
export const buildTimedOutFault: Fault = { code: 500, message: "Instance build timed out. Set to error state.", details: "" };

/**
 * Why the image cannot boot on the flavor, if it cannot: its min_ram and min_disk, as Nova checks
 * them. Exported so the gateway refuses before reserving quota for a build that would be refused.
 */
export const imageFlavorMismatch = (flavor: FlavorSnapshot, image: ImageRef): ServerRejection | undefined => {
  if (image.minRamMb > flavor.ramMb) return flavorMemoryTooSmall();
  // A flavor without a root disk size boots at the image's size, as in Nova.
  if (flavor.diskGb > 0 && image.minDiskGb > flavor.diskGb) return flavorDiskSmallerThanMinDisk(flavor.diskGb, image.minDiskGb);
  return undefined;
};

const requestBuild = (c: RequestServerBuild, state: ServerState): ServerDecision => {
  if (state.status !== "none") return serverAlreadyExists(c.serverId);
  const { flavor, image } = c;
  const mismatch = imageFlavorMismatch(flavor, image);
  if (mismatch !== undefined) return mismatch;
  return [{
    type: "ServerBuildRequested",
    data: {
      serverId: c.serverId,
      projectId: c.projectId,
      userId: c.userId,
      name: c.name,
      flavor: {
        flavorId: flavor.flavorId, name: flavor.name, vcpus: flavor.vcpus, ramMb: flavor.ramMb, diskGb: flavor.diskGb,
        ephemeralGb: flavor.ephemeralGb, swapMb: flavor.swapMb, extraSpecs: { ...flavor.extraSpecs },
      },
      image: { imageId: image.imageId, name: image.name, minDiskGb: image.minDiskGb, minRamMb: image.minRamMb },
      keyName: c.keyName,
      keyPublicKey: c.keyPublicKey,
      serverGroupId: c.serverGroupId,
      availabilityZone: c.availabilityZone,
      metadata: { ...c.metadata },
      requestedAt: c.requestedAt,
    },
  }];
};

const schedule = (c: ScheduleServer, state: ServerState): ServerDecision => {
  if (!isLive(state)) return serverNotFound(c.serverId);
  const placed = placementOf(state);
  // The same placement again is a redelivery: its claim is the server's, so no rejection.
  if (placed !== undefined && placed.host === c.host && placed.providerId === c.providerId) return [];
  if (state.status !== "scheduling") {
    const { vmState, taskState } = novaStatus(state);
    return vmState === "building" && taskState !== null
      ? serverNotBuilding("schedule", c.serverId, "task_state", taskState)
      : serverNotBuilding("schedule", c.serverId, "vm_state", vmState);
  }
  return [{ type: "ServerScheduled", data: { serverId: state.serverId, host: c.host, providerId: c.providerId, availabilityZone: c.availabilityZone } }];
};

const failure = (type: "ServerBuildFailed" | "ServerSpawnFailed" | "ServerBuildTimedOut", server: LiveServer, fault: Fault): ServerEvent =>
  ({ type, data: { serverId: server.serverId, projectId: server.projectId, fault: { code: fault.code, message: fault.message, details: fault.details } } });

/** Nova's check_instance_state: the vm_state must be `vmState`, then the task one of `tasks`. */
const refusal = (
  action: string,
  server: LiveServer,
  vmState: VmState,
  tasks: ReadonlyArray<TaskState | null>,
  wrongVmState: (action: string, serverId: string, vmState: string) => ServerRejection,
): ServerRejection | undefined => {
  const shown = novaStatus(server);
  if (shown.vmState !== vmState) return wrongVmState(action, server.serverId, shown.vmState);
  if (!tasks.includes(shown.taskState)) return serverTaskInProgress(action, server.serverId, shown.taskState ?? "None");
  return undefined;
};

const hostOf = (server: LiveServer): string => placementOf(server)?.host ?? "";

const stop = (server: LiveServer): ServerDecision =>
  refusal("stop", server, "active", [null], serverNotActive) ??
  [{ type: "ServerStopRequested", data: { serverId: server.serverId, host: hostOf(server) } }];

const start = (server: LiveServer): ServerDecision =>
  refusal("start", server, "stopped", [null], serverNotStopped) ??
  [{ type: "ServerStartRequested", data: { serverId: server.serverId, host: hostOf(server) } }];

// A hard reboot may override a reboot in progress (Nova's ALLOW_REBOOT); a soft one may not.
const reboot = (c: RebootServer, server: LiveServer): ServerDecision =>
  refusal("reboot", server, "active", c.hard ? [null, "rebooting", "rebooting_hard"] : [null], serverNotActive) ??
  [{ type: "ServerRebootRequested", data: { serverId: server.serverId, host: hostOf(server), hard: c.hard } }];

const rename = (name: string, server: LiveServer): ServerDecision =>
  name === server.name ? [] : [{ type: "ServerRenamed", data: { serverId: server.serverId, name } }];

const setMetadata = (c: SetServerMetadata, server: LiveServer): ServerDecision => {
  const changed = Object.entries(c.items).filter(([key, value]) => server.metadata.get(key) !== value);
  return changed.length === 0 ? [] : [{ type: "ServerMetadataSet", data: { serverId: server.serverId, items: Object.fromEntries(changed) } }];
};

const deleteMetadata = (key: string, server: LiveServer): ServerDecision =>
  server.metadata.has(key) ? [{ type: "ServerMetadataDeleted", data: { serverId: server.serverId, key } }] : serverMetadataKeyNotFound();

const deleted = (server: LiveServer): ServerEvent =>
  ({ type: "ServerDeleted", data: { serverId: server.serverId, projectId: server.projectId, providerId: placementOf(server)?.providerId ?? "" } });

// Without a host nothing runs anywhere, so the server goes at once; with one, its host destroys it first.
const deleteServer = (server: LiveServer): ServerDecision => {
  if (server.status === "deleting") return [];
  const requested: ServerEvent = { type: "ServerDeletionRequested", data: { serverId: server.serverId, host: hostOf(server) } };
  return placementOf(server) === undefined ? [requested, deleted(server)] : [requested];
};

/** A user request: only for a server that exists and is not deleted (Nova shows deleted ones as 404). */
const onLive = (state: ServerState, serverId: string, decideFor: (server: LiveServer) => ServerDecision): ServerDecision =>
  isLive(state) ? decideFor(state) : serverNotFound(serverId);

export const decide = (command: ServerCommand, state: ServerState): ServerDecision => {
  switch (command.type) {
    case "RequestServerBuild":
      return requestBuild(command.data, state);
    case "ScheduleServer":
      return schedule(command.data, state);
    case "FailServerBuild":
      return state.status === "scheduling" ? [failure("ServerBuildFailed", state, command.data.fault)] : [];
    case "TimeOutServerBuild":
      return state.status === "scheduling" || state.status === "spawning" ? [failure("ServerBuildTimedOut", state, buildTimedOutFault)] : [];
    case "ReportServerSpawned":
      return state.status === "spawning" ? [{ type: "ServerSpawned", data: { serverId: state.serverId } }] : [];
    case "ReportServerSpawnFailed":
      return state.status === "spawning" ? [failure("ServerSpawnFailed", state, command.data.fault)] : [];
    case "ReportServerStopped":
      return state.status === "active" && state.task === "powering-off" ? [{ type: "ServerStopped", data: { serverId: state.serverId } }] : [];
    case "ReportServerStarted":
      return state.status === "stopped" && state.task === "powering-on" ? [{ type: "ServerStarted", data: { serverId: state.serverId } }] : [];
    case "ReportServerRebooted":
      return state.status === "active" && (state.task === "rebooting" || state.task === "rebooting_hard")
        ? [{ type: "ServerRebooted", data: { serverId: state.serverId } }]
        : [];
    case "ReportServerDestroyed":
      return state.status === "deleting" ? [deleted(state)] : [];
    case "StopServer":
      return onLive(state, command.data.serverId, stop);
    case "StartServer":
      return onLive(state, command.data.serverId, start);
    case "RebootServer":
      return onLive(state, command.data.serverId, (server) => reboot(command.data, server));
    case "RenameServer":
      return onLive(state, command.data.serverId, (server) => rename(command.data.name, server));
    case "SetServerMetadata":
      return onLive(state, command.data.serverId, (server) => setMetadata(command.data, server));
    case "DeleteServerMetadata":
      return onLive(state, command.data.serverId, (server) => deleteMetadata(command.data.key, server));
    case "DeleteServer":
      return onLive(state, command.data.serverId, deleteServer);
    default:
      return assertNever(command);
  }
};
