/**
 * Flavors, key pairs, server groups, quotas and host usage in the compute read model, from
 * events the real deciders decide, folded with duplicate delivery.
 */
import { describe, expect, it } from "vitest";
import { defaultQuotaLimits, type CreateFlavor } from "@weft/domain/compute";
import { at, fold, makeCloud, small, tiny } from "./fixtures.ts";
import {
  absoluteLimitsOf,
  findFlavorByName,
  getFlavor,
  getKeypair,
  getServerGroup,
  hostUsageOf,
  listFlavors,
  listKeypairs,
  listServerGroups,
  quotaOf,
} from "./index.ts";

const flavor = (flavorId: string, name: string, ramMb: number, diskGb: number, isPublic = true): CreateFlavor =>
  ({ flavorId, name, vcpus: 1, ramMb, diskGb, ephemeralGb: 0, swapMb: 0, isPublic, description: "" });

describe("flavors", () => {
  const cloud = makeCloud();
  const created = [
    flavor("2", "m1.small", 2048, 20),
    flavor("10", "big", 65536, 160),
    flavor("1", "m1.tiny", 512, 1),
    flavor("3", "private", 4096, 40, false),
    flavor("4", "gone", 1, 0),
  ];
  for (const data of created) cloud.flavors({ type: "CreateFlavor", data });
  cloud.flavors({ type: "SetFlavorExtraSpecs", data: { flavorId: "2", extraSpecs: { "hw:cpu_policy": "dedicated", "trait:X": "required" } } });
  cloud.flavors({ type: "UnsetFlavorExtraSpec", data: { flavorId: "2", key: "trait:X" } });
  cloud.flavors({ type: "DeleteFlavor", data: { flavorId: "4" } });
  const doc = fold(cloud.log);
  const ids = (query?: Parameters<typeof listFlavors>[1]) => listFlavors(doc, query).flavors.map((f) => f.id);

  it("hold every field, extra specs included, by id and by name", () => {
    expect(getFlavor(doc, "2")).toEqual({
      id: "2", name: "m1.small", vcpus: 1, ramMb: 2048, diskGb: 20, ephemeralGb: 0, swapMb: 0, isPublic: true, description: "",
      extraSpecs: { "hw:cpu_policy": "dedicated" },
    });
    expect(findFlavorByName(doc, "m1.tiny")?.id).toBe("1");
    expect(getFlavor(doc, "4")).toBeUndefined();
    expect(findFlavorByName(doc, "gone")).toBeUndefined();
  });

  it("list by flavor id as strings, with Nova's filters", () => {
    expect(ids()).toEqual(["1", "10", "2", "3"]);
    expect(ids({ isPublic: true })).toEqual(["1", "10", "2"]);
    expect(ids({ isPublic: false })).toEqual(["3"]);
    expect(ids({ minRam: 2048, minDisk: 30 })).toEqual(["10", "3"]);
  });

  it("page by limit and marker, and say when the marker is unknown or deleted", () => {
    expect(ids({ limit: 2 })).toEqual(["1", "10"]);
    expect(ids({ limit: 2, marker: "10" })).toEqual(["2", "3"]);
    expect(ids({ marker: "3" })).toEqual([]);
    expect(listFlavors(doc, { marker: "4" })).toEqual({ flavors: [], markerNotFound: true });
  });
});

describe("key pairs", () => {
  const cloud = makeCloud();
  const key = (userId: string, name: string) =>
    cloud.keypairs({ type: "ImportKeypair", data: { userId, name, type: "ssh", publicKey: `ssh-ed25519 AAAA ${name}`, fingerprint: `fp:${name}` } });
  key("u-alice", "zeta");
  key("u-alice", "alpha");
  key("u-bob", "alpha");
  key("9b59e0c4a1b24cfd8c1c52b1c2f0a0e1", "mine");
  cloud.keypairs({ type: "DeleteKeypair", data: { userId: "u-bob", name: "alpha" } });
  const doc = fold(cloud.log);

  it("list a user's in the order they were imported", () => {
    expect(listKeypairs(doc, "u-alice").map((k) => k.name)).toEqual(["zeta", "alpha"]);
    expect(listKeypairs(doc, "u-bob")).toEqual([]);
  });

  it("show one with its key, fingerprint, type and creation time", () =>
    expect(getKeypair(doc, "u-alice", "alpha")).toEqual({
      name: "alpha", userId: "u-alice", type: "ssh", publicKey: "ssh-ed25519 AAAA alpha", fingerprint: "fp:alpha", createdAt: at(2),
    }));

  it("find a user whichever way its id is written", () =>
    expect(getKeypair(doc, "9b59e0c4-a1b2-4cfd-8c1c-52b1c2f0a0e1", "mine")?.userId).toBe("9b59e0c4a1b24cfd8c1c52b1c2f0a0e1"));
});

