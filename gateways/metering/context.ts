/**
 * What the metering routes are given: the meter's document (undefined until the meter has
 * started), how to authenticate a token (the gateway's own token check in the all-in-one,
 * Keystone's `GET /v3/auth/tokens` in a standalone `weft meter`), the URL links are built on,
 * and the clock running servers are counted to.
 */
import type { MeteringDocument } from "@weft/projections/metering";
import type { RequestIdVariables } from "../http/requestId.ts";

/** Who is asking: what the policy needs of a token. */
export interface MeterCaller {
  readonly userId: string;
  /** Empty for a token not scoped to a project. */
  readonly projectId: string;
  readonly roleNames: ReadonlyArray<string>;
}

export interface MeteringDeps {
  /** Where this service is reached: `next` links start with it. */
  readonly publicUrl: string;
  readonly authenticate: (token: string) => MeterCaller | undefined | Promise<MeterCaller | undefined>;
  readonly meter: () => MeteringDocument | undefined;
  readonly now: () => number;
}

export interface MeteringEnv {
  Variables: RequestIdVariables & { meterCaller: MeterCaller };
}
