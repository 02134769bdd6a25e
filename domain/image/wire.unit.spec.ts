/**
 * Keeps the TypeScript commands and events of images identical to the wire: one sample per union
 * member (the mapped types make a missing sample a compile error), each encoded with the
 * `weft.image.v1` payload codec and decoded back deep-equal. Every field carries a non-default
 * value, so a field misspelt on either side decodes as a default and fails. The other direction
 * (a proto message without a TS type) is `proto/image.unit.spec.ts`'s list of published names.
 */
import { describe, expect, it } from "vitest";
import { payloadCodec } from "@weft/proto";
import {
  imageCommandTypes,
  imageEventTypes,
  type ImageCommand,
  type ImageCommandType,
  type ImageEvent,
  type ImageEventType,
} from "./index.ts";

type DataOf<U extends { readonly type: string; readonly data: object }, T extends U["type"]> = Extract<U, { readonly type: T }>["data"];

const I = "8a3e2f1c-1b2a-4c3d-9e8f-0a1b2c3d4e5f";
const image = {
  imageId: I, owner: "proj", name: "cirros", diskFormat: "qcow2", containerFormat: "bare", visibility: "public",
  protected: true, minDiskGb: 1, minRamMb: 64, tags: ["a", "b"], properties: { os_distro: "cirros", hw_disk_bus: "virtio" },
};
// Beyond 2^32 bytes, to prove int64 survives as a number.
const upload = {
  imageId: I, sizeBytes: 8_589_934_592, checksum: "1d3062cd89af34e419f7100277f38b2b", osHashAlgo: "sha512",
  osHashValue: "a".repeat(128), location: `images/${I}`,
};

const commandSamples: { readonly [T in ImageCommandType]: DataOf<ImageCommand, T> } = {
  CreateImage: image,
  StageImageUpload: { imageId: I },
  CompleteImageUpload: upload,
  AbortImageUpload: { imageId: I },
  UpdateImage: {
    imageId: I, name: "cirros-0.6", visibility: "shared", protected: true, minDiskGb: 2, minRamMb: 128,
    setProperties: { os_version: "0.6" }, removeProperties: ["hw_disk_bus"], tags: { tags: ["c"] }, addTags: ["d"], removeTags: ["a"],
  },
  DeactivateImage: { imageId: I },
  ReactivateImage: { imageId: I },
  DeleteImage: { imageId: I },
};

const eventSamples: { readonly [T in ImageEventType]: DataOf<ImageEvent, T> } = {
  ImageCreated: image,
  ImageUploadStaged: { imageId: I },
  ImageUploadCompleted: upload,
  ImageUploadAborted: { imageId: I },
  ImageRenamed: { imageId: I, name: "cirros-0.6" },
  ImageVisibilityChanged: { imageId: I, visibility: "community" },
  ImageProtectionChanged: { imageId: I, protected: true },
  ImageMinimumsChanged: { imageId: I, minDiskGb: 2, minRamMb: 128 },
  ImagePropertiesSet: { imageId: I, properties: { os_version: "0.6" } },
  ImagePropertiesRemoved: { imageId: I, names: ["hw_disk_bus"] },
  ImageTagsChanged: { imageId: I, tags: ["c", "d"] },
  ImageDeactivated: { imageId: I },
  ImageReactivated: { imageId: I },
  ImageDeleted: { imageId: I, location: `images/${I}` },
};

const samplesOf = <T extends { readonly type: string; readonly data: object }>(samples: Record<string, object>): ReadonlyArray<T> =>
  Object.entries(samples).map(([type, data]) => ({ type, data }) as unknown as T);

const commands = samplesOf<ImageCommand>(commandSamples);
const events = samplesOf<ImageEvent>(eventSamples);

const noChanges = { setProperties: {}, removeProperties: [], addTags: [], removeTags: [] };

// Optional fields: absent stays absent, and a present default (false, 0, "", no tags) stays present.
const optionalEdges: ReadonlyArray<ImageCommand> = [
  { type: "UpdateImage", data: { imageId: I, ...noChanges } },
  { type: "UpdateImage", data: { imageId: I, name: "", visibility: "", protected: false, minDiskGb: 0, minRamMb: 0, ...noChanges, tags: { tags: [] } } },
];

describe("image payloads on the wire", () => {
  const codec = payloadCodec<ImageCommand | ImageEvent>("weft.image.v1");

  it("have one sample per command and event type", () => {
    expect(commands.map((c) => c.type)).toEqual([...imageCommandTypes]);
    expect(events.map((e) => e.type)).toEqual([...imageEventTypes]);
  });

  it.each([...commands, ...events, ...optionalEdges])("$type round-trips unchanged", (payload) => {
    expect(codec.has(payload.type)).toBe(true);
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });
});
