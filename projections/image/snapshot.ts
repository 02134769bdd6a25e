/**
 * The image document as plain data for msgpack (and JSON): the entries in creation order, each
 * the aggregate's own state and its two instants. Changing this shape means bumping the
 * projection's version, so older snapshots are ignored and the document is rebuilt from the log.
 */
import { Map as ImmutableMap } from "immutable";
import type { ImageDocument, ImageEntry } from "./document.ts";

export interface ImageSnapshot {
  readonly images: ReadonlyArray<ImageEntry>;
}

export class InvalidImageSnapshot extends Error {
  readonly _tag = "InvalidImageSnapshot";
}

export const imagesToSnapshot = (doc: ImageDocument): ImageSnapshot => ({ images: doc.images.valueSeq().toArray() });

const isEntry = (value: unknown): value is ImageEntry => {
  if (typeof value !== "object" || value === null) return false;
  const { state, createdAt, updatedAt } = value as Record<string, unknown>;
  return typeof state === "object" && state !== null && typeof (state as Record<string, unknown>).imageId === "string" &&
    typeof createdAt === "string" && typeof updatedAt === "string";
};

/** Throws InvalidImageSnapshot for anything that is not an `ImageSnapshot`: rebuild from the log then. */
export const imagesFromSnapshot = (snapshot: unknown): ImageDocument => {
  const images = typeof snapshot === "object" && snapshot !== null ? (snapshot as Record<string, unknown>).images : undefined;
  if (!Array.isArray(images) || !images.every(isEntry)) throw new InvalidImageSnapshot("not an image read-model snapshot");
  return {
    images: ImmutableMap<string, ImageEntry>().withMutations((map) => {
      for (const entry of images) map.set(entry.state.imageId, entry);
    }),
  };
};
