/**
 * Questions the Glance gateway asks the image read model: one image as Glance shows it, whether a
 * caller may see it, and the filtered, sorted, paginated list of `GET /v2/images`, all under
 * Glance's visibility rules. Pure functions of the document.
 */
import { glanceStatus, type GlanceStatus, type ImageProperties, type ImageVisibility } from "@weft/domain/image";
import type { ImageDocument, ImageEntry } from "./document.ts";

/** One image with every field Glance shows; digests and size are null until an upload completes. */
export interface Image {
  readonly id: string;
  readonly name: string;
  readonly status: GlanceStatus;
  readonly visibility: string;
  readonly protected: boolean;
  /** The owning project's id; empty when a system-scoped admin created it without one. */
  readonly owner: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  readonly size: number | null;
  readonly checksum: string | null;
  readonly osHashAlgo: string | null;
  readonly osHashValue: string | null;
  readonly minDisk: number;
  readonly minRam: number;
  readonly tags: ReadonlyArray<string>;
  readonly properties: ImageProperties;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Where the bytes are, relative to the data dir; null until an upload completes. */
  readonly location: string | null;
}

/** A project id, or "admin" for a caller with the admin role, who sees every image. */
export type Viewer = string;

const imageOf = ({ state, createdAt, updatedAt }: ImageEntry): Image => {
  const upload = state.status === "active" || state.status === "deactivated" ? state.upload : undefined;
  return {
    id: state.imageId,
    name: state.name,
    status: glanceStatus(state),
    visibility: state.visibility,
    protected: state.protected,
    owner: state.owner,
    diskFormat: state.diskFormat,
    containerFormat: state.containerFormat,
    size: upload?.sizeBytes ?? null,
    checksum: upload?.checksum ?? null,
    osHashAlgo: upload?.osHashAlgo ?? null,
    osHashValue: upload?.osHashValue ?? null,
    minDisk: state.minDiskGb,
    minRam: state.minRamMb,
    tags: state.tags,
    properties: state.properties,
    createdAt,
    updatedAt,
    location: upload?.location ?? null,
  };
};

/**
 * Glance's rule for one image: admins see everything, owners their own, anyone a public or
 * community image. Shared images need membership, which this cloud does not record yet, so only
 * their owner sees them.
 */
export const isImageVisible = (image: Pick<Image, "owner" | "visibility">, viewer: Viewer): boolean =>
  viewer === "admin" || image.owner === viewer || image.visibility === "public" || image.visibility === "community";

/** The image whatever its visibility; the gateway checks `isImageVisible` before showing it. */
export const getImage = (doc: ImageDocument, imageId: string): Image | undefined => {
  const entry = doc.images.get(imageId);
  return entry === undefined ? undefined : imageOf(entry);
};

export const imageSortKeys = ["name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at"] as const;
export type ImageSortKey = (typeof imageSortKeys)[number];

export interface ImageListQuery {
  readonly visibleTo: Viewer;
  readonly name?: string;
  readonly status?: string;
  /** "all" lists every visible image, community ones of other projects included. */
  readonly visibility?: ImageVisibility | "all";
  readonly owner?: string;
  readonly protected?: boolean;
  readonly diskFormat?: string;
  readonly containerFormat?: string;
  /** Every tag must be on the image. */
  readonly tags?: ReadonlyArray<string>;
  /** Extra properties that must have exactly these values. */
  readonly properties?: ImageProperties;
  readonly sizeMin?: number;
  readonly sizeMax?: number;
  /** The id of the last image of the previous page. */
  readonly marker?: string;
  readonly limit?: number;
  readonly sortKey?: ImageSortKey;
  readonly sortDir?: "asc" | "desc";
}

export interface ImagePage {
  readonly images: ReadonlyArray<Image>;
  /** True when images remain after this page: the gateway then links the next one. */
  readonly more: boolean;
}

// Without a visibility filter Glance lists what the caller owns, public images and images shared
// with it; other projects' community images appear only when asked for (`visibility=community`).
const listed = (image: Image, viewer: Viewer, visibility: ImageListQuery["visibility"]): boolean => {
  if (!isImageVisible(image, viewer)) return false;
  if (visibility === undefined) return viewer === "admin" || image.visibility !== "community" || image.owner === viewer;
  return visibility === "all" || image.visibility === visibility;
};

const hasProperties = (image: Image, wanted: ImageProperties): boolean =>
  Object.entries(wanted).every(([name, value]) => Object.hasOwn(image.properties, name) && image.properties[name] === value);

const matches = (image: Image, q: ImageListQuery): boolean =>
  listed(image, q.visibleTo, q.visibility) &&
  (q.name === undefined || image.name === q.name) &&
  (q.status === undefined || image.status === q.status) &&
  (q.owner === undefined || image.owner === q.owner) &&
  (q.protected === undefined || image.protected === q.protected) &&
  (q.diskFormat === undefined || image.diskFormat === q.diskFormat) &&
  (q.containerFormat === undefined || image.containerFormat === q.containerFormat) &&
  (q.tags === undefined || q.tags.every((tag) => image.tags.includes(tag))) &&
  (q.properties === undefined || hasProperties(image, q.properties)) &&
  (q.sizeMin === undefined || (image.size !== null && image.size >= q.sizeMin)) &&
  (q.sizeMax === undefined || (image.size !== null && image.size <= q.sizeMax));

const sortValue = (image: Image, key: ImageSortKey): string | number | null => {
  switch (key) {
    case "name": return image.name;
    case "status": return image.status;
    case "container_format": return image.containerFormat;
    case "disk_format": return image.diskFormat;
    case "size": return image.size;
    case "id": return image.id;
    case "created_at": return image.createdAt;
    case "updated_at": return image.updatedAt;
  }
};

// Nulls (no size yet) sort first ascending, as SQL's NULLS FIRST in Glance's MySQL backend.
const compareValues = (a: string | number | null, b: string | number | null): number =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

// Glance breaks ties by created_at then id, so pages never skip or repeat an image.
const comparator = (key: ImageSortKey, dir: "asc" | "desc") => (a: Image, b: Image): number => {
  const sign = dir === "asc" ? 1 : -1;
  for (const k of [key, "created_at", "id"] as const) {
    const order = compareValues(sortValue(a, k), sortValue(b, k));
    if (order !== 0) return sign * order;
  }
  return 0;
};

/**
 * One page of the images the caller may list, sorted (created_at descending by default). Undefined
 * when the marker names no image the caller may list: Glance answers that with a 400.
 */
export const listImages = (doc: ImageDocument, query: ImageListQuery): ImagePage | undefined => {
  const all = doc.images
    .valueSeq()
    .map(imageOf)
    .filter((image) => matches(image, query))
    .toArray()
    .sort(comparator(query.sortKey ?? "created_at", query.sortDir ?? "desc"));
  let start = 0;
  if (query.marker !== undefined) {
    const at = all.findIndex((image) => image.id === query.marker);
    if (at === -1) {
      const marker = getImage(doc, query.marker);
      if (marker === undefined || !isImageVisible(marker, query.visibleTo)) return undefined;
      // A visible marker filtered out of this list still places the page: after where it sorts.
      const after = comparator(query.sortKey ?? "created_at", query.sortDir ?? "desc");
      start = all.findIndex((image) => after(marker, image) < 0);
      if (start === -1) start = all.length;
    } else {
      start = at + 1;
    }
  }
  const end = query.limit === undefined ? all.length : Math.min(all.length, start + query.limit);
  return { images: all.slice(start, end), more: end < all.length };
};
