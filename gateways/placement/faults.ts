/**
 * Placement's fault body, after the API-SIG errors guideline as Placement renders it:
 * `{"errors": [{status, title, detail, request_id}]}`, with `code` from 1.23 (Weft's reads raise
 * none of Placement's specific codes, so it is always `placement.undefined_code`), and the
 * version range when the microversion itself could not be negotiated (a 406 before one was set),
 * which osc-placement reads to fall back to the server's maximum.
 */
import type { Context } from "hono";
import { statusTitle, type FaultStyle } from "../http/faults.ts";
import { atLeast, MAX_PLACEMENT_VERSION, MIN_PLACEMENT_VERSION, type PlacementVersion } from "./microversions.ts";

export const placementFaultBody: FaultStyle = (status, message, c: Context) => {
  const version = c.get("placementMicroversion") as PlacementVersion | undefined;
  const requestId = c.get("requestId") as string | undefined;
  return {
    errors: [
      {
        status,
        title: statusTitle(status),
        detail: message,
        ...(version !== undefined && atLeast(version, 23) ? { code: "placement.undefined_code" } : {}),
        ...(requestId === undefined ? {} : { request_id: requestId }),
        ...(status === 406 && version === undefined ? { max_version: MAX_PLACEMENT_VERSION, min_version: MIN_PLACEMENT_VERSION } : {}),
      },
    ],
  };
};
