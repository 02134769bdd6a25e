/**
 * Recorded events made by hand, for specs of what reads the log (the CloudEvent and audit
 * mappings): any published event, encoded with its context's codec, with metadata as a command
 * of `actor` would have written it.
 */
import type { Message } from "@weft/domain/shared";
import { eventMetadataCodec, type Actor, type PayloadCodec } from "@weft/proto";
import { computeEventCodec } from "../contexts/compute.ts";
import { identityEventCodec } from "../contexts/identity.ts";
import { imageEventCodec } from "../contexts/image.ts";
import { placementEventCodec } from "../contexts/placement.ts";
import type { RecordedEvent } from "../eventStore/EventStore.ts";
import { contextOf, type EventContext } from "../events/cloudEvents.ts";

export const eventCodecs: Record<EventContext, PayloadCodec<Message>> = {
  identity: identityEventCodec as PayloadCodec<Message>,
  compute: computeEventCodec,
  image: imageEventCodec as PayloadCodec<Message>,
  placement: placementEventCodec as PayloadCodec<Message>,
};

export const memberActor: Actor = { userId: "u-1", userName: "alice", projectId: "p-1", domainId: "default", roles: ["member", "reader"], systemScope: false };

/** `event` as the store would hand it back from `stream` at `position`. */
export const recordedEvent = (stream: string, event: Message, position = 42, actor: Actor = memberActor, commandType = ""): RecordedEvent => ({
  id: `event-${position}`,
  stream,
  revision: 0,
  position,
  type: event.type,
  data: eventCodecs[contextOf(event.type)!].encode(event),
  metadata: eventMetadataCodec.encode({
    commandId: "cmd-1", requestId: "req-1", correlationId: "corr-1", causationId: "", actor, occurredAt: "2030-01-02T03:04:05.000Z", commandType,
  }),
  recordedAt: Date.parse("2030-01-02T03:04:06.000Z"),
});
