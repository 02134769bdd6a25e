/**
 * The public event streams (docs/events.md): every event as a CloudEvents 1.0 document with its
 * secrets dropped (`toCloudEvent`), the feed the gateway's SSE stream serves from
 * (`makeEventFeed`), the relay that publishes to NATS `weft.events.<context>.<EventType>`
 * (`runEventRelay`), and the subscriber client (`subscribeEvents`).
 */
export {
  cloudEventType,
  contextOf,
  decodePayload,
  eventTypeNamed,
  publishedEventTypes,
  resourceIdOf,
  resourceTypes,
  toCloudEvent,
  type AnyWeftCloudEvent,
  type EventContext,
  type WeftCloudEvent,
} from "./cloudEvents.ts";
export { isSecretField, redactSecrets } from "./redaction.ts";
export { foldedId, ownerOfStream, ownerStated, projectOwnedCategories, sameProject } from "./ownership.ts";
export { defaultFeedLimits, makeEventFeed, type EventFeed, type EventFeedOptions, type FeedEvent, type FeedLimits, type FeedPage, type FeedQuery } from "./feed.ts";
export { eventFrame, heartbeatFrame, openingFrame, sseParser, type SseMessage } from "./sse.ts";
export {
  cloudEventsContentType,
  defaultEventsPrefix,
  ensureEventsStream,
  eventPositionHeader,
  eventsStreamName,
  eventSubject,
  eventSubjects,
  EventsChannelUnavailable,
} from "./subjects.ts";
export { eventRelayName, runEventRelay, type EventRelayOptions, type RunningEventRelay } from "./eventRelay.ts";
export { subscribeEvents, SubscriptionRefused, type SubscribeOptions } from "./subscriber.ts";
