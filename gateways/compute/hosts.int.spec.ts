/**
 * Nova's host APIs against a real control plane: compute hosts registered in placement (as an
 * agent registers them) show up as `nova-compute` services, hypervisors with their placement
 * capacity and their servers' usage, and availability zones; liveness comes from the heartbeat
 * monitor the gateway is given. Every one of these APIs but the zone summary is admin-only.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Message } from "@weft/domain/shared";
import { systemActor } from "@weft/proto";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";
import { legacyIdOf } from "./hosts.ts";

let cloud: TestCloud;
let member: ProjectCaller;
const down = new Set<string>();
const HEARD_AT = Date.parse("2026-01-02T03:04:05.678Z");

const V = "/compute/v2.1";
const at = (version: string) => ({ "OpenStack-API-Version": `compute ${version}` });
const get = async (path: string, version = "2.79", token = cloud.adminToken) => {
  const response = await cloud.request(`${V}${path}`, { token, headers: at(version) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

/** Sent as the fabric sends it, answered once this gateway's read models have it. */
const fabric = async (context: "compute" | "placement", command: Message) => {
  const result = await cloud.gateway.commands.execute(context, command, { actor: systemActor, requestId: `req-${randomUUID()}` });
  expect(result.kind).toBe("accepted");
};

const inventory = (resourceClass: string, total: number, reserved = 0) =>
  ({ resourceClass, total, reserved, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio: resourceClass === "VCPU" ? 4 : 1 });

/** As an agent registers its host: a provider, then its inventory. */
const registerHost = async (host: string, availabilityZone: string) => {
  const providerId = randomUUID();
  await fabric("placement", { type: "CreateResourceProvider", data: { providerId, name: host, host, availabilityZone, traits: [] } });
  await fabric("placement", {
    type: "SetInventory",
    data: { providerId, inventories: [inventory("VCPU", 8), inventory("MEMORY_MB", 16384, 512), inventory("DISK_GB", 100, 1)] },
  });
  return providerId;
};

const flavor = { flavorId: "f1", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 0, swapMb: 0, extraSpecs: {} };

/** A server built and spawned on `host`, as the gateway, the scheduler and the agent would have it. */
const serverOn = async (host: string, providerId: string, name: string) => {
  const serverId = randomUUID();
  await fabric("compute", {
    type: "RequestServerBuild",
    data: {
      serverId, projectId: member.projectId, userId: member.userId, name, flavor,
      image: { imageId: randomUUID(), name: "cirros", minDiskGb: 0, minRamMb: 0 },
      keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: new Date().toISOString(),
    },
  });
  await fabric("placement", {
    type: "ClaimAllocation",
    data: { providerId, consumerId: serverId, projectId: member.projectId, userId: member.userId, resources: { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 } },
  });
  await fabric("compute", { type: "ScheduleServer", data: { serverId, host, providerId, availabilityZone: "nova" } });
  await fabric("compute", { type: "ReportServerSpawned", data: { serverId } });
  return serverId;
};

let alphaId: string;
let betaId: string;
let serverId: string;

beforeAll(async () => {
  cloud = await startTestCloud({
    natsUrl: inject("natsUrl"),
    subjectPrefix: `t${randomUUID().slice(0, 8)}`,
    hostLiveness: { isUp: (host) => !down.has(host), lastSeen: (host) => (host === "alpha" ? HEARD_AT : undefined) },
  });
  member = await projectCaller(cloud, "member");
  alphaId = await registerHost("alpha", "");
  betaId = await registerHost("beta", "zone-b");
  serverId = await serverOn("alpha", alphaId, "on-alpha");
}, 60_000);
afterAll(() => cloud?.close());

describe("os-services", () => {
  it("lists one nova-compute per registered host, up or down by liveness, with uuid ids from 2.53", async () => {
    down.add("beta");
    const { status, body } = await get("/os-services");
    down.delete("beta");
    expect(status).toBe(200);
    expect(body.services).toHaveLength(2);
    const [alpha, beta] = body.services;
    expect(alpha).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      binary: "nova-compute", host: "alpha", zone: "nova", status: "enabled", state: "up",
      updated_at: "2026-01-02T03:04:05.678000", disabled_reason: null, forced_down: false,
    });
    expect(beta).toMatchObject({ binary: "nova-compute", host: "beta", zone: "zone-b", state: "down" });
    expect(beta.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  });

  it("shows integer ids and no forced_down before 2.11, and filters by host and binary", async () => {
    const old = (await get("/os-services", "2.1")).body.services;
    expect(old[0].id).toBe(legacyIdOf((await get("/os-services")).body.services[0].id));
    expect(old[0]).not.toHaveProperty("forced_down");
    expect((await get("/os-services?host=beta")).body.services.map((s: { host: string }) => s.host)).toEqual(["beta"]);
    expect((await get("/os-services?binary=nova-scheduler")).body.services).toEqual([]);
  });

  it("is admin-only", async () => {
    const { status, body } = await get("/os-services", "2.79", member.token);
    expect(status).toBe(403);
    expect(body.forbidden.message).toBe("Policy doesn't allow os_compute_api:os-services:list to be performed.");
  });
});

