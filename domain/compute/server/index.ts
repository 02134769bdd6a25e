/**
 * A server (`server-<serverId>`): one server's lifecycle from build request to deletion, with
 * Nova's status, task state and power state derivable from its state by `novaStatus`.
 */
import type { Decider } from "../../shared/index.ts";
import type { ServerCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { ServerEvent } from "./events.ts";
import type { ServerRejection } from "./rejections.ts";
import { evolve, initialState, serverStream, type ServerState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export * from "./novaStatus.ts";
export {
  serverStream,
  isLive,
  vmStateOf,
  placementOf,
  type Placement,
  type VmState,
  type ServerState,
  type LiveServer,
  type NoServer,
  type SchedulingServer,
  type SpawningServer,
  type ActiveServer,
  type StoppedServer,
  type FailedServer,
  type DeletingServer,
  type DeletedServer,
} from "./state.ts";
export { buildTimedOutFault, imageFlavorMismatch } from "./decide.ts";

export const serverDecider: Decider<ServerCommand, ServerEvent, ServerState, ServerRejection> = { initialState, evolve, decide };

/** The stream a server command is decided against. */
export const serverStreamFor = (command: ServerCommand): string => serverStream(command.data.serverId);
