/**
 * Resolves the project owning an event's stream (the rule is `ownership.ts`) for the feed and the
 * relay: from the event itself when it states its owner, else from a bounded cache, else from the
 * stream's own events in the store. An owner never changes once stated, so a cached answer is
 * right for any position; an evicted one is read again.
 */
import { Effect } from "effect";
import type { Message } from "@weft/domain/shared";
import { categoryOf, type EventStoreShape, type EventStoreUnavailable, type RecordedEvent } from "../eventStore/EventStore.ts";
import { decodePayload, contextOf } from "./cloudEvents.ts";
import { ownerOfStream, ownerStated, projectOwnedCategories } from "./ownership.ts";

export interface StreamOwners {
  /** The owning project of `recorded`'s stream; `payload` is the event decoded. */
  readonly ownerOf: (recorded: RecordedEvent, payload: Message) => Effect.Effect<string | undefined, EventStoreUnavailable>;
}

/** Streams remembered (first in, first out): a few MB at most. */
const defaultCapacity = 50_000;

// Lazily: the owner is nearly always stated by the stream's first event.
function* decoded(events: ReadonlyArray<RecordedEvent>): Generator<Message> {
  for (const event of events) if (contextOf(event.type) !== undefined) yield decodePayload(event);
}

export const makeStreamOwners = (store: Pick<EventStoreShape, "read">, capacity = defaultCapacity): StreamOwners => {
  // Only owners are cached: a stream without one yet may state it in a later event.
  const owners = new Map<string, string>();
  const remember = (stream: string, owner: string) => {
    if (owners.has(stream)) return;
    if (owners.size >= capacity) owners.delete(owners.keys().next().value!);
    owners.set(stream, owner);
  };

  const ownerOf = (recorded: RecordedEvent, payload: Message) => {
    const category = categoryOf(recorded.stream);
    if (!projectOwnedCategories.has(category)) return Effect.succeed(undefined);
    const stated = ownerStated(payload);
    if (stated !== undefined) {
      remember(recorded.stream, stated);
      return Effect.succeed(stated);
    }
    const cached = owners.get(recorded.stream);
    if (cached !== undefined) return Effect.succeed(cached);
    return Effect.map(store.read(recorded.stream), (events) => {
      const owner = ownerOfStream(category, decoded(events));
      if (owner !== undefined) remember(recorded.stream, owner);
      return owner;
    });
  };
  return { ownerOf };
};
