/**
 * The public shape of an event: a recorded event as a CloudEvents 1.0 JSON document, the same on
 * the SSE stream and on the NATS subjects (docs/events.md). Pure: the protobuf payload is decoded
 * with its context's codec, the metadata with `eventMetadataCodec`, and secrets are dropped
 * (`redaction.ts`) before anything is built.
 *
 * Published forever: `type` is `weft.<context>.<EventType>`, `source` is `/weft/<context>`,
 * `subject` is the id part of the stream (`server-<id>` gives `<id>`), and the extension names.
 */
import type { FlavorEvent, KeypairEvent, QuotaEvent, ServerEvent, ServerGroupEvent } from "@weft/domain/compute";
import {
  flavorCatalogStream,
  flavorEventTypes,
  keypairEventTypes,
  keypairsStream,
  quotaEventTypes,
  quotaStream,
  serverEventTypes,
  serverGroupEventTypes,
  serverGroupStream,
  serverStream,
} from "@weft/domain/compute";
import type { IdentityEvent } from "@weft/domain/identity";
import { identityEventTypes, identityStream } from "@weft/domain/identity";
import type { ImageEvent } from "@weft/domain/image";
import { imageEventTypes, imageStream } from "@weft/domain/image";
import type { PlacementEvent } from "@weft/domain/placement";
import { placementEventTypes, resourceProviderStream } from "@weft/domain/placement";
import type { Message } from "@weft/domain/shared";
import { eventMetadataCodec, UnknownMessageType, type PayloadCodec } from "@weft/proto";
import { computeEventCodec } from "../contexts/compute.ts";
import { identityEventCodec } from "../contexts/identity.ts";
import { imageEventCodec } from "../contexts/image.ts";
import { placementEventCodec } from "../contexts/placement.ts";
import { categoryOf, type RecordedEvent } from "../eventStore/EventStore.ts";
import { redactSecrets } from "./redaction.ts";

/** The bounded contexts whose events are published. */
export type EventContext = "identity" | "compute" | "image" | "placement";

interface ContextEvents {
  readonly context: EventContext;
  readonly codec: PayloadCodec<Message>;
  readonly types: ReadonlyArray<string>;
}

const contexts: ReadonlyArray<ContextEvents> = [
  { context: "identity", codec: identityEventCodec as PayloadCodec<Message>, types: identityEventTypes },
  {
    context: "compute",
    codec: computeEventCodec,
    types: [...serverEventTypes, ...flavorEventTypes, ...keypairEventTypes, ...serverGroupEventTypes, ...quotaEventTypes],
  },
  { context: "image", codec: imageEventCodec as PayloadCodec<Message>, types: imageEventTypes },
  { context: "placement", codec: placementEventCodec as PayloadCodec<Message>, types: placementEventTypes },
];

const byType: ReadonlyMap<string, ContextEvents> = new Map(contexts.flatMap((entry) => entry.types.map((type) => [type, entry] as const)));

/** Every event type name published, e.g. `ServerSpawned`. */
export const publishedEventTypes: ReadonlyArray<string> = [...byType.keys()];

/** The context an event type belongs to, or undefined for a type this version does not know. */
export const contextOf = (eventType: string): EventContext | undefined => byType.get(eventType)?.context;

/** `weft.compute.ServerSpawned`: the CloudEvents `type` of an event type. */
export const cloudEventType = (context: EventContext, eventType: string) => `weft.${context}.${eventType}`;

/** The event type name a CloudEvents `type` or a bare name stands for, if published. */
export const eventTypeNamed = (name: string): string | undefined => {
  const bare = name.startsWith("weft.") ? name.slice(name.lastIndexOf(".") + 1) : name;
  const context = contextOf(bare);
  return context !== undefined && (bare === name || name === cloudEventType(context, bare)) ? bare : undefined;
};

/** `server-3f…` -> `3f…`: the resource an event is about, the CloudEvents `subject`. */
export const resourceIdOf = (stream: string): string => {
  const dash = stream.indexOf("-");
  return dash === -1 ? "" : stream.slice(dash + 1);
};

/** Stream categories that exist (`resource_type` filter values). */
export const resourceTypes: ReadonlyArray<string> = [
  identityStream,
  flavorCatalogStream,
  keypairsStream("_"),
  serverStream("_"),
  serverGroupStream("_"),
  quotaStream("_"),
  imageStream("_"),
  resourceProviderStream("_"),
].map(categoryOf);

/**
 * A CloudEvents 1.0 event as Weft publishes it. Extension attributes are lowercase alphanumeric
 * (the spec's rule); an extension whose value would be empty is absent.
 */
