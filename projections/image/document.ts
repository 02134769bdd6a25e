/**
 * The image read model the Glance gateway answers from: every live image as the image aggregate
 * itself sees it (folded with the domain's own `evolve`, so the status machine has one source of
 * truth), plus the two instants Glance shows, `created_at` and `updated_at`, taken from the
 * events' `occurredAt`. Deleted images leave the document: Glance never shows them again.
 */
import { Map as ImmutableMap } from "immutable";
import { evolve, type ImageEvent, type LiveImage } from "@weft/domain/image";
import type { ProjectedEvent } from "../shared/index.ts";

export interface ImageEntry {
  readonly state: LiveImage;
  /** RFC 3339. */
  readonly createdAt: string;
  /** RFC 3339: the last event that changed the image. */
  readonly updatedAt: string;
}

export interface ImageDocument {
  /** imageId -> the image; insertion order is creation order. */
  readonly images: ImmutableMap<string, ImageEntry>;
}

export const initialImageDocument = (): ImageDocument => ({ images: ImmutableMap() });

/** Total and never throwing: an event about an image the document does not hold changes nothing. */
export const evolveImages = (doc: ImageDocument, { event, occurredAt }: ProjectedEvent<ImageEvent>): ImageDocument => {
  const { imageId } = event.data;
  const entry = doc.images.get(imageId);
  if (entry === undefined) {
    if (event.type !== "ImageCreated") return doc;
    const state = evolve({ status: "none" }, event);
    if (state.status === "none" || state.status === "deleted") return doc;
    return { images: doc.images.set(imageId, { state, createdAt: occurredAt, updatedAt: occurredAt }) };
  }
  const state = evolve(entry.state, event);
  if (state === entry.state) return doc;
  if (state.status === "none" || state.status === "deleted") return { images: doc.images.delete(imageId) };
  return { images: doc.images.set(imageId, { state, createdAt: entry.createdAt, updatedAt: occurredAt }) };
};
