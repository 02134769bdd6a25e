/**
 * One server group as `decide` needs it: whether it exists. Its policy and members are the
 * scheduler's and the read models' business.
 */
import { uuidOf } from "../ids.ts";
import type { ServerGroupEvent } from "./events.ts";

export const serverGroupStream = (groupId: string): string => `serverGroup-${uuidOf(groupId)}`;

export type ServerGroupState =
  | { readonly status: "none" }
  | { readonly status: "created"; readonly groupId: string }
  | { readonly status: "deleted"; readonly groupId: string };

export const initialState = (): ServerGroupState => ({ status: "none" });

/** Total and never throwing; a group id is never reused, so a deleted group stays deleted. */
export const evolve = (state: ServerGroupState, event: ServerGroupEvent): ServerGroupState => {
  switch (event.type) {
    case "ServerGroupCreated":
      return state.status === "none" ? { status: "created", groupId: event.data.groupId } : state;
    case "ServerGroupDeleted":
      return { status: "deleted", groupId: event.data.groupId };
    default: {
      const _unhandled: never = event;
      return state;
    }
  }
};
