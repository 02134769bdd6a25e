/**
 * The events of a project's quota, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto`. Event type names are published forever.
 */
import type { ReserveServerResources, SetQuotaLimits } from "./commands.ts";

/** Only the limits the command gave. */
export type QuotaLimitsSet = SetQuotaLimits;

export type ServerResourcesReserved = ReserveServerResources;

/** Carries the amounts released, so usage read models need not remember reservations. */
export type ServerResourcesReleased = ReserveServerResources;

export type QuotaEvent =
  | { readonly type: "QuotaLimitsSet"; readonly data: QuotaLimitsSet }
  | { readonly type: "ServerResourcesReserved"; readonly data: ServerResourcesReserved }
  | { readonly type: "ServerResourcesReleased"; readonly data: ServerResourcesReleased };

export type QuotaEventType = QuotaEvent["type"];

/** Every quota event type: the filter of quota read models and exhaustive specs. */
export const quotaEventTypes = [
  "QuotaLimitsSet",
  "ServerResourcesReserved",
  "ServerResourcesReleased",
] as const satisfies ReadonlyArray<QuotaEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<QuotaEventType, (typeof quotaEventTypes)[number]> extends never ? true : never = true;