describe("os-hypervisors", () => {
  it("lists nodes with their uuid from 2.53 and integers before", async () => {
    const { body } = await get("/os-hypervisors");
    expect(body.hypervisors).toEqual([
      { id: alphaId, hypervisor_hostname: "alpha", state: "up", status: "enabled" },
      { id: betaId, hypervisor_hostname: "beta", state: "up", status: "enabled" },
    ]);
    expect((await get("/os-hypervisors", "2.1")).body.hypervisors[0].id).toBe(legacyIdOf(alphaId));
  });

  it("details placement capacity and what the host's servers use, reserved memory and disk counted", async () => {
    const { body } = await get(`/os-hypervisors/${alphaId}`);
    expect(body.hypervisor).toMatchObject({
      id: alphaId, hypervisor_hostname: "alpha", hypervisor_type: "fake", state: "up", status: "enabled", host_ip: null,
      vcpus: 8, vcpus_used: 2, memory_mb: 16384, memory_mb_used: 512 + 2048, free_ram_mb: 16384 - 2560,
      local_gb: 100, local_gb_used: 21, free_disk_gb: 79, running_vms: 1, current_workload: 0, cpu_info: {},
    });
    expect(body.hypervisor.service).toEqual({ id: (await get("/os-services?host=alpha")).body.services[0].id, host: "alpha", disabled_reason: null });
    const beta = (await get(`/os-hypervisors/${betaId}`)).body.hypervisor;
    expect(beta).toMatchObject({ vcpus_used: 0, memory_mb_used: 512, running_vms: 0 });
  });

  it("lists servers with with_servers and searches by hostname pattern (2.53)", async () => {
    const { body } = await get("/os-hypervisors/detail?with_servers=true&hypervisor_hostname_pattern=alp");
    expect(body.hypervisors).toHaveLength(1);
    expect(body.hypervisors[0].servers).toEqual([{ name: "on-alpha", uuid: serverId }]);
    expect((await get("/os-hypervisors?with_servers=1&hypervisor_hostname_pattern=bet")).body.hypervisors[0].servers).toEqual([]);
    expect((await get("/os-hypervisors?hypervisor_hostname_pattern=gamma")).status).toBe(404);
    expect((await get("/os-hypervisors?with_servers=maybe")).status).toBe(400);
  });

  it("pages from 2.33 with a next link", async () => {
    const first = (await get("/os-hypervisors?limit=1")).body;
    expect(first.hypervisors.map((h: { id: string }) => h.id)).toEqual([alphaId]);
    expect(first.hypervisors_links[0].href).toContain(`marker=${alphaId}`);
    const next = (await get(`/os-hypervisors?limit=1&marker=${alphaId}`)).body;
    expect(next.hypervisors.map((h: { id: string }) => h.id)).toEqual([betaId]);
    expect(next.hypervisors_links).toBeUndefined();
    expect((await get("/os-hypervisors?marker=nope")).status).toBe(400);
  });

  it("shows by integer id and a string cpu_info before 2.28, and searches by pattern before 2.53", async () => {
    const old = (await get(`/os-hypervisors/${legacyIdOf(betaId)}`, "2.1")).body.hypervisor;
    expect(old).toMatchObject({ id: legacyIdOf(betaId), hypervisor_hostname: "beta", cpu_info: "" });
    expect((await get("/os-hypervisors/alp/search", "2.1")).body.hypervisors).toEqual([
      { id: legacyIdOf(alphaId), hypervisor_hostname: "alpha", state: "up", status: "enabled" },
    ]);
    expect((await get("/os-hypervisors/alp/servers", "2.1")).body.hypervisors[0].servers).toEqual([{ name: "on-alpha", uuid: serverId }]);
  });

  it("sums every host in statistics", async () => {
    const { body } = await get("/os-hypervisors/statistics");
    expect(body.hypervisor_statistics).toMatchObject({ count: 2, vcpus: 16, vcpus_used: 2, memory_mb: 32768, memory_mb_used: 1024 + 2048, running_vms: 1, local_gb: 200 });
  });

  it("answers Nova's faults for bad and unknown ids, 501 for uptime, 403 for members", async () => {
    expect((await get("/os-hypervisors/not-a-uuid")).status).toBe(400);
    const missing = await get(`/os-hypervisors/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.itemNotFound.message).toMatch(/^Hypervisor with ID '.+' could not be found\.$/);
    expect((await get("/os-hypervisors/alpha", "2.1")).status).toBe(404);
    expect((await get(`/os-hypervisors/${alphaId}/uptime`)).status).toBe(501);
    expect((await get("/os-hypervisors", "2.79", member.token)).status).toBe(403);
    expect((await get(`/os-hypervisors/${alphaId}`, "2.79", member.token)).status).toBe(403);
  });

  it("lists no aggregates (admin)", async () => {
    expect((await get("/os-aggregates")).body).toEqual({ aggregates: [] });
    expect((await get("/os-aggregates", "2.79", member.token)).status).toBe(403);
  });
});

describe("os-availability-zone", () => {
  it("lists the hosts' zones to anyone, a host in none being in nova", async () => {
    const { status, body } = await get("/os-availability-zone", "2.79", member.token);
    expect(status).toBe(200);
    expect(body.availabilityZoneInfo).toEqual([
      { zoneName: "nova", zoneState: { available: true }, hosts: null },
      { zoneName: "zone-b", zoneState: { available: true }, hosts: null },
    ]);
  });

  it("details each zone's compute services and their liveness to admins only", async () => {
    down.add("beta");
    const { body } = await get("/os-availability-zone/detail");
    down.delete("beta");
    expect(body.availabilityZoneInfo[0]).toEqual({
      zoneName: "nova", zoneState: { available: true },
      hosts: { alpha: { "nova-compute": { available: true, active: true, updated_at: "2026-01-02T03:04:05.678000" } } },
    });
    expect(body.availabilityZoneInfo[1].hosts.beta["nova-compute"]).toMatchObject({ available: false, active: true });
    expect((await get("/os-availability-zone/detail", "2.79", member.token)).status).toBe(403);
  });
});
