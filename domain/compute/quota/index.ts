/**
 * A project's quota (`quota-<projectId as uuid>`): compute limits and the servers' reservations,
 * decided together so concurrent creates can never exceed a limit. Key pairs, server groups,
 * their members and metadata items are limited here but counted by the gateway's read models.
 */
import type { Decider } from "../../shared/index.ts";
import type { QuotaCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { QuotaEvent } from "./events.ts";
import type { QuotaRejection } from "./rejections.ts";
import { evolve, initialState, quotaStream, type QuotaState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export {
  quotaStream,
  defaultQuotaLimits,
  UNLIMITED,
  quotaLimitNames,
  quotaLimitsOf,
  type ProjectQuota,
  type QuotaState,
} from "./state.ts";

export const quotaDecider: Decider<QuotaCommand, QuotaEvent, QuotaState, QuotaRejection> = { initialState, evolve, decide };

/** The stream a quota command is decided against. */
export const quotaStreamFor = (command: QuotaCommand): string => quotaStream(command.data.projectId);
