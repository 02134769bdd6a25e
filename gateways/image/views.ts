/**
 * Glance v2 response bodies, built from read-model images: extra properties flattened beside
 * the base attributes, absent values as `null` (size and digests until an upload completes), and
 * the relative `self`, `file` and `schema` links Glance returns. Where the bytes are is never shown.
 */
import type { Image } from "@weft/projections/image";

/** Glance's `timeutils.isotime`: whole seconds, `Z`. */
const isotime = (instant: string) => `${instant.slice(0, 19)}Z`;

export const imagePath = (imageId: string) => `/v2/images/${imageId}`;

export const imageView = (image: Image) => ({
  ...image.properties,
  id: image.id,
  // Glance's name is null until one is given; an event records that as "".
  name: image.name === "" ? null : image.name,
  status: image.status,
  visibility: image.visibility,
  protected: image.protected,
  os_hidden: false,
  owner: image.owner === "" ? null : image.owner,
  disk_format: image.diskFormat,
  container_format: image.containerFormat,
  size: image.size,
  virtual_size: null,
  checksum: image.checksum,
  os_hash_algo: image.osHashAlgo,
  os_hash_value: image.osHashValue,
  min_disk: image.minDisk,
  min_ram: image.minRam,
  tags: image.tags,
  created_at: isotime(image.createdAt),
  updated_at: isotime(image.updatedAt),
  self: imagePath(image.id),
  file: `${imagePath(image.id)}/file`,
  schema: "/v2/schemas/image",
});
