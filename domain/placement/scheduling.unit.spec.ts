/**
 * The scheduling policy: each filter drops exactly the hosts it should, each weigher orders the
 * rest, ties fall to the host name, and a thousand hosts rank as the weighers say.
 */
import { describe, expect, it } from "vitest";
import { NO_VALID_HOST, selectHosts, type Candidate, type Inventory, type SchedulingRequest } from "./index.ts";

const inventory = (resourceClass: string, total: number, allocationRatio = 1): Inventory =>
  ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio });

/** A host of 16 VCPU, 32 GB RAM and 500 GB disk, up, in zone `nova`, using `usedRam` MB. */
const candidate = (host: string, overrides: Partial<Candidate> = {}, usedRam = 0): Candidate => ({
  providerId: `rp-${host}`,
  host,
  availabilityZone: "nova",
  traits: [],
  inventories: { VCPU: inventory("VCPU", 16), MEMORY_MB: inventory("MEMORY_MB", 32768), DISK_GB: inventory("DISK_GB", 500) },
  usage: usedRam === 0 ? {} : { MEMORY_MB: usedRam },
  serversOfGroup: 0,
  up: true,
  ...overrides,
});

const small: SchedulingRequest = { resources: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 } };
const hostsOf = (ranked: ReadonlyArray<Candidate>) => ranked.map((c) => c.host);

describe("filters", () => {
  it("drop hosts that are down", () =>
    expect(hostsOf(selectHosts([candidate("a", { up: false }), candidate("b")], small))).toEqual(["b"]));

  it("drop hosts without the capacity, class by class", () => {
    const hosts = [
      candidate("ram", { usage: { MEMORY_MB: 32000 } }),
      candidate("cpu", { usage: { VCPU: 16 } }),
      candidate("disk", { usage: { DISK_GB: 495 } }),
      candidate("ok"),
    ];
    expect(hostsOf(selectHosts(hosts, small))).toEqual(["ok"]);
  });

  it("count the allocation ratio when checking capacity", () =>
    expect(hostsOf(selectHosts([candidate("a", { usage: { VCPU: 16 }, inventories: { ...candidate("a").inventories, VCPU: inventory("VCPU", 16, 4) } })], small)))
      .toEqual(["a"]));

  it("ignore a zero amount: a 0 GB disk boots from a volume", () => {
    const noDisk = candidate("a", { inventories: { VCPU: inventory("VCPU", 16), MEMORY_MB: inventory("MEMORY_MB", 32768) } });
    expect(hostsOf(selectHosts([noDisk], { resources: { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 0 } }))).toEqual(["a"]);
    expect(hostsOf(selectHosts([noDisk], small))).toEqual([]);
  });

  it("keep only the requested availability zone", () => {
    const hosts = [candidate("a", { availabilityZone: "az1" }), candidate("b", { availabilityZone: "az2" })];
    expect(hostsOf(selectHosts(hosts, { ...small, availabilityZone: "az2" }))).toEqual(["b"]);
    expect(hostsOf(selectHosts(hosts, { ...small, availabilityZone: "" }))).toEqual(["a", "b"]);
  });

  it("send affinity members to the hosts that already hold members", () => {
    const hosts = [candidate("a"), candidate("b", { serversOfGroup: 1 })];
    expect(hostsOf(selectHosts(hosts, { ...small, group: { policy: "affinity", hostsWithMembers: new Set(["b"]) } }))).toEqual(["b"]);
  });

  it("let the first affinity member go anywhere", () =>
    expect(hostsOf(selectHosts([candidate("a"), candidate("b")], { ...small, group: { policy: "affinity", hostsWithMembers: new Set() } })))
      .toEqual(["a", "b"]));

  it("keep anti-affinity members off hosts that hold one", () => {
    const hosts = [candidate("a", { serversOfGroup: 1 }), candidate("b")];
    expect(hostsOf(selectHosts(hosts, { ...small, group: { policy: "anti-affinity", hostsWithMembers: new Set(["a"]) } }))).toEqual(["b"]);
  });

  it("allow up to max_server_per_host anti-affinity members on a host", () => {
    const hosts = [candidate("a", { serversOfGroup: 2 }), candidate("b", { serversOfGroup: 1 }), candidate("c")];
    const group = { policy: "anti-affinity", hostsWithMembers: new Set(["a", "b"]), maxServerPerHost: 2 } as const;
    expect(hostsOf(selectHosts(hosts, { ...small, group }))).toEqual(["b", "c"]);
  });

  it("never drop a host for a soft policy", () => {
    const hosts = [candidate("a", { serversOfGroup: 1 }), candidate("b")];
    for (const policy of ["soft-affinity", "soft-anti-affinity"] as const)
      expect(selectHosts(hosts, { ...small, group: { policy, hostsWithMembers: new Set(["a"]) } })).toHaveLength(2);
  });

  it("require the requested traits, from the request or the flavor's extra specs", () => {
    const hosts = [candidate("a", { traits: ["HW_CPU_X86_AVX2"] }), candidate("b", { traits: ["HW_CPU_X86_AVX2", "CUSTOM_SSD"] })];
    expect(hostsOf(selectHosts(hosts, { ...small, requiredTraits: ["CUSTOM_SSD"] }))).toEqual(["b"]);
    expect(hostsOf(selectHosts(hosts, { ...small, extraSpecs: { "trait:CUSTOM_SSD": "required", "hw:cpu_policy": "dedicated" } }))).toEqual(["b"]);
    expect(hostsOf(selectHosts(hosts, { ...small, requiredTraits: ["HW_CPU_X86_AVX2"] }))).toEqual(["a", "b"]);
  });

  it("keep hosts with a forbidden trait out", () =>
    expect(hostsOf(selectHosts([candidate("a", { traits: ["CUSTOM_SSD"] }), candidate("b")], { ...small, extraSpecs: { "trait:CUSTOM_SSD": "forbidden" } })))
      .toEqual(["b"]));

  it("leave nothing when no host fits, for Nova's fault", () => {
    expect(selectHosts([candidate("a", { up: false })], small)).toEqual([]);
    expect(NO_VALID_HOST).toBe("No valid host was found.");
  });
});

