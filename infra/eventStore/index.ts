/**
 * The event store: the port (`EventStore`, its types and errors), the sqlite and KurrentDB
 * adapters as scoped layers, and `eventStoreFromUrl`, which picks one from `WEFT_EVENT_STORE`.
 */
export {
  EventStore,
  EventStoreUnavailable,
  START,
  StreamRevisionConflict,
  categoryOf,
  matchesFilter,
} from "./EventStore.ts";
export type {
  AllFilter,
  AppendResult,
  EventStoreShape,
  ExpectedRevision,
  NewEvent,
  Position,
  RecordedEvent,
} from "./EventStore.ts";
export { makeSqliteEventStore, sqliteEventStoreLayer } from "./sqliteEventStore.ts";
export type { SqliteEventStoreOptions } from "./sqliteEventStore.ts";
export { esdbEventStoreLayer, makeEsdbEventStore } from "./esdbEventStore.ts";
export type { EsdbEventStoreOptions } from "./esdbEventStore.ts";
export { ACCEPTED_EVENT_STORE_URLS, InvalidEventStoreUrl, eventStoreFromUrl } from "./eventStoreFromUrl.ts";
