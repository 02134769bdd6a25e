/**
 * The audit trail (docs/audit.md): every event as a CADF audit record (`toAuditRecord`), and a
 * resource's history or a user's actions read from the event store through an in-memory index
 * (`makeAuditTrail`), for the gateway's `/audit/v1` and the `weft audit` command.
 */
export {
  actionOf,
  cadfEventTypeUri,
  initiatorOf,
  outcomeOf,
  subjectsOf,
  targetOf,
  toAuditRecord,
  type AuditAction,
  type AuditInitiator,
  type AuditOutcome,
  type AuditRecord,
  type AuditResource,
} from "./cadf.ts";
export { AuditIndex, type IndexEntries, type ResourceEntries } from "./auditIndex.ts";
export { makeAuditTrail, type AuditPage, type AuditQuery, type AuditTrail } from "./trail.ts";
export { parseAuditTime } from "./times.ts";
