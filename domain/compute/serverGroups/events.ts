/**
 * The events of a server group, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto`. Event type names are published forever.
 */
import type { CreateServerGroup, ServerGroupTarget } from "./commands.ts";

export type ServerGroupCreated = CreateServerGroup;

export type ServerGroupEvent =
  | { readonly type: "ServerGroupCreated"; readonly data: ServerGroupCreated }
  | { readonly type: "ServerGroupDeleted"; readonly data: ServerGroupTarget };

export type ServerGroupEventType = ServerGroupEvent["type"];

/** Every server group event type: the filter of server group read models and exhaustive specs. */
export const serverGroupEventTypes = ["ServerGroupCreated", "ServerGroupDeleted"] as const satisfies ReadonlyArray<ServerGroupEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<ServerGroupEventType, (typeof serverGroupEventTypes)[number]> extends never ? true : never = true;
