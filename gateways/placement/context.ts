/**
 * What the placement routes are given (the composition root builds it): the placement read
 * model and what `requireToken` needs to authenticate callers against the identity read model.
 * The hono environment adds the microversion the request negotiated.
 */
import type { PlacementDocument } from "@weft/projections/placement";
import type { IdentityDeps, IdentityEnv } from "../identity/context.ts";
import type { PlacementVersionVariables } from "./microversions.ts";

export interface PlacementDeps extends Pick<IdentityDeps, "publicUrl" | "directory" | "tokens" | "now"> {
  readonly placement: () => PlacementDocument;
}

export interface PlacementEnv {
  Variables: IdentityEnv["Variables"] & PlacementVersionVariables;
}
