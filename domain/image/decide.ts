/**
 * What an image decides: one small function per command, checking Glance's rules (the status
 * machine, allowed format and visibility values, reserved attribute names, protection) and
 * returning the events to record or a rejection. An update becomes one specific event per
 * attribute that actually changes; retried commands that change nothing append nothing.
 */
import { assertNever, type Decision } from "../shared/index.ts";
import {
  containerFormats,
  diskFormats,
  imageVisibilities,
  type CompleteImageUpload,
  type CreateImage,
  type ImageCommand,
  type ImageProperties,
  type UpdateImage,
} from "./commands.ts";
import type { ImageEvent } from "./events.ts";
import {
  imageAlreadyExists,
  imageNotActive,
  imageNotDeactivated,
  imageNotFound,
  imageNotQueued,
  imageNotSaving,
  imageProtected,
  invalidImageProperty,
  invalidImageUpload,
  reservedImageProperty,
  type ImageRejection,
} from "./rejections.ts";
import type { ImageState, LiveImage } from "./state.ts";

type ImageDecision = Decision<ImageEvent, ImageRejection>;

// Glance's own image attributes: an extra property by one of these names would shadow it in the
// flat JSON Glance serves, so Glance refuses it (403), and so do we.
const RESERVED_PROPERTIES = new Set([
  "checksum", "container_format", "created_at", "direct_url", "disk_format", "file", "id", "locations", "min_disk",
  "min_ram", "name", "os_hash_algo", "os_hash_value", "os_hidden", "owner", "protected", "schema", "self", "size",
  "status", "stores", "tags", "updated_at", "virtual_size", "visibility",
]);
// Glance keeps this prefix for properties it sets itself.
const RESERVED_PREFIX = "os_glance_";
// Glance's schema limit for names and tags.
const MAX_LENGTH = 255;

// The hex length of each multihash algorithm Glance may be configured with.
const HASH_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const MD5_HEX = /^[0-9a-f]{32}$/;
const HEX = /^[0-9a-f]+$/;

const oneOf = (field: string, value: string, allowed: ReadonlyArray<string>): ImageRejection | undefined =>
  allowed.includes(value) ? undefined : invalidImageProperty(field, `'${value}' is not one of ${allowed.join(", ")}`);

const minimum = (field: string, value: number | undefined): ImageRejection | undefined =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0) ? undefined : invalidImageProperty(field, `${value} is not a whole number of at least 0`);

const checkName = (name: string | undefined): ImageRejection | undefined =>
  name === undefined || name.length <= MAX_LENGTH ? undefined : invalidImageProperty("name", `longer than ${MAX_LENGTH} characters`);

const checkTags = (tags: ReadonlyArray<string>): ImageRejection | undefined => {
  const bad = tags.find((tag) => tag.length === 0 || tag.length > MAX_LENGTH);
  return bad === undefined ? undefined : invalidImageProperty("tags", `'${bad}' must be 1 to ${MAX_LENGTH} characters`);
};

const checkPropertyNames = (names: ReadonlyArray<string>): ImageRejection | undefined => {
  const reserved = names.find((name) => RESERVED_PROPERTIES.has(name) || name.startsWith(RESERVED_PREFIX));
  if (reserved !== undefined) return reservedImageProperty(reserved);
  const bad = names.find((name) => name.length === 0 || name.length > MAX_LENGTH);
  return bad === undefined ? undefined : invalidImageProperty("properties", `'${bad}' must be 1 to ${MAX_LENGTH} characters`);
};

const firstOf = (...checks: ReadonlyArray<() => ImageRejection | undefined>): ImageRejection | undefined => {
  for (const check of checks) {
    const rejection = check();
    if (rejection !== undefined) return rejection;
  }
  return undefined;
};

// Tags are a set in Glance: a repeated tag is recorded once, in first-seen order.
const tagSet = (tags: Iterable<string>): ReadonlyArray<string> => [...new Set(tags)];

