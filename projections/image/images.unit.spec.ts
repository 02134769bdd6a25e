/**
 * The image read model: given events (folded through `foldProjected` once, and again with every
 * event delivered twice and the whole log replayed), the expected images, list pages and
 * snapshots.
 */
import { describe, expect, it } from "vitest";
import type { ImageEvent } from "@weft/domain/image";
import { foldProjected, initialProjected, type ProjectedEvent } from "../shared/index.ts";
import { getImage, imageProjection, initialImageDocument, InvalidImageSnapshot, isImageVisible, listImages, type ImageDocument } from "./index.ts";

const P1 = "11111111111111111111111111111111";
const P2 = "22222222222222222222222222222222";
const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
/** Event n happens at 2025-01-01T00:00:00Z plus n seconds. */
const at = (position: number) => new Date(Date.UTC(2025, 0, 1) + position * 1000).toISOString();

const created = (n: number, owner: string, visibility: string, name = `image-${n}`): ImageEvent => ({
  type: "ImageCreated",
  data: {
    imageId: id(n), owner, name, diskFormat: "raw", containerFormat: "bare", visibility, protected: false,
    minDiskGb: 0, minRamMb: 0, tags: [], properties: {},
  },
});
const uploaded = (n: number, sizeBytes: number): ImageEvent[] => [
  { type: "ImageUploadStaged", data: { imageId: id(n) } },
  {
    type: "ImageUploadCompleted",
    data: { imageId: id(n), sizeBytes, checksum: "d".repeat(32), osHashAlgo: "sha512", osHashValue: "e".repeat(128), location: `images/${id(n)}` },
  },
];

const projected = (events: ReadonlyArray<ImageEvent>): ReadonlyArray<ProjectedEvent<ImageEvent>> =>
  events.map((event, index) => ({ event, stream: `image-${event.data.imageId}`, position: index + 1, occurredAt: at(index + 1) }));

const foldAll = (events: ReadonlyArray<ProjectedEvent<ImageEvent>>) =>
  events.reduce((state, event) => foldProjected(imageProjection, state, event), initialProjected(imageProjection));

const fold = (events: ReadonlyArray<ImageEvent>): ImageDocument => {
  const once = foldAll(projected(events));
  const redelivered = foldAll([...projected(events).flatMap((event) => [event, event]), ...projected(events)]);
  expect(redelivered).toEqual(once);
  expect(once.position).toBe(events.length);
  return once.doc;
};

const history: ReadonlyArray<ImageEvent> = [
  created(1, P1, "private", "cirros"), // 1
  ...uploaded(1, 4096), // 2, 3
  created(2, P1, "public", "ubuntu"), // 4
  created(3, P2, "private", "secret"), // 5
  created(4, P2, "community", "community"), // 6
  created(5, P2, "shared", "shared"), // 7
  { type: "ImageRenamed", data: { imageId: id(1), name: "cirros-0.6" } }, // 8
  { type: "ImagePropertiesSet", data: { imageId: id(1), properties: { os_distro: "cirros", hw_disk_bus: "virtio" } } }, // 9
  { type: "ImagePropertiesRemoved", data: { imageId: id(1), names: ["hw_disk_bus"] } }, // 10
  { type: "ImageTagsChanged", data: { imageId: id(1), tags: ["small", "test"] } }, // 11
  { type: "ImageMinimumsChanged", data: { imageId: id(1), minDiskGb: 1, minRamMb: 64 } }, // 12
  { type: "ImageProtectionChanged", data: { imageId: id(1), protected: true } }, // 13
  created(6, P1, "private", "doomed"), // 14
  { type: "ImageDeleted", data: { imageId: id(6), location: "" } }, // 15
  created(7, P1, "private", "interrupted"), // 16
  { type: "ImageUploadStaged", data: { imageId: id(7) } }, // 17
  { type: "ImageUploadAborted", data: { imageId: id(7) } }, // 18
  ...uploaded(2, 10), // 19, 20
];

describe("images", () => {
  const doc = fold(history);

  it("show every field Glance shows, updated_at from the last change", () => {
    expect(getImage(doc, id(1))).toEqual({
      id: id(1), name: "cirros-0.6", status: "active", visibility: "private", protected: true, owner: P1,
      diskFormat: "raw", containerFormat: "bare", size: 4096, checksum: "d".repeat(32), osHashAlgo: "sha512", osHashValue: "e".repeat(128),
      minDisk: 1, minRam: 64, tags: ["small", "test"], properties: { os_distro: "cirros" },
      createdAt: at(1), updatedAt: at(13), location: `images/${id(1)}`,
    });
  });

  it("show no size or digests before an upload, and an aborted upload back in queued", () => {
    expect(getImage(doc, id(3))).toMatchObject({ status: "queued", size: null, checksum: null, osHashAlgo: null, osHashValue: null, location: null });
    expect(getImage(doc, id(7))).toMatchObject({ status: "queued", size: null, location: null, updatedAt: at(18) });
  });

  it("forget deleted images", () => {
    expect(getImage(doc, id(6))).toBeUndefined();
    expect(listImages(doc, { visibleTo: "admin" })!.images.map((i) => i.id)).not.toContain(id(6));
  });

  it("ignore events about images they never saw", () => {
    const stray = fold([{ type: "ImageRenamed", data: { imageId: id(9), name: "x" } }, ...uploaded(9, 1)]);
    expect(stray).toEqual(initialImageDocument());
  });

  it("apply Glance's visibility to one image", () => {
    const secret = getImage(doc, id(3))!;
    expect(isImageVisible(secret, P2)).toBe(true);
    expect(isImageVisible(secret, P1)).toBe(false);
    expect(isImageVisible(secret, "admin")).toBe(true);
    expect(isImageVisible(getImage(doc, id(4))!, P1)).toBe(true);
    expect(isImageVisible(getImage(doc, id(5))!, P1)).toBe(false);
  });
});

