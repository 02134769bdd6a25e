/**
 * The image read model: `imageProjection` folds image events into an `ImageDocument`, and the
 * query functions answer the Glance gateway from it.
 */
import { imageEventTypes, type ImageEvent } from "@weft/domain/image";
import type { Projection } from "../shared/index.ts";
import { evolveImages, initialImageDocument, type ImageDocument } from "./document.ts";
import { imagesFromSnapshot, imagesToSnapshot } from "./snapshot.ts";

export * from "./queries.ts";
export { evolveImages, initialImageDocument, type ImageDocument, type ImageEntry } from "./document.ts";
export { imagesFromSnapshot, imagesToSnapshot, InvalidImageSnapshot, type ImageSnapshot } from "./snapshot.ts";

export const imageProjection: Projection<ImageDocument, ImageEvent> = {
  name: "image",
  version: 1,
  eventTypes: new Set(imageEventTypes),
  initial: initialImageDocument,
  evolve: evolveImages,
  toSnapshot: imagesToSnapshot,
  fromSnapshot: imagesFromSnapshot,
};
