/**
 * The audit record of an event: a recorded event as a CADF event (DMTF DSP0262, as pycadf and
 * Keystone's CADF notifications write it), so an auditor's SIEM reads who did what to which
 * resource, when, and how it ended. Pure: decoding, the `weft.<context>.<Type>` name, the stream's
 * resource id and the redaction of secrets are the CloudEvent mapping's own pieces
 * (`../events`), so both public shapes of an event say the same thing and hide the same fields.
 *
 * Published forever (docs/audit.md): the CADF field names, the `action` and target `typeURI` of
 * each event type, and the names under `weft`.
 */
import type { FlavorEvent, KeypairEvent, QuotaEvent, ServerEvent, ServerGroupEvent } from "@weft/domain/compute";
import type { IdentityEvent } from "@weft/domain/identity";
import type { ImageEvent } from "@weft/domain/image";
import type { PlacementEvent } from "@weft/domain/placement";
import type { Message } from "@weft/domain/shared";
import { eventMetadataCodec, type EventMetadata } from "@weft/proto";
import { categoryOf, type RecordedEvent } from "../eventStore/EventStore.ts";
import { cloudEventType, contextOf, decodePayload, resourceIdOf } from "../events/cloudEvents.ts";
import { foldedId } from "../events/ownership.ts";
import { redactSecrets } from "../events/redaction.ts";

export const cadfEventTypeUri = "http://schemas.dmtf.org/cloud/audit/1.0/event";

/** CADF action taxonomy values (`update/metadata`-style refinements are not used). */
export type AuditAction = "create" | "update" | "delete" | "start" | "stop" | "start/reboot" | "enable" | "disable" | "revoke";

/**
 * `pending` for a request the fabric accepted and is carrying out (`ServerStopRequested`), its
 * completion comes as a later `success` record (`ServerStopped`); `failure` for an event that
 * records a failure (`ServerSpawnFailed`). Refused commands append nothing, so have no record.
 */
export type AuditOutcome = "success" | "pending" | "failure";

export interface AuditResource {
  readonly typeURI: string;
  readonly id: string;
  readonly name?: string;
}

export interface AuditInitiator extends AuditResource {
  /** The token's project, when it had one. */
  readonly project_id?: string;
  readonly domain_id?: string;
  readonly roles: ReadonlyArray<string>;
}

export interface AuditRecord {
  readonly typeURI: typeof cadfEventTypeUri;
  /** The event's id in the store: the same record every time it is read. */
  readonly id: string;
  readonly eventType: "activity";
  /** When it happened: the time of the command that caused it, RFC 3339. */
  readonly eventTime: string;
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly initiator: AuditInitiator;
  readonly target: AuditResource;
  readonly observer: AuditResource;
  readonly weft: {
    /** Position in `$all`: the record's order, and the history's paging marker. */
    readonly position: number;
    /** `weft.<context>.<EventType>`, as the event stream names it. */
    readonly eventType: string;
    readonly stream: string;
    /** The project owning the target, when one does (docs/events.md, scoping). */
    readonly project?: string;
    readonly requestId?: string;
    readonly commandId?: string;
    /** The command that caused the event (`StopServer`); absent for events recorded before Weft kept it. */
    readonly commandType?: string;
    readonly correlationId?: string;
    readonly causationId?: string;
    /** The event's fields, secrets dropped. */
    readonly data: unknown;
  };
}

type PublishedType =
  | IdentityEvent["type"]
  | (ServerEvent | FlavorEvent | KeypairEvent | ServerGroupEvent | QuotaEvent)["type"]
  | ImageEvent["type"]
  | PlacementEvent["type"];

