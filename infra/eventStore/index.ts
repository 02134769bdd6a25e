/**
 * The event store: the port (`EventStore`, its types and errors), the sqlite adapter as a scoped
 * layer, and `eventStoreFromUrl`, which picks sqlite or KurrentDB from `WEFT_EVENT_STORE`.
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
export { runWalCheckpoints } from "./walCheckpointer.ts";
export type { SqliteEventStoreOptions } from "./sqliteEventStore.ts";
// The KurrentDB adapter is not re-exported: importing it loads the KurrentDB client (~0.2 s of
// every start-up). `eventStoreFromUrl` loads it when an esdb:// or kurrentdb:// URL is given;
// code that wants it directly imports `esdbEventStore.ts` beside this file.
export type { EsdbEventStoreOptions } from "./esdbEventStore.ts";
export { ACCEPTED_EVENT_STORE_URLS, InvalidEventStoreUrl, eventStoreFromUrl, sqlitePathOf } from "./eventStoreFromUrl.ts";
