/**
 * The published message names of `weft.placement.v1`. Names are forever (a type string in the log
 * is a message name), so this list only grows. A command or event added here also needs its
 * TypeScript type in `domain/placement/commands.ts` or `events.ts` and a sample in
 * `domain/placement/wire.unit.spec.ts`, which round-trips every TS type through this codec.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { payloadCodec } from "./index.ts";

const publishedCommands = ["CreateResourceProvider", "SetInventory", "ClaimAllocation", "ReleaseAllocation", "DeleteResourceProvider"];

const publishedEvents = ["ResourceProviderCreated", "InventorySet", "AllocationClaimed", "AllocationReleased", "ResourceProviderDeleted"];

// Parts of commands and events, never a payload of their own.
const publishedParts = ["Inventory"];

const messagesOf = (file: string, packageName: string): ReadonlyArray<string> => {
  const namespace = protobuf.loadSync(new URL(file, import.meta.url).pathname).lookup(packageName);
  if (!(namespace instanceof protobuf.Namespace)) throw new Error(`no package ${packageName} in ${file}`);
  return namespace.nestedArray.filter((nested) => nested instanceof protobuf.Type).map((type) => type.name);
};

describe("weft.placement.v1", () => {
  const codec = payloadCodec("weft.placement.v1");

  it("declares exactly the published commands, events and parts", () =>
    expect([...messagesOf("weft/placement/v1/placement.proto", "weft.placement.v1")].sort())
      .toEqual([...publishedCommands, ...publishedEvents, ...publishedParts].sort()));

  it.each([...publishedCommands, ...publishedEvents])("has a codec for %s", (type) => expect(codec.has(type)).toBe(true));

  it("round-trips a claim's resources map with int64 amounts as numbers", () => {
    const payload = {
      type: "ClaimAllocation",
      data: { providerId: "rp", consumerId: "c", projectId: "p", userId: "u", resources: { VCPU: 2, MEMORY_MB: 5_000_000_000 } },
    };
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });

  it("keeps a fractional allocation ratio", () => {
    const inventory = { resourceClass: "VCPU", total: 4, reserved: 0, minUnit: 1, maxUnit: 4, stepSize: 1, allocationRatio: 1.5 };
    const payload = { type: "InventorySet", data: { providerId: "rp", inventories: [inventory] } };
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });
});
