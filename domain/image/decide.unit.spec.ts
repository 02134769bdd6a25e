/**
 * An image's rules, one given/when/then per rule: Glance's status machine (queued, saving, active,
 * deactivated, deleted), value checks, reserved attribute names, protection, the specific events
 * an update becomes, and the retries accepted as no-ops.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../shared/index.ts";
import {
  evolve,
  glanceStatus,
  imageCommandTypes,
  imageDecider,
  imageStream,
  initialState,
  type CreateImage,
  type ImageCommand,
  type ImageEvent,
  type UpdateImage,
} from "./index.ts";

const spec = deciderSpecification(imageDecider);
const I = "8a3e2f1c-1b2a-4c3d-9e8f-0a1b2c3d4e5f";

const createData: CreateImage = {
  imageId: I, owner: "proj", name: "cirros", diskFormat: "qcow2", containerFormat: "bare", visibility: "",
  protected: false, minDiskGb: 1, minRamMb: 64, tags: [], properties: {},
};
const create = (overrides: Partial<CreateImage> = {}): ImageCommand => ({ type: "CreateImage", data: { ...createData, ...overrides } });
// Builders keep the proto field order: the specification compares events as JSON.
const createdEvent = (overrides: Partial<CreateImage> = {}): ImageEvent =>
  ({ type: "ImageCreated", data: { ...createData, visibility: "private", ...overrides } });
const upload = {
  sizeBytes: 16_338_944,
  checksum: "1d3062cd89af34e419f7100277f38b2b",
  osHashAlgo: "sha512",
  osHashValue: "a".repeat(128),
  location: `images/${I}`,
};
const complete = (overrides: Partial<typeof upload> = {}): ImageCommand => ({ type: "CompleteImageUpload", data: { imageId: I, ...upload, ...overrides } });
const update = (changes: Partial<UpdateImage>): ImageCommand =>
  ({ type: "UpdateImage", data: { imageId: I, setProperties: {}, removeProperties: [], addTags: [], removeTags: [], ...changes } });
const simple = (type: "StageImageUpload" | "AbortImageUpload" | "DeactivateImage" | "ReactivateImage" | "DeleteImage"): ImageCommand =>
  ({ type, data: { imageId: I } });

const queued: ReadonlyArray<ImageEvent> = [createdEvent()];
const saving: ReadonlyArray<ImageEvent> = [...queued, { type: "ImageUploadStaged", data: { imageId: I } }];
const completed: ImageEvent = { type: "ImageUploadCompleted", data: { imageId: I, ...upload } };
const active: ReadonlyArray<ImageEvent> = [...saving, completed];
const deactivated: ReadonlyArray<ImageEvent> = [...active, { type: "ImageDeactivated", data: { imageId: I } }];
const deleted = (location = ""): ImageEvent => ({ type: "ImageDeleted", data: { imageId: I, location } });
const stateOf = (events: ReadonlyArray<ImageEvent>) => events.reduce(evolve, initialState());
const messageOf = (command: ImageCommand, events: ReadonlyArray<ImageEvent>) => imageDecider.decide(command, stateOf(events));

describe("CreateImage", () => {
  it("creates a queued, private image by default", () => {
    spec.given([]).when(create()).then(queued);
    expect(stateOf(queued)).toMatchObject({ status: "queued" });
  });
  it("keeps the visibility, protection, tags (once each) and properties it is given", () =>
    spec.given([]).when(create({ visibility: "public", protected: true, tags: ["a", "b", "a"], properties: { os_distro: "cirros" } }))
      .then([createdEvent({ visibility: "public", protected: true, tags: ["a", "b"], properties: { os_distro: "cirros" } })]));
  it("names its stream by the image id", () => expect(imageStream(I)).toBe(`image-${I}`));

  it.each([
    ["disk_format", { diskFormat: "qcow3" }],
    ["container_format", { containerFormat: "zip" }],
    ["visibility", { visibility: "secret" }],
    ["min_disk", { minDiskGb: -1 }],
    ["min_ram", { minRamMb: 0.5 }],
    ["name", { name: "n".repeat(256) }],
    ["tags", { tags: [""] }],
  ] as const)("refuses an invalid %s", (field, overrides) => {
    spec.given([]).when(create(overrides)).thenRejects("InvalidImageProperty");
    expect(messageOf(create(overrides), [])).toMatchObject({ message: expect.stringContaining(field) });
  });
  it("accepts every Glance disk and container format", () => {
    for (const diskFormat of ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"])
      spec.given([]).when(create({ diskFormat })).then([createdEvent({ diskFormat })]);
    for (const containerFormat of ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"])
      spec.given([]).when(create({ containerFormat })).then([createdEvent({ containerFormat })]);
  });
  it.each(["status", "size", "owner", "os_glance_import_task"])("refuses a property named %s, Glance's own", (name) =>
    spec.given([]).when(create({ properties: { [name]: "x" } })).thenRejects("ReservedImageProperty"));
  it("refuses an id in use", () => spec.given(queued).when(create()).thenRejects("ImageAlreadyExists"));
  it("never reuses a deleted image's id", () => spec.given([...queued, deleted()]).when(create()).thenRejects("ImageAlreadyExists"));
});

describe("every command but create needs an image", () => {
  const commands: ReadonlyArray<ImageCommand> = [
    simple("StageImageUpload"), complete(), simple("AbortImageUpload"), update({ name: "x" }),
    simple("DeactivateImage"), simple("ReactivateImage"), simple("DeleteImage"),
  ];
  it("covers every such command", () =>
    expect(new Set(commands.map((c) => c.type))).toEqual(new Set(imageCommandTypes.filter((t) => t !== "CreateImage"))));
  it.each(commands)("refuses $type before creation", (command) => spec.given([]).when(command).thenRejects("ImageNotFound"));
  it.each(commands)("refuses $type after deletion", (command) => spec.given([...active, deleted(upload.location)]).when(command).thenRejects("ImageNotFound"));
});

describe("StageImageUpload", () => {
  it("starts saving a queued image", () => spec.given(queued).when(simple("StageImageUpload")).then([saving[1]!]));
  it.each([["saving", saving], ["active", active], ["deactivated", deactivated]] as const)("refuses a %s image", (status, history) => {
    spec.given(history).when(simple("StageImageUpload")).thenRejects("ImageNotQueued");
    expect(messageOf(simple("StageImageUpload"), history))
      .toEqual({ _tag: "ImageNotQueued", message: `Image status transition from ${status} to saving is not allowed` });
  });
  it("starts again after an abort", () =>
    spec.given([...saving, { type: "ImageUploadAborted", data: { imageId: I } }]).when(simple("StageImageUpload")).then([saving[1]!]));
});

describe("CompleteImageUpload", () => {
  it("activates a saving image with its size, digests and location", () => {
    spec.given(saving).when(complete()).then([completed]);
    expect(stateOf(active)).toMatchObject({ status: "active", upload });
  });
  it("refuses a queued image", () => spec.given(queued).when(complete()).thenRejects("ImageNotSaving"));
  it("accepts an identical retry as a no-op, active or deactivated", () => {
    spec.given(active).when(complete()).then([]);
    spec.given(deactivated).when(complete()).then([]);
  });
  it("refuses a different completion of an active image", () => spec.given(active).when(complete({ sizeBytes: 1 })).thenRejects("ImageNotSaving"));
  it.each([
    ["a negative size", { sizeBytes: -1 }],
    ["an MD5 that is not hex", { checksum: "z".repeat(32) }],
    ["an uppercase MD5", { checksum: upload.checksum.toUpperCase() }],
    ["an unknown hash algorithm", { osHashAlgo: "crc32" }],
    ["a digest of the wrong length", { osHashValue: "a".repeat(64) }],
    ["an absolute location", { location: `/etc/passwd` }],
    ["a location climbing out", { location: `images/../../etc/passwd` }],
    ["an empty location", { location: "" }],
  ])("refuses %s", (_, overrides) => spec.given(saving).when(complete(overrides)).thenRejects("InvalidImageUpload"));
  it("accepts a sha256 digest", () =>
    spec.given(saving).when(complete({ osHashAlgo: "sha256", osHashValue: "b".repeat(64) }))
      .then([{ type: "ImageUploadCompleted", data: { imageId: I, ...upload, osHashAlgo: "sha256", osHashValue: "b".repeat(64) } }]));
});

describe("AbortImageUpload", () => {
  it("takes a saving image back to queued", () => {
    spec.given(saving).when(simple("AbortImageUpload")).then([{ type: "ImageUploadAborted", data: { imageId: I } }]);
    expect(stateOf([...saving, { type: "ImageUploadAborted", data: { imageId: I } }])).toMatchObject({ status: "queued" });
  });
  it.each([["queued", queued], ["active", active]] as const)("refuses a %s image", (status, history) =>
    expect(messageOf(simple("AbortImageUpload"), history))
      .toEqual({ _tag: "ImageNotSaving", message: `Image status transition from ${status} to queued is not allowed` }));
});

describe("UpdateImage", () => {
  it("renames", () => spec.given(queued).when(update({ name: "cirros-0.6" })).then([{ type: "ImageRenamed", data: { imageId: I, name: "cirros-0.6" } }]));
  it("records nothing when nothing changes", () =>
    spec.given(queued).when(update({ name: "cirros", visibility: "private", protected: false, minDiskGb: 1, minRamMb: 64, tags: { tags: [] } })).then([]));
  it("changes visibility to an allowed value only", () => {
    spec.given(queued).when(update({ visibility: "community" })).then([{ type: "ImageVisibilityChanged", data: { imageId: I, visibility: "community" } }]);
    spec.given(queued).when(update({ visibility: "everyone" })).thenRejects("InvalidImageProperty");
  });
  it("changes protection", () =>
    spec.given(active).when(update({ protected: true })).then([{ type: "ImageProtectionChanged", data: { imageId: I, protected: true } }]));
  it("records both minimums when one changes", () =>
    spec.given(queued).when(update({ minRamMb: 128 })).then([{ type: "ImageMinimumsChanged", data: { imageId: I, minDiskGb: 1, minRamMb: 128 } }]));
  it("refuses a negative minimum", () => spec.given(queued).when(update({ minDiskGb: -1 })).thenRejects("InvalidImageProperty"));

  const withProperties = [createdEvent({ properties: { os_distro: "cirros", hw_disk_bus: "virtio" } })];
  it("sets only the properties that change", () =>
    spec.given(withProperties).when(update({ setProperties: { os_distro: "cirros", os_version: "0.6" } }))
      .then([{ type: "ImagePropertiesSet", data: { imageId: I, properties: { os_version: "0.6" } } }]));
  it("removes only the properties that are there", () =>
    spec.given(withProperties).when(update({ removeProperties: ["hw_disk_bus", "missing"] }))
      .then([{ type: "ImagePropertiesRemoved", data: { imageId: I, names: ["hw_disk_bus"] } }]));
  it("folds set and removed properties into the state", () =>
    expect(stateOf([
      ...withProperties,
      { type: "ImagePropertiesSet", data: { imageId: I, properties: { os_version: "0.6" } } },
      { type: "ImagePropertiesRemoved", data: { imageId: I, names: ["hw_disk_bus"] } },
    ])).toMatchObject({ properties: { os_distro: "cirros", os_version: "0.6" } }));
  it("refuses a property both set and removed", () =>
    spec.given(withProperties).when(update({ setProperties: { a: "1" }, removeProperties: ["a"] })).thenRejects("InvalidImageProperty"));
  it("refuses setting a reserved property", () => spec.given(queued).when(update({ setProperties: { checksum: "x" } })).thenRejects("ReservedImageProperty"));

  const tagged = [createdEvent({ tags: ["a", "b"] })];
  const tagsChanged = (...tags: ReadonlyArray<string>): ImageEvent => ({ type: "ImageTagsChanged", data: { imageId: I, tags } });
  it("replaces the tag set", () => spec.given(tagged).when(update({ tags: { tags: ["c"] } })).then([tagsChanged("c")]));
  it("replaces the tag set with none", () => spec.given(tagged).when(update({ tags: { tags: [] } })).then([tagsChanged()]));
  it("adds and removes single tags", () => spec.given(tagged).when(update({ addTags: ["c", "a"], removeTags: ["b", "zz"] })).then([tagsChanged("a", "c")]));
  it("sees a reordered tag set as unchanged", () => spec.given(tagged).when(update({ tags: { tags: ["b", "a"] } })).then([]));
  it("refuses an empty tag", () => spec.given(tagged).when(update({ addTags: [""] })).thenRejects("InvalidImageProperty"));

  it("records one specific event per change, in a fixed order", () =>
    spec.given(queued).when(update({ name: "n", visibility: "shared", protected: true, minDiskGb: 2, setProperties: { k: "v" }, addTags: ["t"] })).then([
      { type: "ImageRenamed", data: { imageId: I, name: "n" } },
      { type: "ImageVisibilityChanged", data: { imageId: I, visibility: "shared" } },
      { type: "ImageProtectionChanged", data: { imageId: I, protected: true } },
      { type: "ImageMinimumsChanged", data: { imageId: I, minDiskGb: 2, minRamMb: 64 } },
      { type: "ImagePropertiesSet", data: { imageId: I, properties: { k: "v" } } },
      tagsChanged("t"),
    ]));
  it("updates a deactivated image", () => spec.given(deactivated).when(update({ name: "n" })).then([{ type: "ImageRenamed", data: { imageId: I, name: "n" } }]));
});

describe("DeactivateImage and ReactivateImage", () => {
  it("deactivates an active image", () => spec.given(active).when(simple("DeactivateImage")).then([deactivated.at(-1)!]));
  it("accepts deactivating a deactivated image, as Glance does", () => spec.given(deactivated).when(simple("DeactivateImage")).then([]));
  it.each([["queued", queued], ["saving", saving]] as const)("refuses to deactivate a %s image", (status, history) =>
    expect(messageOf(simple("DeactivateImage"), history)).toEqual({ _tag: "ImageNotActive", message: `Not allowed to deactivate image in status '${status}'` }));
  it("reactivates a deactivated image", () =>
    spec.given(deactivated).when(simple("ReactivateImage")).then([{ type: "ImageReactivated", data: { imageId: I } }]));
  it("accepts reactivating an active image, as Glance does", () => spec.given(active).when(simple("ReactivateImage")).then([]));
  it.each([["queued", queued], ["saving", saving]] as const)("refuses to reactivate a %s image", (status, history) =>
    expect(messageOf(simple("ReactivateImage"), history)).toEqual({ _tag: "ImageNotDeactivated", message: `Not allowed to reactivate image in status '${status}'` }));
});

describe("DeleteImage", () => {
  it("deletes a queued image, which has no bytes", () => spec.given(queued).when(simple("DeleteImage")).then([deleted()]));
  it("deletes an active image, naming where its bytes are", () => spec.given(active).when(simple("DeleteImage")).then([deleted(upload.location)]));
  it("deletes an image while it is saving", () => spec.given(saving).when(simple("DeleteImage")).then([deleted()]));
  it("refuses a protected image", () => {
    spec.given([createdEvent({ protected: true })]).when(simple("DeleteImage")).thenRejects("ImageProtected");
    expect(messageOf(simple("DeleteImage"), [createdEvent({ protected: true })]))
      .toEqual({ _tag: "ImageProtected", message: `Image ${I} is protected and cannot be deleted.` });
  });
  it("deletes once unprotected", () =>
    spec.given([createdEvent({ protected: true }), { type: "ImageProtectionChanged", data: { imageId: I, protected: false } }])
      .when(simple("DeleteImage")).then([deleted()]));
});

describe("glanceStatus", () => {
  it.each([
    ["queued", queued],
    ["saving", saving],
    ["active", active],
    ["deactivated", deactivated],
    ["active", [...deactivated, { type: "ImageReactivated", data: { imageId: I } }]],
    ["deleted", [...active, deleted(upload.location)]],
  ] as const)("is %s after its history", (status, history) => {
    const state = stateOf(history);
    if (state.status === "none") throw new Error("expected an image");
    expect(glanceStatus(state)).toBe(status);
  });
  it("ignores facts about an image that was never created", () => expect(stateOf([completed])).toEqual(initialState()));
});
