/**
 * Stored events as projections see them: the decoded payload plus where and when it happened,
 * read from the event's metadata (the time is the command's, decided at the edge).
 */
import type { Message } from "@weft/domain/shared";
import type { ProjectedEvent } from "@weft/projections/shared";
import { eventMetadataCodec, type PayloadCodec } from "@weft/proto";
import type { RecordedEvent } from "../eventStore/EventStore.ts";

export const projectedDecoder =
  <E extends Message>(codec: PayloadCodec<E>) =>
  (event: RecordedEvent): ProjectedEvent<E> => {
    const metadata = eventMetadataCodec.decode(event.metadata);
    return {
      event: codec.decode(event.type, event.data),
      stream: event.stream,
      position: event.position,
      occurredAt: metadata.occurredAt,
      requestId: metadata.requestId,
      actor: { userId: metadata.actor?.userId ?? "", projectId: metadata.actor?.projectId ?? "" },
    };
  };
