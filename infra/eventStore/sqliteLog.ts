/**
 * The SQL of the sqlite event store, as plain synchronous functions over one `node:sqlite`
 * connection: the schema, the append transaction with its expected-revision check, and the page
 * reads of a stream and of `$all`. No Effect here: `sqliteEventStore.ts` wraps these calls, maps
 * thrown errors to the port's, and owns subscriptions.
 *
 * The file may be shared by several processes: every append is `BEGIN IMMEDIATE … COMMIT`, so
 * writers queue on SQLite's write lock (waiting up to the busy timeout) and positions, allocated
 * inside that lock, become visible in position order. A reader that sees position p therefore
 * already sees every event before p, which is what lets subscriptions never skip one.
 */
import { randomUUID } from "node:crypto";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { START, type AllFilter, type AppendResult, type ExpectedRevision, type NewEvent, type Position, type RecordedEvent } from "./EventStore.ts";
import { isExpected, revisionConflict } from "./expectedRevision.ts";

export interface SqliteLogOptions {
  /** How long a writer waits for another process's write lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

export interface FilteredPage {
  readonly events: ReadonlyArray<RecordedEvent>;
  /** Every event up to here was considered, matching or not: the next page starts after it. */
  readonly scannedTo: Position;
}

/** An append's result with the events as recorded, so live subscribers can be served from memory. */
export interface AppendedEvents extends AppendResult {
  readonly recorded: ReadonlyArray<RecordedEvent>;
}

export interface SqliteLog {
  /** Throws `StreamRevisionConflict` when `expected` does not hold; writes nothing then. */
  readonly append: (stream: string, expected: ExpectedRevision, events: ReadonlyArray<NewEvent>, recordedAt: number) => AppendedEvents;
  readonly read: (stream: string, fromRevision: number) => Array<RecordedEvent>;
  readonly readAll: (after: Position, maxCount: number) => Array<RecordedEvent>;
  readonly readFiltered: (after: Position, maxCount: number, filter: AllFilter) => FilteredPage;
  readonly head: () => Position;
  readonly close: () => void;
}

// WAL with synchronous=NORMAL: a commit is durable once its frames are in the WAL file, so an
// acknowledged append survives the process being killed (our requirement); only an OS crash or
// power loss can lose the last commits before the next checkpoint. FULL would fsync every commit.
// UTF-8 is what `bytesOf` below relies on; it only takes effect when the file is created.
// A checkpoint runs inside whichever commit crosses the WAL threshold and costs that commit a
// copy and an fsync; 10,000 pages (40 MiB) instead of 1,000 makes them ten times rarer, and each
// copies little more, because a sequential log rewrites the same few hot pages.
const PRAGMAS = `
  PRAGMA encoding = 'UTF-8';
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  PRAGMA wal_autocheckpoint = 10000;
`;

// (stream, revision) is both the uniqueness guard of a stream and the index that reads a stream
// and finds its last revision. The rowid alias `position` orders `$all`: without AUTOINCREMENT a
// new rowid is max(rowid) + 1, strictly increasing because events are never deleted, and each
// append saves writing AUTOINCREMENT's counter page. Event ids are not indexed: idempotency is
// by command id (in the metadata), and an index per id cost a third of the append time.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    stream TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data BLOB NOT NULL,
    metadata BLOB NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream, revision);
