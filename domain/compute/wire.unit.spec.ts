/**
 * Keeps the TypeScript commands and events of the compute context identical to the wire: one
 * sample per union member of every aggregate (the mapped types make a missing sample a compile
 * error), each encoded with the `weft.compute.v1` payload codec and decoded back deep-equal.
 * Every field carries a non-default value, so a field misspelt on either side decodes as a
 * default and fails. The other direction (a proto message without a TS type) is
 * `proto/compute.unit.spec.ts`'s list of published names.
 */
import { describe, expect, it } from "vitest";
import { payloadCodec } from "@weft/proto";
import {
  flavorCommandTypes,
  flavorEventTypes,
  keypairCommandTypes,
  keypairEventTypes,
  quotaCommandTypes,
  quotaEventTypes,
  serverCommandTypes,
  serverEventTypes,
  serverGroupCommandTypes,
  serverGroupEventTypes,
  type FlavorCommand,
  type FlavorEvent,
  type Fault,
  type FlavorSnapshot,
  type ImageRef,
  type KeypairCommand,
  type KeypairEvent,
  type QuotaCommand,
  type QuotaEvent,
  type ServerCommand,
  type ServerEvent,
  type ServerGroupCommand,
  type ServerGroupEvent,
} from "./index.ts";

type Payload = { readonly type: string; readonly data: object };
type DataOf<U extends Payload, T extends U["type"]> = Extract<U, { readonly type: T }>["data"];
type Samples<U extends Payload> = { readonly [T in U["type"]]: DataOf<U, T> };

const flavor: FlavorSnapshot = {
  flavorId: "f1", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 5, swapMb: 512,
  extraSpecs: { "hw:cpu_policy": "dedicated", "trait:HW_CPU_X86_AVX2": "required" },
};
const image: ImageRef = { imageId: "i1", name: "cirros", minDiskGb: 1, minRamMb: 64 };
const fault: Fault = { code: 500, message: "No valid host was found.", details: "There are not enough hosts available." };
const build = {
  serverId: "s1", projectId: "p1", userId: "u1", name: "web-1", flavor, image, keyName: "mykey",
  keyPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@example", serverGroupId: "g1", availabilityZone: "nova",
  metadata: { role: "web", tier: "front" }, requestedAt: "2030-01-01T00:00:00Z",
};
const flavorSpec = {
  flavorId: "f1", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 5, swapMb: 512, isPublic: true, description: "small",
};
const keypair = { userId: "u1", name: "mykey", type: "x509", publicKey: "-----BEGIN CERTIFICATE-----", fingerprint: "aa:bb:cc" } as const;
const group = { groupId: "g1", projectId: "p1", userId: "u1", name: "web", policy: "anti-affinity", maxServerPerHost: 2 } as const;
const limits = {
  projectId: "p1", instances: 20, cores: -1, ramMb: 2 ** 40, keyPairs: 7, serverGroups: 3, serverGroupMembers: 4, metadataItems: 64,
};
const reservation = { projectId: "p1", serverId: "s1", instances: 1, cores: 4, ramMb: 8192 };

const serverCommands: Samples<ServerCommand> = {
  RequestServerBuild: build,
  ScheduleServer: { serverId: "s1", host: "node-1", providerId: "rp1", availabilityZone: "nova" },
  FailServerBuild: { serverId: "s1", fault },
  ReportServerSpawned: { serverId: "s1" },
  ReportServerSpawnFailed: { serverId: "s1", fault },
  TimeOutServerBuild: { serverId: "s1" },
  StopServer: { serverId: "s1" },
  ReportServerStopped: { serverId: "s1" },
  StartServer: { serverId: "s1" },
  ReportServerStarted: { serverId: "s1" },
  RebootServer: { serverId: "s1", hard: true },
  ReportServerRebooted: { serverId: "s1" },
  RenameServer: { serverId: "s1", name: "web-2" },
  SetServerMetadata: { serverId: "s1", items: { role: "db", "": "empty key" } },
  DeleteServerMetadata: { serverId: "s1", key: "role" },
  DeleteServer: { serverId: "s1" },
  ReportServerDestroyed: { serverId: "s1" },
};

const serverEvents: Samples<ServerEvent> = {
  ServerBuildRequested: build,
  ServerScheduled: { serverId: "s1", host: "node-1", providerId: "rp1", availabilityZone: "nova" },
  ServerBuildFailed: { serverId: "s1", projectId: "p1", fault },
  ServerSpawned: { serverId: "s1" },
  ServerSpawnFailed: { serverId: "s1", projectId: "p1", fault },
  ServerBuildTimedOut: { serverId: "s1", projectId: "p1", fault },
  ServerStopRequested: { serverId: "s1", host: "node-1" },
  ServerStopped: { serverId: "s1" },
  ServerStartRequested: { serverId: "s1", host: "node-1" },
  ServerStarted: { serverId: "s1" },
  ServerRebootRequested: { serverId: "s1", host: "node-1", hard: true },
  ServerRebooted: { serverId: "s1" },
  ServerRenamed: { serverId: "s1", name: "web-2" },
  ServerMetadataSet: { serverId: "s1", items: { role: "db" } },
  ServerMetadataDeleted: { serverId: "s1", key: "role" },
  ServerDeletionRequested: { serverId: "s1", host: "node-1" },
  ServerDeleted: { serverId: "s1", projectId: "p1", providerId: "rp1" },
};

