/**
 * The flavor catalog (`flavors-<FLAVOR_CATALOG_ID>`): one aggregate for the whole cloud, since
 * flavor names and ids are unique cloud-wide.
 */
import type { Decider } from "../../shared/index.ts";
import type { FlavorCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { FlavorEvent } from "./events.ts";
import type { FlavorRejection } from "./rejections.ts";
import { evolve, flavorCatalogStream, initialState, type FlavorCatalogState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export { FLAVOR_CATALOG_ID, flavorCatalogStream, type FlavorCatalog, type FlavorCatalogState, type FlavorEntry } from "./state.ts";

export const flavorCatalogDecider: Decider<FlavorCommand, FlavorEvent, FlavorCatalogState, FlavorRejection> = { initialState, evolve, decide };

/** Every flavor command goes to the one catalog. */
export const flavorCatalogStreamFor = (_command: FlavorCommand): string => flavorCatalogStream;
