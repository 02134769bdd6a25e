/**
 * The commands of the flavor catalog, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto` (`../wire.unit.spec.ts` keeps the two identical).
 * Flavor ids are any string: Nova lets an admin choose one ("1", "m1.tiny").
 */

export interface CreateFlavor {
  readonly flavorId: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
  readonly ephemeralGb: number;
  readonly swapMb: number;
  readonly isPublic: boolean;
  readonly description: string;
}

export interface FlavorTarget {
  readonly flavorId: string;
}

export interface FlavorExtraSpecs {
  readonly flavorId: string;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

export interface FlavorExtraSpecKey {
  readonly flavorId: string;
  readonly key: string;
}

export type FlavorCommand =
  | { readonly type: "CreateFlavor"; readonly data: CreateFlavor }
  | { readonly type: "DeleteFlavor"; readonly data: FlavorTarget }
  | { readonly type: "SetFlavorExtraSpecs"; readonly data: FlavorExtraSpecs }
  | { readonly type: "UnsetFlavorExtraSpec"; readonly data: FlavorExtraSpecKey };

export type FlavorCommandType = FlavorCommand["type"];

/** Every flavor catalog command type, for routing and exhaustive specs. */
export const flavorCommandTypes = [
  "CreateFlavor",
  "DeleteFlavor",
  "SetFlavorExtraSpecs",
  "UnsetFlavorExtraSpec",
] as const satisfies ReadonlyArray<FlavorCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<FlavorCommandType, (typeof flavorCommandTypes)[number]> extends never ? true : never = true;
