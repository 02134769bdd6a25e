/**
 * The events an image records, as TypeScript mirrors of the messages in
 * `proto/weft/image/v1/image.proto`. Event type names are published forever: a type string in the
 * log is a message name there. Updates are recorded as specific facts (renamed, visibility
 * changed…), never a catch-all "ImageUpdated". `wire.unit.spec.ts` keeps both shapes identical.
 */
import type { ImageProperties } from "./commands.ts";

export interface ImageCreated {
  readonly imageId: string;
  readonly owner: string;
  readonly name: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  /** Always set: the default already applied. */
  readonly visibility: string;
  readonly protected: boolean;
  readonly minDiskGb: number;
  readonly minRamMb: number;
  readonly tags: ReadonlyArray<string>;
  readonly properties: ImageProperties;
}

export interface ImageUploadStaged {
  readonly imageId: string;
}

export interface ImageUploadCompleted {
  readonly imageId: string;
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly osHashAlgo: string;
  readonly osHashValue: string;
  readonly location: string;
}

export interface ImageUploadAborted {
  readonly imageId: string;
}

export interface ImageRenamed {
  readonly imageId: string;
  readonly name: string;
}

export interface ImageVisibilityChanged {
  readonly imageId: string;
  readonly visibility: string;
}

export interface ImageProtectionChanged {
  readonly imageId: string;
  readonly protected: boolean;
}

/** Both minimums as they now are. */
export interface ImageMinimumsChanged {
  readonly imageId: string;
  readonly minDiskGb: number;
  readonly minRamMb: number;
}

/** Properties added or given a new value; others are unchanged. */
export interface ImagePropertiesSet {
  readonly imageId: string;
  readonly properties: ImageProperties;
}

export interface ImagePropertiesRemoved {
  readonly imageId: string;
  readonly names: ReadonlyArray<string>;
}

/** The whole tag set as it now is. */
export interface ImageTagsChanged {
  readonly imageId: string;
  readonly tags: ReadonlyArray<string>;
}

export interface ImageDeactivated {
  readonly imageId: string;
}

export interface ImageReactivated {
  readonly imageId: string;
}

/** `location` is where the bytes were (empty when none were uploaded), for whoever cleans up. */
export interface ImageDeleted {
  readonly imageId: string;
  readonly location: string;
}

export type ImageEvent =
  | { readonly type: "ImageCreated"; readonly data: ImageCreated }
  | { readonly type: "ImageUploadStaged"; readonly data: ImageUploadStaged }
  | { readonly type: "ImageUploadCompleted"; readonly data: ImageUploadCompleted }
  | { readonly type: "ImageUploadAborted"; readonly data: ImageUploadAborted }
  | { readonly type: "ImageRenamed"; readonly data: ImageRenamed }
  | { readonly type: "ImageVisibilityChanged"; readonly data: ImageVisibilityChanged }
  | { readonly type: "ImageProtectionChanged"; readonly data: ImageProtectionChanged }
  | { readonly type: "ImageMinimumsChanged"; readonly data: ImageMinimumsChanged }
  | { readonly type: "ImagePropertiesSet"; readonly data: ImagePropertiesSet }
  | { readonly type: "ImagePropertiesRemoved"; readonly data: ImagePropertiesRemoved }
  | { readonly type: "ImageTagsChanged"; readonly data: ImageTagsChanged }
  | { readonly type: "ImageDeactivated"; readonly data: ImageDeactivated }
  | { readonly type: "ImageReactivated"; readonly data: ImageReactivated }
  | { readonly type: "ImageDeleted"; readonly data: ImageDeleted };

export type ImageEventType = ImageEvent["type"];

/** Every event type: the filter of image read models and exhaustive specs. */
export const imageEventTypes = [
  "ImageCreated",
  "ImageUploadStaged",
  "ImageUploadCompleted",
  "ImageUploadAborted",
  "ImageRenamed",
  "ImageVisibilityChanged",
  "ImageProtectionChanged",
  "ImageMinimumsChanged",
  "ImagePropertiesSet",
  "ImagePropertiesRemoved",
  "ImageTagsChanged",
  "ImageDeactivated",
  "ImageReactivated",
  "ImageDeleted",
] as const satisfies ReadonlyArray<ImageEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<ImageEventType, (typeof imageEventTypes)[number]> extends never ? true : never = true;
