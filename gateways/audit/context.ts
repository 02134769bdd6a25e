/**
 * What the audit routes are given (the composition root builds it): the trail over the event
 * store, and what `requireToken` needs to authenticate callers against the identity read model.
 */
import type { AuditTrail } from "@weft/infra/audit";
import type { IdentityDeps } from "../identity/context.ts";

export type { IdentityEnv as AuditEnv } from "../identity/context.ts";

export interface AuditDeps extends Pick<IdentityDeps, "publicUrl" | "directory" | "tokens" | "now"> {
  readonly trail: AuditTrail;
}
