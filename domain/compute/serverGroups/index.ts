/**
 * A server group (`serverGroup-<groupId>`): its creation with a placement policy, and deletion.
 */
import type { Decider } from "../../shared/index.ts";
import type { ServerGroupCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { ServerGroupEvent } from "./events.ts";
import type { ServerGroupRejection } from "./rejections.ts";
import { evolve, initialState, serverGroupStream, type ServerGroupState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export { serverGroupStream, type ServerGroupState } from "./state.ts";

export const serverGroupDecider: Decider<ServerGroupCommand, ServerGroupEvent, ServerGroupState, ServerGroupRejection> = {
  initialState,
  evolve,
  decide,
};

/** The stream a server group command is decided against. */
export const serverGroupStreamFor = (command: ServerGroupCommand): string => serverGroupStream(command.data.groupId);