describe("image lists", () => {
  const doc = fold(history);
  const names = (page: ReturnType<typeof listImages>) => page?.images.map((image) => image.name);

  it("sort newest first by default, and list for each project what Glance does", () => {
    expect(names(listImages(doc, { visibleTo: "admin" }))).toEqual(["interrupted", "shared", "community", "secret", "ubuntu", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1 }))).toEqual(["interrupted", "ubuntu", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P2 }))).toEqual(["shared", "community", "secret", "ubuntu"]);
  });

  it("list other projects' community images only when asked", () => {
    expect(names(listImages(doc, { visibleTo: P1, visibility: "community" }))).toEqual(["community"]);
    expect(names(listImages(doc, { visibleTo: P1, visibility: "all" }))).toEqual(["interrupted", "community", "ubuntu", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, visibility: "private" }))).toEqual(["interrupted", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, visibility: "shared" }))).toEqual([]);
  });

  it("filter by name, status, owner, tag, property, protection, format and size", () => {
    expect(names(listImages(doc, { visibleTo: "admin", name: "ubuntu" }))).toEqual(["ubuntu"]);
    expect(names(listImages(doc, { visibleTo: "admin", status: "active" }))).toEqual(["ubuntu", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: "admin", owner: P1 }))).toEqual(["interrupted", "ubuntu", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, tags: ["small"] }))).toEqual(["cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, tags: ["small", "other"] }))).toEqual([]);
    expect(names(listImages(doc, { visibleTo: P1, properties: { os_distro: "cirros" } }))).toEqual(["cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, protected: true }))).toEqual(["cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, diskFormat: "qcow2" }))).toEqual([]);
    expect(names(listImages(doc, { visibleTo: P1, containerFormat: "bare", sizeMin: 11 }))).toEqual(["cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: P1, sizeMax: 10 }))).toEqual(["ubuntu"]);
  });

  it("sort by another key in either direction, ties broken by creation", () => {
    expect(names(listImages(doc, { visibleTo: P1, sortKey: "name", sortDir: "asc" }))).toEqual(["cirros-0.6", "interrupted", "ubuntu"]);
    expect(names(listImages(doc, { visibleTo: P1, sortKey: "size", sortDir: "asc" }))).toEqual(["interrupted", "ubuntu", "cirros-0.6"]);
    expect(names(listImages(doc, { visibleTo: "admin", sortKey: "status", sortDir: "asc" }))).toEqual(
      ["cirros-0.6", "ubuntu", "secret", "community", "shared", "interrupted"],
    );
  });

  it("page with limit and marker, and refuse a marker the caller cannot see", () => {
    const first = listImages(doc, { visibleTo: "admin", limit: 4 })!;
    expect(names(first)).toEqual(["interrupted", "shared", "community", "secret"]);
    expect(first.more).toBe(true);
    const second = listImages(doc, { visibleTo: "admin", limit: 4, marker: first.images.at(-1)!.id })!;
    expect(names(second)).toEqual(["ubuntu", "cirros-0.6"]);
    expect(second.more).toBe(false);
    expect(listImages(doc, { visibleTo: P1, marker: id(3) })).toBeUndefined();
    expect(listImages(doc, { visibleTo: P1, marker: id(6) })).toBeUndefined();
    // A visible marker outside the filter still places the page after it.
    expect(names(listImages(doc, { visibleTo: P1, status: "active", marker: id(7) }))).toEqual(["ubuntu", "cirros-0.6"]);
    expect(listImages(doc, { visibleTo: P1, limit: 0 })).toEqual({ images: [], more: true });
  });
});

describe("image snapshots", () => {
  const doc = fold(history);
  const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

  it("restore a deep-equal document from JSON-like data, in the same order", () => {
    const restored = imageProjection.fromSnapshot(viaJson(imageProjection.toSnapshot(doc)));
    expect(restored).toEqual(doc);
    expect([...restored.images.keys()]).toEqual([...doc.images.keys()]);
    expect(viaJson(imageProjection.toSnapshot(doc))).toEqual(imageProjection.toSnapshot(doc));
  });

  it("fold on from a restored document as from the original", () => {
    const more: ProjectedEvent<ImageEvent> = {
      event: { type: "ImageDeleted", data: { imageId: id(2), location: `images/${id(2)}` } }, stream: `image-${id(2)}`, position: 99, occurredAt: at(99),
    };
    const restored = imageProjection.fromSnapshot(viaJson(imageProjection.toSnapshot(doc)));
    expect(imageProjection.evolve(restored, more)).toEqual(imageProjection.evolve(doc, more));
  });

  it("round-trip an empty document and refuse anything that is not a snapshot", () => {
    expect(imageProjection.fromSnapshot(viaJson(imageProjection.toSnapshot(initialImageDocument())))).toEqual(initialImageDocument());
    expect(() => imageProjection.fromSnapshot(null)).toThrow(InvalidImageSnapshot);
    expect(() => imageProjection.fromSnapshot({ images: [{ state: {} }] })).toThrow(InvalidImageSnapshot);
  });
});