const createImage = (c: CreateImage, state: ImageState): ImageDecision => {
  // A deleted image's id stays taken, as in Glance.
  if (state.status !== "none") return imageAlreadyExists(c.imageId);
  const visibility = c.visibility === "" ? "private" : c.visibility;
  const invalid = firstOf(
    () => checkName(c.name),
    () => oneOf("disk_format", c.diskFormat, diskFormats),
    () => oneOf("container_format", c.containerFormat, containerFormats),
    () => oneOf("visibility", visibility, imageVisibilities),
    () => minimum("min_disk", c.minDiskGb),
    () => minimum("min_ram", c.minRamMb),
    () => checkTags(c.tags),
    () => checkPropertyNames(Object.keys(c.properties)),
  );
  if (invalid !== undefined) return invalid;
  return [{
    type: "ImageCreated",
    data: {
      imageId: c.imageId, owner: c.owner, name: c.name, diskFormat: c.diskFormat, containerFormat: c.containerFormat, visibility,
      protected: c.protected, minDiskGb: c.minDiskGb, minRamMb: c.minRamMb, tags: tagSet(c.tags), properties: { ...c.properties },
    },
  }];
};

const stageImageUpload = (image: LiveImage): ImageDecision =>
  image.status === "queued" ? [{ type: "ImageUploadStaged", data: { imageId: image.imageId } }] : imageNotQueued(image.status);

const checkUpload = (c: CompleteImageUpload): ImageRejection | undefined => {
  if (!Number.isSafeInteger(c.sizeBytes) || c.sizeBytes < 0) return invalidImageUpload("size_bytes", `${c.sizeBytes} is not a size`);
  if (!MD5_HEX.test(c.checksum)) return invalidImageUpload("checksum", "is not a lowercase hex MD5");
  const hexLength = Object.hasOwn(HASH_HEX_LENGTHS, c.osHashAlgo) ? HASH_HEX_LENGTHS[c.osHashAlgo] : undefined;
  if (hexLength === undefined) return invalidImageUpload("os_hash_algo", `'${c.osHashAlgo}' is not one of ${Object.keys(HASH_HEX_LENGTHS).join(", ")}`);
  if (c.osHashValue.length !== hexLength || !HEX.test(c.osHashValue)) return invalidImageUpload("os_hash_value", `is not a lowercase hex ${c.osHashAlgo}`);
  // Read back later by path: nothing may point outside the data dir.
  const segments = c.location.split("/");
  if (c.location.includes("\\") || segments.some((segment) => segment === "" || segment === "." || segment === ".."))
    return invalidImageUpload("location", `'${c.location}' is not a relative path inside the data dir`);
  return undefined;
};

const completeImageUpload = (c: CompleteImageUpload, image: LiveImage): ImageDecision => {
  if (image.status === "active" || image.status === "deactivated") {
    const u = image.upload;
    // The gateway retrying after a lost reply: the same bytes were already recorded.
    const identical = u.sizeBytes === c.sizeBytes && u.checksum === c.checksum && u.osHashAlgo === c.osHashAlgo &&
      u.osHashValue === c.osHashValue && u.location === c.location;
    return identical ? [] : imageNotSaving(image.status, "active");
  }
  if (image.status !== "saving") return imageNotSaving(image.status, "active");
  const invalid = checkUpload(c);
  if (invalid !== undefined) return invalid;
  const { sizeBytes, checksum, osHashAlgo, osHashValue, location } = c;
  return [{ type: "ImageUploadCompleted", data: { imageId: image.imageId, sizeBytes, checksum, osHashAlgo, osHashValue, location } }];
};

const abortImageUpload = (image: LiveImage): ImageDecision =>
  image.status === "saving" ? [{ type: "ImageUploadAborted", data: { imageId: image.imageId } }] : imageNotSaving(image.status, "queued");

const changedProperties = (current: ImageProperties, wanted: ImageProperties): ImageProperties =>
  Object.fromEntries(Object.entries(wanted).filter(([name, value]) => !Object.hasOwn(current, name) || current[name] !== value));