describe("weighers", () => {
  it("spread by free RAM, most free first", () =>
    expect(hostsOf(selectHosts([candidate("a", {}, 8192), candidate("b", {}, 0), candidate("c", {}, 16384)], small))).toEqual(["b", "a", "c"]));

  it("break ties by host name", () =>
    expect(hostsOf(selectHosts([candidate("c"), candidate("a"), candidate("b")], small))).toEqual(["a", "b", "c"]));

  it("prefer hosts with more members for soft-affinity, before free RAM", () => {
    const hosts = [candidate("a"), candidate("b", { serversOfGroup: 1 }, 8192), candidate("c", { serversOfGroup: 3 }, 16384)];
    expect(hostsOf(selectHosts(hosts, { ...small, group: { policy: "soft-affinity", hostsWithMembers: new Set(["b", "c"]) } })))
      .toEqual(["c", "b", "a"]);
  });

  it("prefer hosts with fewer members for soft-anti-affinity, before free RAM", () => {
    const hosts = [candidate("a", { serversOfGroup: 2 }), candidate("b", { serversOfGroup: 1 }), candidate("c", {}, 16384)];
    expect(hostsOf(selectHosts(hosts, { ...small, group: { policy: "soft-anti-affinity", hostsWithMembers: new Set(["a", "b"]) } })))
      .toEqual(["c", "b", "a"]);
  });
});

describe("a thousand hosts", () => {
  // Used RAM cycles through 0..99 GB-ish steps, so many hosts tie and fall back to their names.
  const hosts = Array.from({ length: 1000 }, (_, i) =>
    candidate(`host-${String(i).padStart(4, "0")}`, { up: i % 10 !== 7, availabilityZone: i % 2 === 0 ? "even" : "odd" }, (i * 37 % 100) * 256));
  const freeRam = (c: Candidate) => 32768 - (c.usage["MEMORY_MB"] ?? 0);

  it("rank as the weighers say, without changing the input", () => {
    const before = hostsOf(hosts);
    const ranked = selectHosts(hosts, small);
    const expected = hosts.filter((c) => c.up).sort((a, b) => freeRam(b) - freeRam(a) || (a.host < b.host ? -1 : 1));
    expect(hostsOf(ranked)).toEqual(hostsOf(expected));
    expect(ranked).toHaveLength(900);
    expect(hostsOf(hosts)).toEqual(before);
  });

  it("filter by zone among them", () => {
    const ranked = selectHosts(hosts, { ...small, availabilityZone: "odd" });
    expect(ranked).toHaveLength(400);
    expect(ranked.every((c) => c.availabilityZone === "odd" && c.up)).toBe(true);
  });
});
