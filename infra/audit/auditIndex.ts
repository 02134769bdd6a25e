/**
 * Where in `$all` each resource's and each user's events are: the audit trail's index, folded in
 * memory from the log in position order. A resource may own streams of several categories (a
 * project's quota stream and its entries in the identity directory), and shared streams hold many
 * resources (the identity directory, the flavor catalog, a host's allocations), so the index keeps
 * positions per resource id rather than streams. It also keeps each stream's owning project, for
 * the project scoping of docs/events.md. No I/O: the trail feeds it and reads the events.
 */
import type { Message } from "@weft/domain/shared";
import { categoryOf, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import { contextOf, decodePayload, resourceIdOf } from "../events/cloudEvents.ts";
import { foldedId, ownerStated, projectOwnedCategories } from "../events/ownership.ts";
import { projectedMetadataOf } from "../runtime/projectedEvents.ts";
import { subjectsOf } from "./cadf.ts";

/** Positions in increasing order, with each event's time (epoch ms) alongside. */
export interface IndexEntries {
  readonly positions: ReadonlyArray<Position>;
  readonly times: ReadonlyArray<number>;
}

/** A resource's entries also name the streams its events are in (whose owners scope it). */
export interface ResourceEntries extends IndexEntries {
  readonly streams: ReadonlySet<string>;
}

interface MutableEntries {
  readonly positions: Array<Position>;
  readonly times: Array<number>;
  readonly streams?: Set<string>;
}

// Streams that are one resource each, whose every event is about that resource alone: their
// payloads need decoding only until the owner is known.
const selfContained: ReadonlySet<string> = new Set(["server", "image", "serverGroup"]);

const append = (map: Map<string, MutableEntries>, key: string, recorded: RecordedEvent, time: number, withStreams: boolean) => {
  let entries = map.get(key);
  if (entries === undefined) {
    entries = withStreams ? { positions: [], times: [], streams: new Set() } : { positions: [], times: [] };
    map.set(key, entries);
  }
  entries.positions.push(recorded.position);
  entries.times.push(time);
  entries.streams?.add(recorded.stream);
};

export class AuditIndex {
  /** The last position folded: events at or before it are ignored. */
  position: Position = 0;
  private readonly resources = new Map<string, MutableEntries>();
  private readonly users = new Map<string, MutableEntries>();
  private readonly owners = new Map<string, string>();

  add(recorded: RecordedEvent): void {
    if (recorded.position <= this.position) return;
    this.position = recorded.position;
    // Only the time and the actor: read off the bytes, as projections read them.
    const metadata = projectedMetadataOf(recorded.metadata);
    const occurred = Date.parse(metadata.occurredAt);
    const time = Number.isNaN(occurred) ? recorded.recordedAt : occurred;
    for (const id of this.subjects(recorded)) append(this.resources, id, recorded, time, true);
    const user = metadata.actor.userId;
    if (user !== "") append(this.users, foldedId(user), recorded, time, false);
  }

  /** The events about a resource, by any form of its id (dashed or not). */
  resource(id: string): ResourceEntries | undefined {
    return this.resources.get(foldedId(id)) as ResourceEntries | undefined;
  }

  /** The events a user caused. */
  user(id: string): IndexEntries | undefined {
    return this.users.get(foldedId(id));
  }

  /** The project owning a stream's resource, once an event has stated it. */
  ownerOf(stream: string): string | undefined {
    return this.owners.get(stream);
  }

  private subjects(recorded: RecordedEvent): ReadonlyArray<string> {
    const category = categoryOf(recorded.stream);
    const ownerKnown = !projectOwnedCategories.has(category) || this.owners.has(recorded.stream);
    // A type of a newer version cannot be decoded: it is still its stream's resource's event.
    if (contextOf(recorded.type) === undefined || (selfContained.has(category) && ownerKnown)) {
      return [foldedId(resourceIdOf(recorded.stream))];
    }
    const payload: Message = decodePayload(recorded);
    if (!ownerKnown) {
      const owner = ownerStated(payload);
      if (owner !== undefined) this.owners.set(recorded.stream, owner);
    }
    return subjectsOf(recorded.stream, payload);
  }
}
