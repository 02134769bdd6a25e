/**
 * The published message names of `weft.compute.v1`. Names are forever (a type string in the log is
 * a message name), so these lists only grow. A command or event added here also needs its
 * TypeScript type in `domain/compute/<aggregate>/commands.ts` or `events.ts` and a sample in
 * `domain/compute/wire.unit.spec.ts`, which round-trips every TS type through this codec: lint
 * keeps proto/ from importing domain/, so the two halves of the check live on either side.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { payloadCodec } from "./index.ts";

// Messages used inside payloads, never payloads themselves.
const valueMessages = ["FlavorSnapshot", "ImageRef", "Fault"];

const publishedCommands = [
  "RequestServerBuild", "ScheduleServer", "FailServerBuild", "ReportServerSpawned", "ReportServerSpawnFailed", "TimeOutServerBuild",
  "StopServer", "ReportServerStopped", "StartServer", "ReportServerStarted", "RebootServer", "ReportServerRebooted",
  "RenameServer", "SetServerMetadata", "DeleteServerMetadata", "DeleteServer", "ReportServerDestroyed",
  "CreateFlavor", "DeleteFlavor", "SetFlavorExtraSpecs", "UnsetFlavorExtraSpec",
  "ImportKeypair", "DeleteKeypair",
  "CreateServerGroup", "DeleteServerGroup",
  "SetQuotaLimits", "ReserveServerResources", "ReleaseServerResources",
];

const publishedEvents = [
  "ServerBuildRequested", "ServerScheduled", "ServerBuildFailed", "ServerSpawned", "ServerSpawnFailed", "ServerBuildTimedOut",
  "ServerStopRequested", "ServerStopped", "ServerStartRequested", "ServerStarted", "ServerRebootRequested", "ServerRebooted",
  "ServerRenamed", "ServerMetadataSet", "ServerMetadataDeleted", "ServerDeletionRequested", "ServerDeleted",
  "FlavorCreated", "FlavorDeleted", "FlavorExtraSpecsSet", "FlavorExtraSpecUnset",
  "KeypairImported", "KeypairDeleted",
  "ServerGroupCreated", "ServerGroupDeleted",
  "QuotaLimitsSet", "ServerResourcesReserved", "ServerResourcesReleased",
];

const messagesOf = (file: string, packageName: string): ReadonlyArray<string> => {
  const namespace = protobuf.loadSync(new URL(file, import.meta.url).pathname).lookup(packageName);
  if (!(namespace instanceof protobuf.Namespace)) throw new Error(`no package ${packageName} in ${file}`);
  return namespace.nestedArray.filter((nested) => nested instanceof protobuf.Type).map((type) => type.name);
};

describe("weft.compute.v1", () => {
  const codec = payloadCodec("weft.compute.v1", [...publishedCommands, ...publishedEvents]);

  it("declares exactly the published commands, events and value messages", () =>
    expect([...messagesOf("weft/compute/v1/compute.proto", "weft.compute.v1")].sort())
      .toEqual([...publishedCommands, ...publishedEvents, ...valueMessages].sort()));

  it.each([...publishedCommands, ...publishedEvents])("has a codec for %s", (type) => expect(codec.has(type)).toBe(true));

  it.each(valueMessages)("keeps the value message %s out of the payload codec", (type) => expect(codec.has(type)).toBe(false));

  it("round-trips int64 as number and keeps unset optional limits absent", () => {
    const payload = { type: "SetQuotaLimits", data: { projectId: "p", instances: 0, ramMb: 2 ** 40 } };
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });

  it("round-trips nested values and maps", () => {
    const payload = { type: "ServerBuildFailed", data: { serverId: "s", projectId: "p", fault: { code: 500, message: "No valid host was found.", details: "" } } };
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });
});