export interface WeftCloudEvent<Type extends string = string, Data = unknown> {
  readonly specversion: "1.0";
  /** The event's id in the store: unique, and the same on every delivery. */
  readonly id: string;
  /** `/weft/<context>`. */
  readonly source: string;
  /** `weft.<context>.<EventType>`. */
  readonly type: Type;
  /** The resource: the id part of the event's stream. */
  readonly subject: string;
  /** When it happened (the command's time), RFC 3339. */
  readonly time: string;
  readonly datacontenttype: "application/json";
  /** The event's fields as its protobuf message names them (camelCase), secrets dropped. */
  readonly data: Data;
  /** The event's position in `$all`: what resumes a subscription. */
  readonly weftposition: number;
  /** The stream category, e.g. `server`: the `resource_type` filter. */
  readonly weftresourcetype: string;
  /** The project owning the resource, when one does (docs/events.md, scoping). */
  readonly weftproject?: string;
  /** Who caused it: user id, the token's project id, its roles joined by commas. */
  readonly weftactoruser?: string;
  readonly weftactorproject?: string;
  readonly weftactorroles?: string;
  /** The request that caused it (`x-openstack-request-id`). */
  readonly weftrequestid?: string;
  readonly weftcommandid?: string;
  /** The command that caused it (`StopServer`); absent for events recorded before Weft kept it. */
  readonly weftcommandtype?: string;
  readonly weftcorrelationid?: string;
  readonly weftcausationid?: string;
}

/** Fields never published, by the redaction rule: named here so the typed data says so too. */
type SecretFields = "passwordHash";

type CloudEventsOf<C extends EventContext, E extends Message> = E extends Message
  ? WeftCloudEvent<`weft.${C}.${E["type"]}`, Omit<E["data"], SecretFields>>
  : never;

/** Every event Weft publishes, discriminated on `type`: narrowing on it types `data`. */
export type AnyWeftCloudEvent =
  | CloudEventsOf<"identity", IdentityEvent>
  | CloudEventsOf<"compute", ServerEvent | FlavorEvent | KeypairEvent | ServerGroupEvent | QuotaEvent>
  | CloudEventsOf<"image", ImageEvent>
  | CloudEventsOf<"placement", PlacementEvent>;

const entryOf = (type: string) => {
  const entry = byType.get(type);
  if (entry === undefined) throw new UnknownMessageType(type, "any published context");
  return entry;
};

/** The event's payload decoded; throws UnknownMessageType for a type this version does not know. */
export const decodePayload = (recorded: Pick<RecordedEvent, "type" | "data">): Message => entryOf(recorded.type).codec.decode(recorded.type, recorded.data);

const present = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);

/**
 * The CloudEvent of a recorded event; `owner` is the project owning its stream (see
 * `ownership.ts`), `payload` the event decoded when the caller has it already. Throws
 * UnknownMessageType for an event type this version does not know.
 */
export const toCloudEvent = (recorded: RecordedEvent, owner?: string, payload: Message = decodePayload(recorded)): AnyWeftCloudEvent => {
  const entry = entryOf(recorded.type);
  const metadata = eventMetadataCodec.decode(recorded.metadata);
  const actor = metadata.actor;
  const event: Record<string, unknown> = {
    specversion: "1.0",
    id: recorded.id,
    source: `/weft/${entry.context}`,
    type: cloudEventType(entry.context, recorded.type),
    subject: resourceIdOf(recorded.stream),
    time: present(metadata.occurredAt) ?? new Date(recorded.recordedAt).toISOString(),
    datacontenttype: "application/json",
    data: redactSecrets(payload.data),
    weftposition: recorded.position,
    weftresourcetype: categoryOf(recorded.stream),
  };
  // Added only when present (never added then deleted: deleting slows every later stringify).
  const extensions: ReadonlyArray<readonly [string, string | undefined]> = [
    ["weftproject", owner],
    ["weftactoruser", actor?.userId],
    ["weftactorproject", actor?.projectId],
    ["weftactorroles", actor?.roles.join(",")],
    ["weftrequestid", metadata.requestId],
    ["weftcommandid", metadata.commandId],
    ["weftcommandtype", metadata.commandType],
    ["weftcorrelationid", metadata.correlationId],
    ["weftcausationid", metadata.causationId],
  ];
  for (const [name, value] of extensions) if (value !== undefined && value !== "") event[name] = value;
  return event as unknown as AnyWeftCloudEvent;
};
