/**
 * Why a server refuses a command. The `_tag`s are published (the Nova gateway's fault table is
 * keyed by them: ServerNotFound and ServerMetadataKeyNotFound are 404, the flavor/image checks
 * 400, the rest 409 conflictingRequest); the messages follow Nova's own wording.
 */
import { reject, type Rejection } from "../../shared/index.ts";

export const serverRejectionTags = [
  "ServerAlreadyExists",
  "ServerNotFound",
  "ServerNotBuilding",
  "ServerNotActive",
  "ServerNotStopped",
  "ServerTaskInProgress",
  "ServerMetadataKeyNotFound",
  "FlavorMemoryTooSmall",
  "FlavorDiskSmallerThanMinDisk",
] as const;

export type ServerRejectionTag = (typeof serverRejectionTags)[number];

export type ServerRejection = Rejection<ServerRejectionTag>;

const GIB = 1024 ** 3;

export const serverAlreadyExists = (serverId: string): ServerRejection =>
  reject("ServerAlreadyExists", `Instance ${serverId} already exists.`);

export const serverNotFound = (serverId: string): ServerRejection =>
  reject("ServerNotFound", `Instance ${serverId} could not be found.`);

// Nova's InstanceInvalidState, one tag per rule broken so the gateway and tests can tell them apart.
const invalidState = (tag: ServerRejectionTag, action: string, serverId: string, attribute: string, value: string): ServerRejection =>
  reject(tag, `Cannot '${action}' instance ${serverId} while it is in ${attribute} ${value}`);

export const serverNotBuilding = (action: string, serverId: string, attribute: "vm_state" | "task_state", value: string): ServerRejection =>
  invalidState("ServerNotBuilding", action, serverId, attribute, value);

export const serverNotActive = (action: string, serverId: string, vmState: string): ServerRejection =>
  invalidState("ServerNotActive", action, serverId, "vm_state", vmState);

export const serverNotStopped = (action: string, serverId: string, vmState: string): ServerRejection =>
  invalidState("ServerNotStopped", action, serverId, "vm_state", vmState);

export const serverTaskInProgress = (action: string, serverId: string, taskState: string): ServerRejection =>
  invalidState("ServerTaskInProgress", action, serverId, "task_state", taskState);

export const serverMetadataKeyNotFound = (): ServerRejection =>
  reject("ServerMetadataKeyNotFound", "Metadata item was not found");

export const flavorMemoryTooSmall = (): ServerRejection =>
  reject("FlavorMemoryTooSmall", "Flavor's memory is too small for requested image.");

export const flavorDiskSmallerThanMinDisk = (flavorDiskGb: number, imageMinDiskGb: number): ServerRejection =>
  reject(
    "FlavorDiskSmallerThanMinDisk",
    `Flavor's disk is too small for requested image. Flavor disk is ${flavorDiskGb * GIB} bytes, minimum size is ${imageMinDiskGb * GIB} bytes.`,
  );