// A new event type without an action is a compile error here.
const actions = {
  DomainCreated: "create",
  RoleCreated: "create",
  RoleImplied: "update",
  RoleDeleted: "delete",
  ProjectCreated: "create",
  ProjectRenamed: "update",
  ProjectDescriptionChanged: "update",
  ProjectEnabled: "enable",
  ProjectDisabled: "disable",
  ProjectDeleted: "delete",
  UserCreated: "create",
  UserRenamed: "update",
  UserPasswordChanged: "update",
  UserEmailChanged: "update",
  UserDescriptionChanged: "update",
  UserDefaultProjectChanged: "update",
  UserEnabled: "enable",
  UserDisabled: "disable",
  UserDeleted: "delete",
  RoleAssignmentGranted: "create",
  RoleAssignmentRevoked: "delete",
  TokenRevoked: "revoke",
  ServerBuildRequested: "create",
  ServerScheduled: "update",
  ServerBuildFailed: "create",
  ServerSpawned: "create",
  ServerSpawnFailed: "create",
  ServerBuildTimedOut: "create",
  ServerStopRequested: "stop",
  ServerStopped: "stop",
  ServerStartRequested: "start",
  ServerStarted: "start",
  ServerRebootRequested: "start/reboot",
  ServerRebooted: "start/reboot",
  ServerRenamed: "update",
  ServerMetadataSet: "update",
  ServerMetadataDeleted: "update",
  ServerDeletionRequested: "delete",
  ServerDeleted: "delete",
  FlavorCreated: "create",
  FlavorDeleted: "delete",
  FlavorExtraSpecsSet: "update",
  FlavorExtraSpecUnset: "update",
  KeypairImported: "create",
  KeypairDeleted: "delete",
  ServerGroupCreated: "create",
  ServerGroupDeleted: "delete",
  QuotaLimitsSet: "update",
  ServerResourcesReserved: "update",
  ServerResourcesReleased: "update",
  ImageCreated: "create",
  ImageUploadStaged: "update",
  ImageUploadCompleted: "update",
  ImageUploadAborted: "update",
  ImageRenamed: "update",
  ImageVisibilityChanged: "update",
  ImageProtectionChanged: "update",
  ImageMinimumsChanged: "update",
  ImagePropertiesSet: "update",
  ImagePropertiesRemoved: "update",
  ImageTagsChanged: "update",
  ImageDeactivated: "disable",
  ImageReactivated: "enable",
  ImageDeleted: "delete",
  ResourceProviderCreated: "create",
  InventorySet: "update",
  AllocationClaimed: "update",
  AllocationReleased: "update",
  ResourceProviderDeleted: "delete",
} as const satisfies Record<PublishedType, AuditAction>;

/** The CADF action of an event type; "update" for a type this version does not know. */
export const actionOf = (eventType: string): AuditAction => (actions as Record<string, AuditAction>)[eventType] ?? "update";

export const outcomeOf = (eventType: string): AuditOutcome =>
  eventType.endsWith("Requested") ? "pending" : eventType.endsWith("Failed") || eventType.endsWith("TimedOut") ? "failure" : "success";

/** CADF resource types of the resources whose stream is their own (the category names them). */
const categoryTypeUris: Readonly<Record<string, string>> = {
  server: "compute/machine",
  serverGroup: "compute/machine/group",
  quota: "data/config/quota",
  image: "data/image",
  resourceProvider: "compute/node",
  keypairs: "data/security/key",
  flavors: "data/template",
};

// The identity directory is one stream: the target is the entity the event names.
const identityTargets: ReadonlyArray<readonly [prefix: string, typeURI: string, idField: string]> = [
  ["Domain", "data/security/domain", "domainId"],
  ["RoleAssignment", "data/security/account/user/privilege", "userId"],
  ["RoleImplied", "data/security/role", "priorRoleId"],
  ["Role", "data/security/role", "roleId"],
  ["Project", "data/security/project", "projectId"],
  ["User", "data/security/account/user", "userId"],
  ["Token", "data/security/credential", "auditId"],
];

const stringField = (data: object, field: string): string | undefined => {
  const value = (data as Record<string, unknown>)[field];
  return typeof value === "string" && value !== "" ? value : undefined;
};

// Streams name ids as dashed uuids (`quota-<uuidOf(project)>`); the event's own `…Id` field has
// the id as the API shows it (Keystone's 32 hex digits), so that one is preferred.
const idAsShown = (data: object, streamId: string): string => {
  const folded = foldedId(streamId);
  for (const [key, value] of Object.entries(data)) {
    if (key.endsWith("Id") && typeof value === "string" && foldedId(value) === folded) return value;
  }
  return streamId;
};