const flavorCommands: Samples<FlavorCommand> = {
  CreateFlavor: flavorSpec,
  DeleteFlavor: { flavorId: "f1" },
  SetFlavorExtraSpecs: { flavorId: "f1", extraSpecs: { "hw:cpu_policy": "dedicated" } },
  UnsetFlavorExtraSpec: { flavorId: "f1", key: "hw:cpu_policy" },
};

const flavorEvents: Samples<FlavorEvent> = {
  FlavorCreated: flavorSpec,
  FlavorDeleted: { flavorId: "f1" },
  FlavorExtraSpecsSet: { flavorId: "f1", extraSpecs: { "hw:cpu_policy": "dedicated" } },
  FlavorExtraSpecUnset: { flavorId: "f1", key: "hw:cpu_policy" },
};

const keypairCommands: Samples<KeypairCommand> = { ImportKeypair: keypair, DeleteKeypair: { userId: "u1", name: "mykey" } };
const keypairEvents: Samples<KeypairEvent> = { KeypairImported: keypair, KeypairDeleted: { userId: "u1", name: "mykey" } };

const serverGroupCommands: Samples<ServerGroupCommand> = { CreateServerGroup: group, DeleteServerGroup: { groupId: "g1" } };
const serverGroupEvents: Samples<ServerGroupEvent> = { ServerGroupCreated: group, ServerGroupDeleted: { groupId: "g1" } };

const quotaCommands: Samples<QuotaCommand> = {
  SetQuotaLimits: limits,
  ReserveServerResources: reservation,
  ReleaseServerResources: { projectId: "p1", serverId: "s1" },
};

const quotaEvents: Samples<QuotaEvent> = {
  QuotaLimitsSet: limits,
  ServerResourcesReserved: reservation,
  ServerResourcesReleased: reservation,
};

const samplesOf = (samples: Record<string, object>): ReadonlyArray<Payload> => Object.entries(samples).map(([type, data]) => ({ type, data }));

const aggregates = [
  { name: "server", commandTypes: serverCommandTypes, eventTypes: serverEventTypes, commands: serverCommands, events: serverEvents },
  { name: "flavor catalog", commandTypes: flavorCommandTypes, eventTypes: flavorEventTypes, commands: flavorCommands, events: flavorEvents },
  { name: "key pairs", commandTypes: keypairCommandTypes, eventTypes: keypairEventTypes, commands: keypairCommands, events: keypairEvents },
  {
    name: "server group", commandTypes: serverGroupCommandTypes, eventTypes: serverGroupEventTypes,
    commands: serverGroupCommands, events: serverGroupEvents,
  },
  { name: "quota", commandTypes: quotaCommandTypes, eventTypes: quotaEventTypes, commands: quotaCommands, events: quotaEvents },
];

const all = aggregates.flatMap((a) => [...samplesOf(a.commands), ...samplesOf(a.events)]);

// Optional limits: absent stays absent, and a present zero stays present.
const optionalEdges: ReadonlyArray<QuotaCommand | QuotaEvent> = [
  { type: "SetQuotaLimits", data: { projectId: "p1" } },
  { type: "QuotaLimitsSet", data: { projectId: "p1", instances: 0, metadataItems: -1 } },
];

describe("compute payloads on the wire", () => {
  const codec = payloadCodec<Payload>("weft.compute.v1");

  it.each(aggregates)("have one sample per $name command and event type", (a) => {
    expect(Object.keys(a.commands)).toEqual([...a.commandTypes]);
    expect(Object.keys(a.events)).toEqual([...a.eventTypes]);
  });

  it("use every type name once across the context", () => {
    const names = aggregates.flatMap((a) => [...a.commandTypes, ...a.eventTypes]);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([...all, ...optionalEdges])("$type round-trips unchanged", (payload) => {
    expect(codec.has(payload.type)).toBe(true);
    expect(codec.decode(payload.type, codec.encode(payload))).toEqual(payload);
  });

  it("decodes a minimal build request with proto3 defaults (empty maps, null nested messages)", () =>
    expect(codec.decode("RequestServerBuild", codec.encode({ type: "RequestServerBuild", data: { serverId: "s1" } }))).toEqual({
      type: "RequestServerBuild",
      data: {
        serverId: "s1", projectId: "", userId: "", name: "", flavor: null, image: null, keyName: "", keyPublicKey: "",
        serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: "",
      },
    }));
});
