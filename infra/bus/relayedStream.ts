/**
 * What every relay from `$all` to JetStream shares (the host relay, the public events relay):
 * a stream configured as a delivery channel, not a record (ARCHITECTURE.md) — messages age out
 * after a week, an hour's duplicate window drops a re-publish after a restart — whose messages
 * carry their event's `$all` position, so a restarted relay resumes after the last one published.
 * A relay that publishes several events at once also says, on each message, how far everything
 * was published when it was sent, and resumes from there: its last message may have overtaken
 * one still under way.
 */
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { Effect } from "effect";

/** Published: the header carrying the `$all` position of the event a message was made from. */
export const positionHeader = "Weft-Position";

/**
 * Published: the `$all` position at or below which the relay had published every event it
 * relays when it sent this message. Absent, the message's own position is meant (a relay that
 * publishes one event at a time).
 */
export const relayedThroughHeader = "Weft-Relayed-Through";

const day = 24 * 60 * 60 * 1_000;

/** Creates the stream, or brings an existing one to this configuration. */
export const ensureRelayedStream = async (connection: NatsConnection, name: string, subjects: string): Promise<void> => {
  const jsm = await jetstreamManager(connection);
  const config = {
    name,
    subjects: [subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(7 * day),
    duplicate_window: nanos(60 * 60 * 1_000),
  };
  // Adding is idempotent for an identical configuration and refused for a different one; when
  // updating fails too, the refusal to add says more (JetStream disabled, no permission…).
  await jsm.streams.add(config).catch((refused: unknown) => jsm.streams.update(name, config).catch(() => Promise.reject(refused)));
};

/**
 * Where a relay starts: after its checkpoint or after the last position the stream holds (its
 * last message's `relayedThroughHeader` when it has one), whichever is later. A stream ahead of
 * the store belongs to another log (a data dir wiped, NATS kept) and is not trusted.
 */
export const relayStartPosition = Effect.fnUntraced(function* (options: {
  readonly relay: string;
  readonly connection: NatsConnection;
  readonly streamName: string;
  readonly checkpoint: number;
  readonly head: number;
}) {
  const { relay, connection, streamName, checkpoint, head } = options;
  const { lastPublished, publishedThrough } = yield* Effect.tryPromise(async () => {
    const jsm = await jetstreamManager(connection);
    const info = await jsm.streams.info(streamName);
    if (info.state.last_seq === 0) return { lastPublished: 0, publishedThrough: 0 };
    const last = await jsm.streams.getMessage(streamName, { seq: info.state.last_seq });
    const positionIn = (name: string, otherwise: string) => {
      const position = Number(last?.header.get(name) || otherwise);
      return Number.isSafeInteger(position) ? position : 0;
    };
    const position = positionIn(positionHeader, "0");
    return { lastPublished: position, publishedThrough: Math.min(position, positionIn(relayedThroughHeader, String(position))) };
  }).pipe(Effect.orElseSucceed(() => ({ lastPublished: 0, publishedThrough: 0 })));
  if (lastPublished > head) yield* Effect.logWarning(`${relay}: ${streamName} holds position ${lastPublished}, beyond the store's head ${head}; ignored`);
  return lastPublished > head ? checkpoint : Math.max(checkpoint, publishedThrough);
});