`;

const COLUMNS = "position, id, stream, revision, type, length(data), length(metadata), recorded_at";
type Row = [position: number, id: string, stream: string, revision: number, type: string, dataLength: number, metadataLength: number, recordedAt: number];

const CATEGORY = "(CASE WHEN instr(stream, '-') = 0 THEN stream ELSE substr(stream, 1, instr(stream, '-') - 1) END)";
const FILTER = `position > ?1 AND position <= ?2
  AND (?3 IS NULL OR ${CATEGORY} IN (SELECT value FROM json_each(?3)))
  AND (?4 IS NULL OR type IN (SELECT value FROM json_each(?4)))`;

// node:sqlite gives every BLOB its own ArrayBuffer, and allocating those dominated `$all` reads
// (two per event: ~200k events/s). So a page reads its rows without blobs, then all of the page's
// bytes as ONE blob (`data || metadata`, concatenated in position order: SQLite keeps the bytes
// as they are in a UTF-8 database), which `decode` slices into views: ~2.5x faster. The rows are
// immutable and the second query is bounded by the first's last position or revision, so both
// see the same rows. The ordered subquery is kept (SQLite drops a subquery's ORDER BY only under
// count/min/max) and cheaper than `group_concat(… ORDER BY …)`, which sorts again (~25% slower).
// A view keeps its page's buffer alive, which a long-held event pays for.
const bytesOf = (where: string, order: string) =>
  `SELECT CAST(group_concat(data || metadata, '') AS BLOB) FROM (SELECT data, metadata FROM events WHERE ${where} ORDER BY ${order})`;

const EMPTY = new Uint8Array(0);

const decode = (rows: ReadonlyArray<Row>, bytes: Uint8Array | null): Array<RecordedEvent> => {
  const page = bytes ?? EMPTY;
  const buffer = page.buffer;
  let offset = page.byteOffset;
  const events = new Array<RecordedEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [position, id, stream, revision, type, dataLength, metadataLength, recordedAt] = rows[i]!;
    events[i] = {
      id, stream, revision, position, type, recordedAt,
      data: new Uint8Array(buffer, offset, dataLength),
      metadata: new Uint8Array(buffer, offset + dataLength, metadataLength),
    };
    offset += dataLength + metadataLength;
  }
  if (offset !== page.byteOffset + page.byteLength) {
    throw new Error(`sqlite event store: page bytes (${page.byteLength}) do not match its rows`);
  }
  return events;
};

const prepare = (db: DatabaseSync, sql: string): StatementSync => {
  const statement = db.prepare(sql);
  statement.setReturnArrays(true);
  return statement;
};

const rowsOf = (statement: StatementSync, ...params: Array<string | number | null>) =>
  statement.all(...params) as unknown as Array<Row>;

const blobOf = (statement: StatementSync, ...params: Array<string | number | null>) =>
  (statement.get(...params) as unknown as [Uint8Array | null] | undefined)?.[0] ?? null;

const listOrNull = (values: ReadonlyArray<string> | undefined) =>
  values === undefined || values.length === 0 ? null : JSON.stringify(values);

export const openSqliteLog = (path: string, options: SqliteLogOptions = {}): SqliteLog => {
  const db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    db.exec(PRAGMAS);
    db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
  } catch (error) {
    db.close();
    throw error;
  }

  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  const lastOfStream = prepare(db, "SELECT revision, position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1");
  const insert = db.prepare(
    "INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const headPosition = prepare(db, "SELECT max(position) FROM events");
  const streamRows = prepare(db, `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision`);
  const streamBytes = prepare(db, bytesOf("stream = ? AND revision >= ? AND revision <= ?", "revision"));
  const allRows = prepare(db, `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
  const allBytes = prepare(db, bytesOf("position > ? AND position <= ?", "position"));
  const filteredRows = prepare(db, `SELECT ${COLUMNS} FROM events WHERE ${FILTER} ORDER BY position LIMIT ?5`);
  const filteredBytes = prepare(db, bytesOf(FILTER, "position"));

  const head = (): Position => (headPosition.get() as unknown as [number | null])[0] ?? START;

  const append = (stream: string, expected: ExpectedRevision, events: ReadonlyArray<NewEvent>, recordedAt: number): AppendedEvents => {
    begin.run();
    try {
      const last = lastOfStream.get(stream) as unknown as [revision: number, position: number] | undefined;
      const current = last?.[0];
      if (!isExpected(expected, current)) throw revisionConflict(stream, expected, current);
      let revision = current ?? -1;
      let position = last?.[1] ?? START;
      const recorded = new Array<RecordedEvent>(events.length);
      for (let i = 0; i < events.length; i++) {
        const { type, data, metadata } = events[i]!;
        revision += 1;
        const id = events[i]!.id ?? randomUUID();
        position = Number(insert.run(id, stream, revision, type, data, metadata, recordedAt).lastInsertRowid);
        recorded[i] = { id, stream, revision, position, type, data, metadata, recordedAt };
      }
      commit.run();
      return { revision, position, recorded };
    } catch (error) {
      if (db.isTransaction) rollback.run();
      throw error;
    }
  };

  const read = (stream: string, fromRevision: number) => {
    const rows = rowsOf(streamRows, stream, fromRevision);
    if (rows.length === 0) return [];
    return decode(rows, blobOf(streamBytes, stream, fromRevision, rows[rows.length - 1]![3]));
  };

  const readAll = (after: Position, maxCount: number) => {
    if (maxCount <= 0) return [];
    const rows = rowsOf(allRows, after, maxCount);
    if (rows.length === 0) return [];
    return decode(rows, blobOf(allBytes, after, rows[rows.length - 1]![0]));
  };

  // Bounded by the head read first, so a page that finds nothing still moves the cursor past
  // everything it scanned; positions above the head can only be committed later.
  const readFiltered = (after: Position, maxCount: number, filter: AllFilter): FilteredPage => {
    const upTo = head();
    if (upTo <= after || maxCount <= 0) return { events: [], scannedTo: after };
    const categories = listOrNull(filter.categories);
    const types = listOrNull(filter.eventTypes);
    const rows = rowsOf(filteredRows, after, upTo, categories, types, maxCount);
    if (rows.length === 0) return { events: [], scannedTo: upTo };
    const last = rows[rows.length - 1]![0];
    const events = decode(rows, blobOf(filteredBytes, after, last, categories, types));
    return { events, scannedTo: rows.length === maxCount ? last : upTo };
  };

  return { append, read, readAll, readFiltered, head, close: () => db.close() };
};
