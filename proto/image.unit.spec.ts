/**
 * The published message names of `weft.image.v1`. Names are forever (a type string in the log is
 * a message name), so this list only grows. A command or event added here also needs its
 * TypeScript type in `domain/image/commands.ts` or `events.ts` and a sample in
 * `domain/image/wire.unit.spec.ts`, which round-trips every TS type through this codec.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { payloadCodec } from "./index.ts";

const publishedCommands = [
  "CreateImage", "StageImageUpload", "CompleteImageUpload", "AbortImageUpload", "UpdateImage",
  "DeactivateImage", "ReactivateImage", "DeleteImage",
];

const publishedEvents = [
  "ImageCreated", "ImageUploadStaged", "ImageUploadCompleted", "ImageUploadAborted",
  "ImageRenamed", "ImageVisibilityChanged", "ImageProtectionChanged", "ImageMinimumsChanged",
  "ImagePropertiesSet", "ImagePropertiesRemoved", "ImageTagsChanged",
  "ImageDeactivated", "ImageReactivated", "ImageDeleted",
];

// Parts of commands and events, never a payload of their own.
const publishedParts = ["ImageTags"];

const messagesOf = (file: string, packageName: string): ReadonlyArray<string> => {
  const namespace = protobuf.loadSync(new URL(file, import.meta.url).pathname).lookup(packageName);
  if (!(namespace instanceof protobuf.Namespace)) throw new Error(`no package ${packageName} in ${file}`);
  return namespace.nestedArray.filter((nested) => nested instanceof protobuf.Type).map((type) => type.name);
};

describe("weft.image.v1", () => {
  const codec = payloadCodec("weft.image.v1");

  it("declares exactly the published commands, events and parts", () =>
    expect([...messagesOf("weft/image/v1/image.proto", "weft.image.v1")].sort())
      .toEqual([...publishedCommands, ...publishedEvents, ...publishedParts].sort()));

  it.each([...publishedCommands, ...publishedEvents])("has a codec for %s", (type) => expect(codec.has(type)).toBe(true));

  it("keeps an unset optional tag set absent and an empty one present", () => {
    const base = { imageId: "i", setProperties: {}, removeProperties: [], addTags: [], removeTags: [] };
    for (const data of [base, { ...base, tags: { tags: [] } }]) {
      const payload = { type: "UpdateImage", data };
      expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
    }
  });
});