const updateImage = (c: UpdateImage, image: LiveImage): ImageDecision => {
  const setNames = Object.keys(c.setProperties);
  const invalid = firstOf(
    () => checkName(c.name),
    () => (c.visibility === undefined ? undefined : oneOf("visibility", c.visibility, imageVisibilities)),
    () => minimum("min_disk", c.minDiskGb),
    () => minimum("min_ram", c.minRamMb),
    () => checkTags([...(c.tags?.tags ?? []), ...c.addTags]),
    () => checkPropertyNames(setNames),
    () => {
      const both = c.removeProperties.find((name) => setNames.includes(name));
      return both === undefined ? undefined : invalidImageProperty("properties", `'${both}' is both set and removed`);
    },
  );
  if (invalid !== undefined) return invalid;
  const { imageId } = image;
  const events: Array<ImageEvent> = [];
  if (c.name !== undefined && c.name !== image.name) events.push({ type: "ImageRenamed", data: { imageId, name: c.name } });
  if (c.visibility !== undefined && c.visibility !== image.visibility)
    events.push({ type: "ImageVisibilityChanged", data: { imageId, visibility: c.visibility } });
  if (c.protected !== undefined && c.protected !== image.protected)
    events.push({ type: "ImageProtectionChanged", data: { imageId, protected: c.protected } });
  const minDiskGb = c.minDiskGb ?? image.minDiskGb;
  const minRamMb = c.minRamMb ?? image.minRamMb;
  if (minDiskGb !== image.minDiskGb || minRamMb !== image.minRamMb)
    events.push({ type: "ImageMinimumsChanged", data: { imageId, minDiskGb, minRamMb } });
  const properties = changedProperties(image.properties, c.setProperties);
  if (Object.keys(properties).length > 0) events.push({ type: "ImagePropertiesSet", data: { imageId, properties } });
  // Removing what is not there changes nothing: a retried removal must not fail.
  const names = [...new Set(c.removeProperties)].filter((name) => Object.hasOwn(image.properties, name));
  if (names.length > 0) events.push({ type: "ImagePropertiesRemoved", data: { imageId, names } });
  const removed = new Set(c.removeTags);
  const tags = tagSet([...(c.tags?.tags ?? image.tags), ...c.addTags]).filter((tag) => !removed.has(tag));
  const sameTags = tags.length === image.tags.length && tags.every((tag) => image.tags.includes(tag));
  if (!sameTags) events.push({ type: "ImageTagsChanged", data: { imageId, tags } });
  return events;
};

// Glance treats deactivating a deactivated image, or reactivating an active one, as success.
const deactivateImage = (image: LiveImage): ImageDecision => {
  if (image.status === "deactivated") return [];
  return image.status === "active" ? [{ type: "ImageDeactivated", data: { imageId: image.imageId } }] : imageNotActive(image.status);
};

const reactivateImage = (image: LiveImage): ImageDecision => {
  if (image.status === "active") return [];
  return image.status === "deactivated" ? [{ type: "ImageReactivated", data: { imageId: image.imageId } }] : imageNotDeactivated(image.status);
};

const deleteImage = (image: LiveImage): ImageDecision => {
  if (image.protected) return imageProtected(image.imageId);
  const location = image.status === "active" || image.status === "deactivated" ? image.upload.location : "";
  return [{ type: "ImageDeleted", data: { imageId: image.imageId, location } }];
};

// Every command but a creation needs an image that exists now; a deleted one is not found, as in Glance.
const onImage = (imageId: string, state: ImageState, decideFor: (image: LiveImage) => ImageDecision): ImageDecision =>
  state.status === "none" || state.status === "deleted" ? imageNotFound(imageId) : decideFor(state);

export const decide = (command: ImageCommand, state: ImageState): ImageDecision => {
  switch (command.type) {
    case "CreateImage":
      return createImage(command.data, state);
    case "StageImageUpload":
      return onImage(command.data.imageId, state, stageImageUpload);
    case "CompleteImageUpload":
      return onImage(command.data.imageId, state, (image) => completeImageUpload(command.data, image));
    case "AbortImageUpload":
      return onImage(command.data.imageId, state, abortImageUpload);
    case "UpdateImage":
      return onImage(command.data.imageId, state, (image) => updateImage(command.data, image));
    case "DeactivateImage":
      return onImage(command.data.imageId, state, deactivateImage);
    case "ReactivateImage":
      return onImage(command.data.imageId, state, reactivateImage);
    case "DeleteImage":
      return onImage(command.data.imageId, state, deleteImage);
    default:
      return assertNever(command);
  }
};
