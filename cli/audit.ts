/**
 * `weft audit <resource id>` and `weft audit --user USER_ID`: the audit trail (docs/audit.md) of a
 * resource, or what a user did, read straight from the event store named by WEFT_EVENT_STORE (or
 * the data dir's sqlite file). It needs no running cloud and no credentials, so an auditor can
 * replay history with the cloud stopped; beside a running `weft up` it reads the same file (sqlite's
 * WAL lets readers in while it writes). Output: a table by default, or `--format json`, one CADF
 * record per line (JSON Lines), for a SIEM.
 */
import { Effect } from "effect";
import { makeAuditTrail, parseAuditTime, type AuditQuery, type AuditRecord, type AuditTrail } from "@weft/infra/audit";
import { UsageError } from "./agent.ts";
import { weftConfig } from "./config.ts";
import { logLayer, parseArguments, table } from "./replay.ts";

export const auditUsage = "weft audit <resource id> | --user USER_ID   [--since <ISO 8601 time>] [--format table|json]";

export interface AuditArguments {
  readonly subject: { readonly kind: "resource" | "user"; readonly id: string };
  readonly since?: number;
  readonly format: "table" | "json";
}

export const parseAuditArguments = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { values, positionals } = yield* parseArguments(args, { user: { type: "string" }, since: { type: "string" }, format: { type: "string" } });
    const ids = [...positionals, ...(values.user === undefined ? [] : [values.user])];
    if (ids.length !== 1 || ids[0] === "") return yield* new UsageError({ message: "give one resource id, or --user USER_ID" });
    const since = values.since === undefined ? undefined : parseAuditTime(values.since);
    if (values.since !== undefined && since === undefined) {
      return yield* new UsageError({ message: `--since must be an ISO 8601 time such as 2030-01-02T03:04:05Z, got "${values.since}"` });
    }
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json") return yield* new UsageError({ message: `--format must be table or json, got "${format}"` });
    return {
      subject: { kind: values.user === undefined ? "resource" : "user", id: ids[0]! },
      ...(since === undefined ? {} : { since }),
      format,
    } satisfies AuditArguments;
  });

const columns = ["POSITION", "TIME", "EVENT", "ACTION", "OUTCOME", "TARGET", "USER", "PROJECT", "ROLES", "REQUEST", "COMMAND"];

/** One table row of a record: what, to what, by whom, from which request and command. */
export const auditRow = (record: AuditRecord): ReadonlyArray<string> => [
  String(record.weft.position),
  record.eventTime,
  record.weft.eventType.slice(record.weft.eventType.lastIndexOf(".") + 1),
  record.action,
  record.outcome,
  `${record.target.typeURI} ${record.target.id}`,
  record.initiator.id === "weft" ? "weft" : `${record.initiator.name ?? ""} ${record.initiator.id}`.trim(),
  record.initiator.project_id ?? "-",
  record.initiator.roles.join(",") || "-",
  record.weft.requestId ?? "-",
  record.weft.commandType ?? "-",
];

export const auditTable = (records: ReadonlyArray<AuditRecord>): string => table([columns, ...records.map(auditRow)]);

/** Every record of the subject, page after page. */
const everything = (trail: AuditTrail, { subject, since }: AuditArguments) =>
  Effect.gen(function* () {
    const records: Array<AuditRecord> = [];
    for (;;) {
      const query: AuditQuery = { limit: 1000, ...(since === undefined ? {} : { since }), ...(records.length === 0 ? {} : { after: records.at(-1)!.weft.position }) };
      const page = yield* Effect.promise(() => (subject.kind === "user" ? trail.actions(subject.id, query) : trail.history(subject.id, query)));
      records.push(...(page?.records ?? []));
      if (page === undefined || !page.more) return records;
    }
  });

export const audit = Effect.gen(function* () {
  const args = yield* parseAuditArguments(process.argv.slice(3));
  const config = yield* weftConfig;
  const records = yield* Effect.gen(function* () {
    return yield* everything(yield* makeAuditTrail(), args);
  }).pipe(Effect.scoped, Effect.provide(logLayer(config)));
  if (records.length === 0) {
    console.error(`weft audit: no events ${args.subject.kind === "user" ? "caused by user" : "of"} ${args.subject.id}${args.since === undefined ? "" : " since then"}`);
    return;
  }
  if (args.format === "json") process.stdout.write(records.map((record) => `${JSON.stringify(record)}\n`).join(""));
  else console.log(auditTable(records));
});
