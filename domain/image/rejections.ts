/**
 * Why an image refuses a command. The `_tag`s are published (the image gateway's fault table is
 * keyed by them, checked complete by the compiler); the messages go to API users verbatim, so they
 * follow Glance's own wording where Glance has one.
 */
import { reject, type Rejection } from "../shared/index.ts";

export const imageRejectionTags = [
  "ImageNotFound",
  "ImageAlreadyExists",
  "InvalidImageProperty",
  "ReservedImageProperty",
  "InvalidImageUpload",
  "ImageNotQueued",
  "ImageNotSaving",
  "ImageNotActive",
  "ImageNotDeactivated",
  "ImageProtected",
] as const;

export type ImageRejectionTag = (typeof imageRejectionTags)[number];

export type ImageRejection = Rejection<ImageRejectionTag>;

export const imageNotFound = (imageId: string): ImageRejection =>
  reject("ImageNotFound", `No image found with ID ${imageId}`);

export const imageAlreadyExists = (imageId: string): ImageRejection =>
  reject("ImageAlreadyExists", `Image with identifier ${imageId} already exists!`);

/** A value Glance's schema refuses (400): `field` is the API attribute's name. */
export const invalidImageProperty = (field: string, why: string): ImageRejection =>
  reject("InvalidImageProperty", `Invalid value for ${field}: ${why}`);

/** An extra property named like one of Glance's own attributes (403 in Glance). */
export const reservedImageProperty = (name: string): ImageRejection =>
  reject("ReservedImageProperty", `Attribute '${name}' is reserved.`);

/** Upload facts the gateway should never send: a bad digest or a location outside the data dir. */
export const invalidImageUpload = (field: string, why: string): ImageRejection =>
  reject("InvalidImageUpload", `Invalid upload: ${field} ${why}`);

// Glance's InvalidImageStatusTransition wording, the 409 a client sees when uploading twice.
const transition = (from: string, to: string) => `Image status transition from ${from} to ${to} is not allowed`;

export const imageNotQueued = (status: string): ImageRejection => reject("ImageNotQueued", transition(status, "saving"));

/** `to` is where the refused command would have taken a saving image: active or queued. */
export const imageNotSaving = (status: string, to: "active" | "queued"): ImageRejection => reject("ImageNotSaving", transition(status, to));

export const imageNotActive = (status: string): ImageRejection =>
  reject("ImageNotActive", `Not allowed to deactivate image in status '${status}'`);

export const imageNotDeactivated = (status: string): ImageRejection =>
  reject("ImageNotDeactivated", `Not allowed to reactivate image in status '${status}'`);

export const imageProtected = (imageId: string): ImageRejection =>
  reject("ImageProtected", `Image ${imageId} is protected and cannot be deleted.`);
