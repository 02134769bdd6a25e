/**
 * The commands an image accepts, as TypeScript mirrors of the messages in
 * `proto/weft/image/v1/image.proto` (the wire truth; `wire.unit.spec.ts` round-trips every one).
 * Fields are the protobufjs camelCase of the proto names; proto3 `optional` fields are `?:`
 * because they are absent on the wire when not set; int64 sizes are numbers.
 */

/** Glance's `disk_format` values. */
export const diskFormats = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"] as const;
export type DiskFormat = (typeof diskFormats)[number];

/** Glance's `container_format` values. */
export const containerFormats = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"] as const;
export type ContainerFormat = (typeof containerFormats)[number];

/** Glance's `visibility` values; `private` is the default. */
export const imageVisibilities = ["public", "private", "shared", "community"] as const;
export type ImageVisibility = (typeof imageVisibilities)[number];

export type ImageProperties = Readonly<Record<string, string>>;

export interface CreateImage {
  readonly imageId: string;
  /** The owning project's id (Glance's `owner`). */
  readonly owner: string;
  readonly name: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  /** Empty means `private`. */
  readonly visibility: string;
  readonly protected: boolean;
  readonly minDiskGb: number;
  readonly minRamMb: number;
  readonly tags: ReadonlyArray<string>;
  readonly properties: ImageProperties;
}

export interface StageImageUpload {
  readonly imageId: string;
}

export interface CompleteImageUpload {
  readonly imageId: string;
  readonly sizeBytes: number;
  /** MD5 of the bytes, lowercase hex. */
  readonly checksum: string;
  readonly osHashAlgo: string;
  readonly osHashValue: string;
  /** Relative to the data dir, e.g. `images/<id>`. */
  readonly location: string;
}

export interface AbortImageUpload {
  readonly imageId: string;
}

/** A tag set, wrapped so "replace with none" differs from "leave as is" on the wire. */
export interface ImageTags {
  readonly tags: ReadonlyArray<string>;
}

/** An absent field is left as it is; tags are replaced first, then added to, then removed from. */
export interface UpdateImage {
  readonly imageId: string;
  readonly name?: string;
  readonly visibility?: string;
  readonly protected?: boolean;
  readonly minDiskGb?: number;
  readonly minRamMb?: number;
  readonly setProperties: ImageProperties;
  readonly removeProperties: ReadonlyArray<string>;
  readonly tags?: ImageTags;
  readonly addTags: ReadonlyArray<string>;
  readonly removeTags: ReadonlyArray<string>;
}

export interface DeactivateImage {
  readonly imageId: string;
}

export interface ReactivateImage {
  readonly imageId: string;
}

export interface DeleteImage {
  readonly imageId: string;
}

export type ImageCommand =
  | { readonly type: "CreateImage"; readonly data: CreateImage }
  | { readonly type: "StageImageUpload"; readonly data: StageImageUpload }
  | { readonly type: "CompleteImageUpload"; readonly data: CompleteImageUpload }
  | { readonly type: "AbortImageUpload"; readonly data: AbortImageUpload }
  | { readonly type: "UpdateImage"; readonly data: UpdateImage }
  | { readonly type: "DeactivateImage"; readonly data: DeactivateImage }
  | { readonly type: "ReactivateImage"; readonly data: ReactivateImage }
  | { readonly type: "DeleteImage"; readonly data: DeleteImage };

export type ImageCommandType = ImageCommand["type"];

/** Every command type, for routing (`weft.cmd.image.<type>`) and exhaustive specs. */
export const imageCommandTypes = [
  "CreateImage",
  "StageImageUpload",
  "CompleteImageUpload",
  "AbortImageUpload",
  "UpdateImage",
  "DeactivateImage",
  "ReactivateImage",
  "DeleteImage",
] as const satisfies ReadonlyArray<ImageCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<ImageCommandType, (typeof imageCommandTypes)[number]> extends never ? true : never = true;
