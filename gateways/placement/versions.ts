/**
 * Placement's version document at the service root (`/placement` and `/placement/`), public as
 * in Placement; its `self` link is relative ("this same URL"), as Placement writes it.
 */
import type { Context } from "hono";
import { MAX_PLACEMENT_VERSION, MIN_PLACEMENT_VERSION } from "./microversions.ts";

export const placementVersionDocument = (c: Context) =>
  c.json({
    versions: [{ id: `v${MIN_PLACEMENT_VERSION}`, max_version: MAX_PLACEMENT_VERSION, min_version: MIN_PLACEMENT_VERSION, status: "CURRENT", links: [{ rel: "self", href: "" }] }],
  });
