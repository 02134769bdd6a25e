/**
 * The public events relay: follows `$all` from its checkpoint and publishes every event's
 * CloudEvent to JetStream `<prefix>.events.<context>.<EventType>` (`subjects.ts`), one at a
 * time and in order, each acknowledged by JetStream before the next is sent and before the
 * checkpoint moves past it. A failed publish is retried, never skipped, so nothing is lost or
 * reordered.
 *
 * A restart re-publishes at most what came after the last saved checkpoint; the event id is the
 * message id, so the stream's duplicate window drops those. And since every message carries its
 * event's position, a restarted relay resumes after the last position the stream holds, whichever
 * of that and its checkpoint is later (as the host relay does), so even a restart after the
 * duplicate window publishes nothing twice.
 */
import { jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { Effect } from "effect";
import { Nats } from "../bus/Nats.ts";
import { relayStartPosition } from "../bus/relayedStream.ts";
import { EventStore, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import type { CheckpointStore } from "../runtime/checkpoints.ts";
import { runProcessManager, type ProcessManager, type ProcessManagerOptions } from "../runtime/processManager.ts";
import { contextOf, decodePayload, publishedEventTypes, toCloudEvent } from "./cloudEvents.ts";
import { makeStreamOwners } from "./streamOwners.ts";
import {
  cloudEventsContentType,
  defaultEventsPrefix,
  ensureEventsStream,
  eventPositionHeader,
  eventsStreamName,
  eventSubject,
  EventsChannelUnavailable,
} from "./subjects.ts";

/** Published: it names the relay's checkpoint. */
export const eventRelayName = "event-relay";

export interface EventRelayOptions extends ProcessManagerOptions {
  /** First subject token; "weft" unless tests isolate control planes. */
  readonly subjectPrefix?: string;
}

export interface RunningEventRelay {
  /** The position of the last event published (or passed over, for types this version does not know). */
  readonly position: () => Position;
  /** Messages published since start, re-publishes the stream dropped included. */
  readonly published: () => number;
}

const utf8 = new TextEncoder();

export const runEventRelay = Effect.fnUntraced(function* (options: EventRelayOptions) {
  const store = yield* EventStore;
  const { connection } = yield* Nats;
  const prefix = options.subjectPrefix ?? defaultEventsPrefix;
  const streamName = eventsStreamName(prefix);
  const js = jetstream(connection);
  const owners = makeStreamOwners(store);

  yield* ensureEventsStream(connection, prefix);

  let published = 0;
  const publish = (recorded: RecordedEvent, subject: string, body: Uint8Array) => {
    const send = Effect.tryPromise({
      try: () => {
        const h = headers();
        h.set(eventPositionHeader, String(recorded.position));
        h.set("Content-Type", cloudEventsContentType);
        return js.publish(subject, body, { msgID: recorded.id, headers: h });
      },
      catch: (cause) => new EventsChannelUnavailable({ message: `cannot publish ${recorded.type} at ${recorded.position}: ${String(cause)}`, cause }),
    });
    // The stream may have been deleted under us (an operator, a lost JetStream store): set it up again.
    return send.pipe(
      Effect.catch(() => ensureEventsStream(connection, prefix).pipe(Effect.andThen(send))),
      Effect.tap(() => Effect.sync(() => void (published += 1))),
    );
  };

  const handle = (recorded: RecordedEvent) =>
    Effect.gen(function* () {
      const payload = decodePayload(recorded);
      const owner = yield* owners.ownerOf(recorded, payload);
      const event = toCloudEvent(recorded, owner, payload);
      yield* publish(recorded, eventSubject(contextOf(recorded.type)!, recorded.type, prefix), utf8.encode(JSON.stringify(event)));
    });

  const head = yield* store.head;
  const start = yield* relayStartPosition({ relay: eventRelayName, connection, streamName, checkpoint: yield* options.checkpoints.load(eventRelayName), head });

  const manager: ProcessManager<never> = { name: eventRelayName, eventTypes: new Set(publishedEventTypes), handle };
  const checkpoints: CheckpointStore = { load: () => Effect.succeed(start), save: options.checkpoints.save };
  const running = yield* runProcessManager(manager, { ...options, checkpoints });
  return { position: running.position, published: () => published } satisfies RunningEventRelay;
});
