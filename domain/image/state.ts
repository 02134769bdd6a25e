/**
 * One image as `decide` needs it: its Glance status as the union's discriminant, so an active
 * image always has its upload (size, digests, location) and a queued one never does. A deleted
 * image keeps only its id: Glance never reuses an image id.
 */
import type { ImageProperties } from "./commands.ts";
import type { ImageEvent } from "./events.ts";

/** The stream of one image. */
export const imageStream = (imageId: string): string => `image-${imageId}`;

/** What an image is, whatever its status. */
export interface ImageRecord {
  readonly imageId: string;
  readonly owner: string;
  readonly name: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  readonly visibility: string;
  readonly protected: boolean;
  readonly minDiskGb: number;
  readonly minRamMb: number;
  readonly tags: ReadonlyArray<string>;
  readonly properties: ImageProperties;
}

/** The uploaded bytes: how many, their digests, and where they are relative to the data dir. */
export interface ImageUpload {
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly osHashAlgo: string;
  readonly osHashValue: string;
  readonly location: string;
}

export interface NoImage {
  readonly status: "none";
}

export interface QueuedImage extends ImageRecord {
  readonly status: "queued";
}

export interface SavingImage extends ImageRecord {
  readonly status: "saving";
}

export interface ActiveImage extends ImageRecord {
  readonly status: "active";
  readonly upload: ImageUpload;
}

export interface DeactivatedImage extends ImageRecord {
  readonly status: "deactivated";
  readonly upload: ImageUpload;
}

export interface DeletedImage {
  readonly status: "deleted";
  readonly imageId: string;
}

/** An image that exists and can still change. */
export type LiveImage = QueuedImage | SavingImage | ActiveImage | DeactivatedImage;

export type ImageState = NoImage | LiveImage | DeletedImage;

export const initialState = (): ImageState => ({ status: "none" });

/**
 * Glance's `status` values. `killed` (an upload that failed for good) is never recorded here: an
 * interrupted upload is aborted back to `queued`, as the design asks, so it can be retried.
 */
export type GlanceStatus = "queued" | "saving" | "active" | "deactivated" | "deleted" | "killed";

/** The `status` an image shows in Glance's API. */
export const glanceStatus = (state: LiveImage | DeletedImage): GlanceStatus => state.status;

const withoutKeys = (properties: ImageProperties, names: ReadonlyArray<string>): ImageProperties =>
  Object.fromEntries(Object.entries(properties).filter(([name]) => !names.includes(name)));

const evolveLive = (state: LiveImage, event: ImageEvent): ImageState => {
  switch (event.type) {
    case "ImageCreated":
      return state;
    case "ImageUploadStaged":
      return state.status === "queued" ? { ...state, status: "saving" } : state;
    case "ImageUploadCompleted": {
      if (state.status !== "saving") return state;
      const { sizeBytes, checksum, osHashAlgo, osHashValue, location } = event.data;
      return { ...state, status: "active", upload: { sizeBytes, checksum, osHashAlgo, osHashValue, location } };
    }
    case "ImageUploadAborted":
      return state.status === "saving" ? { ...state, status: "queued" } : state;
    case "ImageRenamed":
      return { ...state, name: event.data.name };
    case "ImageVisibilityChanged":
      return { ...state, visibility: event.data.visibility };
    case "ImageProtectionChanged":
      return { ...state, protected: event.data.protected };
    case "ImageMinimumsChanged":
      return { ...state, minDiskGb: event.data.minDiskGb, minRamMb: event.data.minRamMb };
    case "ImagePropertiesSet":
      return { ...state, properties: { ...state.properties, ...event.data.properties } };
    case "ImagePropertiesRemoved":
      return { ...state, properties: withoutKeys(state.properties, event.data.names) };
    case "ImageTagsChanged":
      return { ...state, tags: event.data.tags };
    case "ImageDeactivated":
      return state.status === "active" ? { ...state, status: "deactivated" } : state;
    case "ImageReactivated":
      return state.status === "deactivated" ? { ...state, status: "active" } : state;
    case "ImageDeleted":
      return { status: "deleted", imageId: state.imageId };
    default: {
      // A compile error when an event type has no case; at run time an unknown fact changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
};

/**
 * Total and never throwing: a transition from the wrong status, or any fact about an image that
 * does not exist (but its creation), changes nothing.
 */
export const evolve = (state: ImageState, event: ImageEvent): ImageState => {
  if (state.status === "none" && event.type === "ImageCreated") {
    const { imageId, owner, name, diskFormat, containerFormat, visibility, minDiskGb, minRamMb, tags, properties } = event.data;
    return {
      status: "queued", imageId, owner, name, diskFormat, containerFormat, visibility,
      protected: event.data.protected, minDiskGb, minRamMb, tags, properties,
    };
  }
  return state.status === "none" || state.status === "deleted" ? state : evolveLive(state, event);
};
