/**
 * Why a server group refuses a command. The `_tag`s are published (the Nova gateway maps
 * ServerGroupNotFound to 404, ServerGroupAlreadyExists to 409, InvalidServerGroup to 400); the
 * messages follow Nova's wording.
 */
import { reject, type Rejection } from "../../shared/index.ts";

export const serverGroupRejectionTags = ["ServerGroupAlreadyExists", "ServerGroupNotFound", "InvalidServerGroup"] as const;

export type ServerGroupRejectionTag = (typeof serverGroupRejectionTags)[number];

export type ServerGroupRejection = Rejection<ServerGroupRejectionTag>;

export const serverGroupAlreadyExists = (groupId: string): ServerGroupRejection =>
  reject("ServerGroupAlreadyExists", `Instance group ${groupId} already exists.`);

export const serverGroupNotFound = (groupId: string): ServerGroupRejection =>
  reject("ServerGroupNotFound", `Instance group ${groupId} could not be found.`);

export const invalidServerGroup = (reason: string): ServerGroupRejection => reject("InvalidServerGroup", `Invalid input received: ${reason}`);
