/**
 * The events of the flavor catalog, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto`. Event type names are published forever.
 */
import type { CreateFlavor, FlavorExtraSpecKey, FlavorExtraSpecs, FlavorTarget } from "./commands.ts";

export type FlavorCreated = CreateFlavor;

/** Only the specs that changed. */
export type FlavorExtraSpecsSet = FlavorExtraSpecs;

export type FlavorEvent =
  | { readonly type: "FlavorCreated"; readonly data: FlavorCreated }
  | { readonly type: "FlavorDeleted"; readonly data: FlavorTarget }
  | { readonly type: "FlavorExtraSpecsSet"; readonly data: FlavorExtraSpecsSet }
  | { readonly type: "FlavorExtraSpecUnset"; readonly data: FlavorExtraSpecKey };

export type FlavorEventType = FlavorEvent["type"];

/** Every flavor catalog event type: the filter of flavor read models and exhaustive specs. */
export const flavorEventTypes = [
  "FlavorCreated",
  "FlavorDeleted",
  "FlavorExtraSpecsSet",
  "FlavorExtraSpecUnset",
] as const satisfies ReadonlyArray<FlavorEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<FlavorEventType, (typeof flavorEventTypes)[number]> extends never ? true : never = true;
