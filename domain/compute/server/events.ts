/**
 * The events of a server's lifecycle, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto`. Event type names are published forever. Host-addressed
 * events carry the host so the relay routes them without a read model (empty: none assigned);
 * events that end a server's claim on quota or placement carry the project and provider.
 */
import type { Fault, RequestServerBuild } from "./commands.ts";

export type ServerBuildRequested = RequestServerBuild;

export interface ServerScheduled {
  readonly serverId: string;
  readonly host: string;
  readonly providerId: string;
  readonly availabilityZone: string;
}

/** ServerBuildFailed, ServerSpawnFailed and ServerBuildTimedOut. */
export interface ServerFailed {
  readonly serverId: string;
  readonly projectId: string;
  readonly fault: Fault;
}

/** A fact about one server that needs no more than its id. */
export interface ServerFact {
  readonly serverId: string;
}

/** A request the server's host must carry out. */
export interface ServerHostRequest {
  readonly serverId: string;
  readonly host: string;
}

export interface ServerRebootRequested {
  readonly serverId: string;
  readonly host: string;
  readonly hard: boolean;
}

export interface ServerRenamed {
  readonly serverId: string;
  readonly name: string;
}

/** Only the items that changed. */
export interface ServerMetadataSet {
  readonly serverId: string;
  readonly items: Readonly<Record<string, string>>;
}

export interface ServerMetadataDeleted {
  readonly serverId: string;
  readonly key: string;
}

export interface ServerDeleted {
  readonly serverId: string;
  readonly projectId: string;
  /** Empty when the server was never scheduled. */
  readonly providerId: string;
}

export type ServerEvent =
  | { readonly type: "ServerBuildRequested"; readonly data: ServerBuildRequested }
  | { readonly type: "ServerScheduled"; readonly data: ServerScheduled }
  | { readonly type: "ServerBuildFailed"; readonly data: ServerFailed }
  | { readonly type: "ServerSpawned"; readonly data: ServerFact }
  | { readonly type: "ServerSpawnFailed"; readonly data: ServerFailed }
  | { readonly type: "ServerBuildTimedOut"; readonly data: ServerFailed }
  | { readonly type: "ServerStopRequested"; readonly data: ServerHostRequest }
  | { readonly type: "ServerStopped"; readonly data: ServerFact }
  | { readonly type: "ServerStartRequested"; readonly data: ServerHostRequest }
  | { readonly type: "ServerStarted"; readonly data: ServerFact }
  | { readonly type: "ServerRebootRequested"; readonly data: ServerRebootRequested }
  | { readonly type: "ServerRebooted"; readonly data: ServerFact }
  | { readonly type: "ServerRenamed"; readonly data: ServerRenamed }
  | { readonly type: "ServerMetadataSet"; readonly data: ServerMetadataSet }
  | { readonly type: "ServerMetadataDeleted"; readonly data: ServerMetadataDeleted }
  | { readonly type: "ServerDeletionRequested"; readonly data: ServerHostRequest }
  | { readonly type: "ServerDeleted"; readonly data: ServerDeleted };

export type ServerEventType = ServerEvent["type"];

/** Every server event type: the filter of server read models and exhaustive specs. */
export const serverEventTypes = [
  "ServerBuildRequested",
  "ServerScheduled",
  "ServerBuildFailed",
  "ServerSpawned",
  "ServerSpawnFailed",
  "ServerBuildTimedOut",
  "ServerStopRequested",
  "ServerStopped",
  "ServerStartRequested",
  "ServerStarted",
  "ServerRebootRequested",
  "ServerRebooted",
  "ServerRenamed",
  "ServerMetadataSet",
  "ServerMetadataDeleted",
  "ServerDeletionRequested",
  "ServerDeleted",
] as const satisfies ReadonlyArray<ServerEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<ServerEventType, (typeof serverEventTypes)[number]> extends never ? true : never = true;
