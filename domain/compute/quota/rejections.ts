/**
 * Why a project's quota refuses a command. The `_tag`s are published (the Nova gateway maps
 * QuotaExceeded to 403 Forbidden, the invalid values to 400); the messages follow Nova's wording.
 */
import { reject, type Rejection } from "../../shared/index.ts";

export const quotaRejectionTags = ["QuotaExceeded", "InvalidQuotaLimit", "InvalidReservation"] as const;

export type QuotaRejectionTag = (typeof quotaRejectionTags)[number];

export type QuotaRejection = Rejection<QuotaRejectionTag>;

/** One resource over its limit, by Nova's name for it (`instances`, `cores`, `ram`). */
export interface Overage {
  readonly resource: string;
  readonly requested: number;
  readonly used: number;
  readonly allowed: number;
}

/** Nova's TooManyInstances: every resource over is named, the numbers are the first one's. */
export const quotaExceeded = (overages: readonly [Overage, ...ReadonlyArray<Overage>]): QuotaRejection => {
  const [{ requested, used, allowed }] = overages;
  const overs = overages.map((o) => o.resource).join(",");
  return reject("QuotaExceeded", `Quota exceeded for ${overs}: Requested ${requested}, but already used ${used} of ${allowed} ${overs}`);
};

export const invalidQuotaLimit = (field: string, value: number): QuotaRejection =>
  reject("InvalidQuotaLimit", `Invalid input for field/attribute ${field}. Value: ${value}. ${value} is less than the minimum of -1`);

export const invalidReservation = (field: string, value: number): QuotaRejection =>
  reject("InvalidReservation", `A reservation of ${field} must not be negative, not ${value}.`);
