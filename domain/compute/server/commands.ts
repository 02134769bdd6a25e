/**
 * The commands a server accepts, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto` (the wire truth; `../wire.unit.spec.ts` keeps the two
 * identical). Users send the lifecycle requests through the gateway; the scheduler sends
 * ScheduleServer and FailServerBuild; host agents send the Report* commands.
 */

/** What a server was built from, copied so a later flavor delete or edit never changes it. */
export interface FlavorSnapshot {
  readonly flavorId: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
  readonly ephemeralGb: number;
  readonly swapMb: number;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

/** The image a server boots from, copied for the same reason. */
export interface ImageRef {
  readonly imageId: string;
  readonly name: string;
  readonly minDiskGb: number;
  readonly minRamMb: number;
}

/** Nova's instance fault; its `created` is the time of the event that carries it. */
export interface Fault {
  readonly code: number;
  readonly message: string;
  readonly details: string;
}

export interface RequestServerBuild {
  readonly serverId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string;
  readonly flavor: FlavorSnapshot;
  readonly image: ImageRef;
  /** Empty when the server has no key pair. */
  readonly keyName: string;
  readonly keyPublicKey: string;
  /** Empty when in no server group. */
  readonly serverGroupId: string;
  readonly availabilityZone: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** RFC 3339; also the `created` time Nova shows. */
  readonly requestedAt: string;
}

export interface ScheduleServer {
  readonly serverId: string;
  readonly host: string;
  readonly providerId: string;
  readonly availabilityZone: string;
}

export interface FailServerBuild {
  readonly serverId: string;
  readonly fault: Fault;
}

/** A command that names only its server. */
export interface ServerTarget {
  readonly serverId: string;
}

export interface ReportServerSpawnFailed {
  readonly serverId: string;
  readonly fault: Fault;
}

export interface RebootServer {
  readonly serverId: string;
  readonly hard: boolean;
}

export interface RenameServer {
  readonly serverId: string;
  readonly name: string;
}

/** Merges: keys not named keep their values. */
export interface SetServerMetadata {
  readonly serverId: string;
  readonly items: Readonly<Record<string, string>>;
}

export interface DeleteServerMetadata {
  readonly serverId: string;
  readonly key: string;
}

export type ServerCommand =
  | { readonly type: "RequestServerBuild"; readonly data: RequestServerBuild }
  | { readonly type: "ScheduleServer"; readonly data: ScheduleServer }
  | { readonly type: "FailServerBuild"; readonly data: FailServerBuild }
  | { readonly type: "ReportServerSpawned"; readonly data: ServerTarget }
  | { readonly type: "ReportServerSpawnFailed"; readonly data: ReportServerSpawnFailed }
  | { readonly type: "TimeOutServerBuild"; readonly data: ServerTarget }
  | { readonly type: "StopServer"; readonly data: ServerTarget }
  | { readonly type: "ReportServerStopped"; readonly data: ServerTarget }
  | { readonly type: "StartServer"; readonly data: ServerTarget }
  | { readonly type: "ReportServerStarted"; readonly data: ServerTarget }
  | { readonly type: "RebootServer"; readonly data: RebootServer }
  | { readonly type: "ReportServerRebooted"; readonly data: ServerTarget }
  | { readonly type: "RenameServer"; readonly data: RenameServer }
  | { readonly type: "SetServerMetadata"; readonly data: SetServerMetadata }
  | { readonly type: "DeleteServerMetadata"; readonly data: DeleteServerMetadata }
  | { readonly type: "DeleteServer"; readonly data: ServerTarget }
  | { readonly type: "ReportServerDestroyed"; readonly data: ServerTarget };

export type ServerCommandType = ServerCommand["type"];

/** Every server command type, for routing (`weft.cmd.compute.<type>`) and exhaustive specs. */
export const serverCommandTypes = [
  "RequestServerBuild",
  "ScheduleServer",
  "FailServerBuild",
  "ReportServerSpawned",
  "ReportServerSpawnFailed",
  "TimeOutServerBuild",
  "StopServer",
  "ReportServerStopped",
  "StartServer",
  "ReportServerStarted",
  "RebootServer",
  "ReportServerRebooted",
  "RenameServer",
  "SetServerMetadata",
  "DeleteServerMetadata",
  "DeleteServer",
  "ReportServerDestroyed",
] as const satisfies ReadonlyArray<ServerCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<ServerCommandType, (typeof serverCommandTypes)[number]> extends never ? true : never = true;
