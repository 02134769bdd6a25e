/**
 * Images (mirrors Glance v2): one aggregate per image, stream `imageStream(imageId)`, holding its
 * metadata and the status machine queued -> saving -> active <-> deactivated, and deleted. The
 * bytes live under the data dir; the events record where, and their size and digests.
 */
import type { Decider } from "../shared/index.ts";
import type { ImageCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { ImageEvent } from "./events.ts";
import type { ImageRejection } from "./rejections.ts";
import { evolve, initialState, type ImageState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export {
  imageStream,
  initialState,
  evolve,
  glanceStatus,
  type GlanceStatus,
  type ImageState,
  type ImageRecord,
  type ImageUpload,
  type NoImage,
  type QueuedImage,
  type SavingImage,
  type ActiveImage,
  type DeactivatedImage,
  type DeletedImage,
  type LiveImage,
} from "./state.ts";
export { decide } from "./decide.ts";

export const imageDecider: Decider<ImageCommand, ImageEvent, ImageState, ImageRejection> = {
  initialState,
  evolve,
  decide,
};
