/**
 * The public NATS subjects (docs/events.md): every event's CloudEvent on JetStream
 * `<prefix>.events.<context>.<EventType>`, in one stream per control plane, `<PREFIX>_EVENTS`.
 * Published: in-cluster consumers subscribe by these names.
 *
 * The stream is a delivery channel, as the host channel is (ARCHITECTURE.md): messages age out
 * after a week, and a consumer that falls further behind catches up from the SSE stream, which
 * reads the event store. Its duplicate window drops a relay's re-publish after a restart.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { ensureRelayedStream, positionHeader } from "../bus/relayedStream.ts";
import { Effect, Schema } from "effect";

/** "weft" in every deployment; tests isolate control planes with their own. */
export const defaultEventsPrefix = "weft";

/** `weft.events.compute.ServerSpawned`. */
export const eventSubject = (context: string, eventType: string, prefix = defaultEventsPrefix) => `${prefix}.events.${context}.${eventType}`;
export const eventSubjects = (prefix = defaultEventsPrefix) => `${prefix}.events.>`;
/** `WEFT_EVENTS` for "weft": stream names may not hold '.', '*', '>' or spaces. */
export const eventsStreamName = (prefix = defaultEventsPrefix) => `${prefix.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase()}_EVENTS`;

/** The header carrying the event's `$all` position (also `weftposition` in the body). */
export const eventPositionHeader = positionHeader;
/** Structured content mode of the CloudEvents NATS binding: the body is the whole event. */
export const cloudEventsContentType = "application/cloudevents+json; charset=utf-8";

export class EventsChannelUnavailable extends Schema.TaggedError<EventsChannelUnavailable>()("EventsChannelUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

/** Creates the events stream, or brings an existing one to this configuration. */
export const ensureEventsStream = (connection: NatsConnection, prefix = defaultEventsPrefix) =>
  Effect.tryPromise({
    try: () => ensureRelayedStream(connection, eventsStreamName(prefix), eventSubjects(prefix)),
    catch: (cause) => new EventsChannelUnavailable({ message: `cannot set up the JetStream stream ${eventsStreamName(prefix)}: ${String(cause)}`, cause }),
  });