/** The resource an event is about, as a CADF resource. */
export const targetOf = (stream: string, payload: Message): AuditResource => {
  const category = categoryOf(stream);
  const data = payload.data;
  const named = (typeURI: string, id: string): AuditResource => {
    const name = stringField(data, "name");
    return name === undefined ? { typeURI, id } : { typeURI, id, name };
  };
  if (contextOf(payload.type) === "identity") {
    const entry = identityTargets.find(([prefix]) => payload.type.startsWith(prefix));
    if (entry !== undefined) return named(entry[1], stringField(data, entry[2]) ?? resourceIdOf(stream));
  }
  if (category === "flavors") return named(categoryTypeUris.flavors!, stringField(data, "flavorId") ?? resourceIdOf(stream));
  // A key pair has no id: Nova names it, per user.
  if (category === "keypairs") return named(categoryTypeUris.keypairs!, stringField(data, "name") ?? resourceIdOf(stream));
  return named(categoryTypeUris[category] ?? "unknown", idAsShown(data, resourceIdOf(stream)));
};

/**
 * Every resource id (folded: no dashes, lower case) whose history includes the event: its target,
 * its stream's resource (a user's key pairs, a project's quota), and the other resources it acts
 * on (a role assignment's project and role, a server's quota reservation and allocations).
 */
export const subjectsOf = (stream: string, payload: Message): ReadonlyArray<string> => {
  const ids = [targetOf(stream, payload).id, resourceIdOf(stream)];
  const data = payload.data;
  const also = (field: string) => {
    const value = stringField(data, field);
    if (value !== undefined) ids.push(value);
  };
  switch (payload.type) {
    case "RoleAssignmentGranted":
    case "RoleAssignmentRevoked":
      also("projectId");
      also("roleId");
      break;
    case "RoleImplied":
      also("impliedRoleId");
      break;
    case "TokenRevoked":
      also("userId");
      break;
    case "ServerResourcesReserved":
    case "ServerResourcesReleased":
      also("serverId");
      break;
    case "AllocationClaimed":
    case "AllocationReleased":
      also("consumerId");
      break;
  }
  return [...new Set(ids.filter((id) => id !== "").map(foldedId))];
};

const present = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);

/** Who caused it: the token's user, or the fabric itself (bootstrap, scheduler, host agents). */
export const initiatorOf = (actor: EventMetadata["actor"] | undefined): AuditInitiator => {
  if (actor === undefined || actor === null || actor.userId === "") {
    return { typeURI: "service", id: "weft", name: actor?.userName || "weft", roles: actor?.roles ?? [] };
  }
  const initiator: AuditInitiator = { typeURI: "service/security/account/user", id: actor.userId, roles: actor.roles };
  return {
    ...initiator,
    ...(present(actor.userName) === undefined ? {} : { name: actor.userName }),
    ...(present(actor.projectId) === undefined ? {} : { project_id: actor.projectId }),
    ...(present(actor.domainId) === undefined ? {} : { domain_id: actor.domainId }),
  };
};

const observer: AuditResource = { typeURI: "service", id: "weft", name: "weft" };

/**
 * The audit record of a recorded event; `owner` is the project owning its stream (see
 * `../events/ownership.ts`), `payload` the event decoded when the caller has it already.
 * Throws UnknownMessageType for an event type this version does not know.
 */
export const toAuditRecord = (recorded: RecordedEvent, owner?: string, payload: Message = decodePayload(recorded)): AuditRecord => {
  const metadata = eventMetadataCodec.decode(recorded.metadata);
  const weft: Record<string, unknown> = {
    position: recorded.position,
    eventType: cloudEventType(contextOf(recorded.type)!, recorded.type),
    stream: recorded.stream,
  };
  const optional: ReadonlyArray<readonly [string, string | undefined]> = [
    ["project", owner],
    ["requestId", metadata.requestId],
    ["commandId", metadata.commandId],
    ["commandType", metadata.commandType],
    ["correlationId", metadata.correlationId],
    ["causationId", metadata.causationId],
  ];
  for (const [name, value] of optional) if (present(value) !== undefined) weft[name] = value;
  weft.data = redactSecrets(payload.data);
  return {
    typeURI: cadfEventTypeUri,
    id: recorded.id,
    eventType: "activity",
    eventTime: present(metadata.occurredAt) ?? new Date(recorded.recordedAt).toISOString(),
    action: actionOf(recorded.type),
    outcome: outcomeOf(recorded.type),
    initiator: initiatorOf(metadata.actor),
    target: targetOf(recorded.stream, payload),
    observer,
    weft: weft as AuditRecord["weft"],
  };
};