describe("server groups, quotas and hosts", () => {
  const cloud = makeCloud();
  const group = (groupId: string, projectId: string, policy: "affinity" | "anti-affinity", maxServerPerHost = 0) =>
    cloud.group({ type: "CreateServerGroup", data: { groupId, projectId, userId: "u-alice", name: groupId, policy, maxServerPerHost } });
  group("g1", "p-web", "anti-affinity", 2);
  group("g2", "p-db", "affinity");
  group("g3", "p-web", "affinity");
  cloud.quota({ type: "SetQuotaLimits", data: { projectId: "p-web", instances: 5, cores: -1 } });
  cloud.keypairs({ type: "ImportKeypair", data: { userId: "u-alice", name: "k", type: "ssh", publicKey: "k", fingerprint: "f" } });
  cloud.boot("s1", { serverGroupId: "g1", flavor: small });
  cloud.boot("s2", { serverGroupId: "g1", flavor: tiny });
  cloud.boot("s3", { serverGroupId: "g1", flavor: tiny, host: "cmp-2" });
  cloud.boot("s4", { flavor: tiny, until: "requested" });
  cloud.destroy("s2");
  cloud.group({ type: "DeleteServerGroup", data: { groupId: "g3" } });
  const doc = fold(cloud.log);

  it("keep a group's policy, rules and members, who leave when deleted", () => {
    expect(getServerGroup(doc, "g1")).toEqual({
      id: "g1", name: "g1", policy: "anti-affinity", maxServerPerHost: 2, projectId: "p-web", userId: "u-alice", members: ["s1", "s3"],
    });
    expect(listServerGroups(doc, "p-web").map((g) => g.id)).toEqual(["g1"]);
    expect(listServerGroups(doc).map((g) => g.id)).toEqual(["g1", "g2"]);
    expect(getServerGroup(doc, "g3")).toBeUndefined();
  });

  it("count quota usage from reservations and releases, limits defaulting to Nova's", () => {
    expect(quotaOf(doc, "p-web", "u-alice")).toEqual({
      limits: { ...defaultQuotaLimits, instances: 5, cores: -1 },
      inUse: { instances: 3, cores: small.vcpus + 2 * tiny.vcpus, ramMb: small.ramMb + 2 * tiny.ramMb, serverGroups: 1, keyPairs: 1 },
    });
    expect(quotaOf(doc, "p-none")).toEqual({ limits: defaultQuotaLimits, inUse: { instances: 0, cores: 0, ramMb: 0, serverGroups: 0, keyPairs: 0 } });
  });

  it("answer Nova's absolute limits", () =>
    expect(absoluteLimitsOf(doc, "p-db")).toEqual({
      maxTotalInstances: 10, maxTotalCores: 20, maxTotalRAMSize: 51200, maxTotalKeypairs: 100, maxServerMeta: 128, maxServerGroups: 10,
      maxServerGroupMembers: 10, totalInstancesUsed: 0, totalCoresUsed: 0, totalRAMUsed: 0, totalServerGroupsUsed: 1,
    }));

  it("sum what scheduled servers take on each host, swap counted as whole GiB of disk", () => {
    expect(hostUsageOf(doc, "cmp-1")).toEqual({ host: "cmp-1", serverIds: ["s1"], used: { vcpus: 2, ramMb: 2048, diskGb: 20 + 5 + 2 } });
    expect(hostUsageOf(doc, "cmp-2")).toEqual({ host: "cmp-2", serverIds: ["s3"], used: { vcpus: 1, ramMb: 512, diskGb: 1 } });
    expect(hostUsageOf(doc, "cmp-9")).toEqual({ host: "cmp-9", serverIds: [], used: { vcpus: 0, ramMb: 0, diskGb: 0 } });
  });

  it("free a host entirely when its last server goes", () => {
    const more = makeCloud();
    more.boot("x", { host: "solo" });
    more.destroy("x");
    expect(fold(more.log).hosts.has("solo")).toBe(false);
  });
});
