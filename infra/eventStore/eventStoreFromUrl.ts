/**
 * Picks the event store adapter from the operator's `WEFT_EVENT_STORE` value: `sqlite:<path>` for
 * the embedded store, a KurrentDB / EventStoreDB connection string for the clustered one. Anything
 * else is refused with the accepted forms, at layer build, before any role starts.
 */
import { Effect, Layer, Schema } from "effect";
import { EventStore, type EventStoreUnavailable } from "./EventStore.ts";
import { sqliteEventStoreLayer, type SqliteEventStoreOptions } from "./sqliteEventStore.ts";

export const ACCEPTED_EVENT_STORE_URLS =
  "sqlite:<path> (e.g. sqlite:/var/lib/weft/events.db), esdb://host:2113?tls=false, esdb+discover://…, kurrentdb://…, kurrentdb+discover://…";

export class InvalidEventStoreUrl extends Schema.TaggedError<InvalidEventStoreUrl>()("InvalidEventStoreUrl", {
  url: Schema.String,
  message: Schema.String,
}) {}

const ESDB = /^(esdb|kurrentdb)(\+discover)?:\/\//;

/** The file of a `sqlite:<path>` store URL; undefined for any other store. */
export const sqlitePathOf = (url: string): string | undefined =>
  url.startsWith("sqlite:") && url.length > "sqlite:".length ? url.slice("sqlite:".length) : undefined;

/** The event store layer for a `WEFT_EVENT_STORE` value; `sqlite` options apply to a sqlite store only. */
export const eventStoreFromUrl = (url: string, sqlite: SqliteEventStoreOptions = {}): Layer.Layer<EventStore, EventStoreUnavailable | InvalidEventStoreUrl> => {
  const sqlitePath = sqlitePathOf(url);
  if (sqlitePath !== undefined) return sqliteEventStoreLayer(sqlitePath, sqlite);
  if (ESDB.test(url)) {
    // Loaded only when chosen: the KurrentDB client (gRPC and all) costs every start-up ~0.2 s.
    return Layer.unwrap(Effect.promise(() => import("./esdbEventStore.ts")).pipe(Effect.map((esdb) => esdb.esdbEventStoreLayer(url))));
  }
  const shown = url.replace(/\/\/[^@/]*@/, "//***@");
  return Layer.effect(EventStore, Effect.fail(new InvalidEventStoreUrl({
    url: shown,
    message: `WEFT_EVENT_STORE=${JSON.stringify(shown)} is not an event store; use one of: ${ACCEPTED_EVENT_STORE_URLS}`,
  })));
};
