/**
 * Nova's quota sets, absolute limits and server groups against a real control plane: limits set
 * through `os-quota-sets` land on the project's quota aggregate and come back in `limits`, usage
 * is what the aggregate reserved, and refused requests (bad values, policy, unknown projects or
 * groups) leave the event log as it was.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { systemActor } from "@weft/proto";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { expectNovaRefusal } from "../testing/novaFaults.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let member: ProjectCaller;
let reader: ProjectCaller;
let stranger: ProjectCaller;

const V = "/compute/v2.1";
const at = (version: string) => ({ "OpenStack-API-Version": `compute ${version}` });
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });
const get = async (path: string, token = cloud.adminToken, version = "2.79") => json(await cloud.request(`${V}${path}`, { token, headers: at(version) }));
const put = (path: string, body: unknown, token = cloud.adminToken, version = "2.79") =>
  cloud.request(`${V}${path}`, { method: "PUT", token, json: body, headers: at(version) });
const post = (path: string, body: unknown, token: string, version = "2.79") =>
  cloud.request(`${V}${path}`, { method: "POST", token, json: body, headers: at(version) });

/** The request gets `status` with Nova's fault body named `fault`, and the event log does not move. */
const refused = (status: number, fault: string, request: () => Promise<Response>) => expectNovaRefusal(cloud, status, fault, request);

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  member = await projectCaller(cloud, "member");
  reader = await projectCaller(cloud, "reader", member.projectId);
  stranger = await projectCaller(cloud, "member");
}, 60_000);
afterAll(() => cloud?.close());

describe("os-quota-sets", () => {
  it("shows Nova's defaults for a project never set, by microversion", async () => {
    const modern = await get(`/os-quota-sets/${member.projectId}`, member.token);
    expect(modern.status).toBe(200);
    expect(modern.body.quota_set).toEqual({
      id: member.projectId, instances: 10, cores: 20, ram: 51200, key_pairs: 100, metadata_items: 128, server_groups: 10, server_group_members: 10,
    });
    const old = await get(`/os-quota-sets/${member.projectId}`, member.token, "2.1");
    expect(old.body.quota_set).toMatchObject({
      fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1,
      injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255, instances: 10,
    });
    const between = (await get(`/os-quota-sets/${member.projectId}`, member.token, "2.36")).body.quota_set;
    expect(between).toHaveProperty("injected_files", 5);
    expect(between).not.toHaveProperty("floating_ips");
    const defaults = await get(`/os-quota-sets/${member.projectId}/defaults`, member.token);
    expect(defaults.body.quota_set).toEqual(modern.body.quota_set);
  });

  it("sets limits as an admin (integers or strings of them), -1 being unlimited", async () => {
    const response = await json(await put(`/os-quota-sets/${member.projectId}`, { quota_set: { instances: 3, cores: "8", ram: -1 } }));
    expect(response.status).toBe(200);
    expect(response.body.quota_set).toEqual({ instances: 3, cores: 8, ram: -1, key_pairs: 100, metadata_items: 128, server_groups: 10, server_group_members: 10 });
    expect((await get(`/os-quota-sets/${member.projectId}`, reader.token)).body.quota_set).toMatchObject({ id: member.projectId, instances: 3, cores: 8, ram: -1 });
    expect((await get(`/os-quota-sets/${member.projectId}/defaults`)).body.quota_set.instances).toBe(10);
  });

  it("details usage as the quota aggregate reserved it", async () => {
    const accepted = await cloud.gateway.commands.execute(
      "compute",
      { type: "ReserveServerResources", data: { projectId: member.projectId, serverId: randomUUID(), instances: 1, cores: 2, ramMb: 1024 } },
      { actor: systemActor, requestId: `req-${randomUUID()}` },
    );
    expect(accepted.kind).toBe("accepted");
    const { body } = await get(`/os-quota-sets/${member.projectId}/detail`, member.token);
    expect(body.quota_set).toMatchObject({
      id: member.projectId,
      instances: { in_use: 1, limit: 3, reserved: 0 },
      cores: { in_use: 2, limit: 8, reserved: 0 },
      ram: { in_use: 1024, limit: -1, reserved: 0 },
      server_groups: { in_use: 0, limit: 10, reserved: 0 },
    });
  });

  it("refuses a limit below usage unless forced", async () => {
    expect(await refused(400, "badRequest", () => put(`/os-quota-sets/${member.projectId}`, { quota_set: { cores: 1 } }))).toBe(
      "Quota limit 1 for cores must be greater than or equal to already used and reserved 2.",
    );
    const forced = await json(await put(`/os-quota-sets/${member.projectId}`, { quota_set: { cores: 1, force: "True" } }));
    expect(forced.body.quota_set.cores).toBe(1);
    await put(`/os-quota-sets/${member.projectId}`, { quota_set: { cores: 8 } });
  });

  it("refuses bad values, unknown and fixed quotas with 400 and no event", async () => {
    const path = `/os-quota-sets/${member.projectId}`;
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { instances: -2 } }))).toContain("-2 is less than the minimum of -1");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { instances: "ten" } }))).toContain("does not match");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { instances: 1.5 } }))).toContain("is not of type 'integer', 'string'");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { instances: 2147483648 } }))).toContain("greater than the maximum");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { widgets: 1 } }))).toContain("'widgets' was unexpected");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { floating_ips: 1 } }, cloud.adminToken, "2.79"))).toContain("'floating_ips' was unexpected");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { floating_ips: 1 } }, cloud.adminToken, "2.1"))).toBe("Quota floating_ips is fixed in this cloud and cannot be set.");
    expect(await refused(400, "badRequest", () => put(path, { quota: {} }))).toContain("'quota' was unexpected");
    expect(await refused(400, "badRequest", () => put(path, { quota_set: { force: "maybe" } }))).toContain("force");
  });

  it("lets only admins set, and only the project's readers or admins read", async () => {
    expect(await refused(403, "forbidden", () => put(`/os-quota-sets/${member.projectId}`, { quota_set: { instances: 50 } }, member.token))).toBe(
      "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.",
    );
    expect((await get(`/os-quota-sets/${member.projectId}`, stranger.token)).status).toBe(403);
    expect((await get(`/os-quota-sets/${member.projectId}/detail`, stranger.token)).status).toBe(403);
    expect((await get(`/os-quota-sets/${member.projectId}/defaults`, stranger.token)).status).toBe(200);
  });

  it("refuses a project Keystone does not know with 400", async () => {
    const missing = "0123456789abcdef0123456789abcdef";
    expect(await refused(400, "badRequest", () => put(`/os-quota-sets/${missing}`, { quota_set: { instances: 1 } }))).toBe(`Project ID ${missing} is not a valid project.`);
    expect((await get(`/os-quota-sets/${missing}`)).status).toBe(400);
  });

  it("reverts to the defaults on delete (admin)", async () => {
    const project = await projectCaller(cloud, "member");
    await put(`/os-quota-sets/${project.projectId}`, { quota_set: { instances: 1 } });
    expect((await cloud.request(`${V}/os-quota-sets/${project.projectId}`, { method: "DELETE", token: cloud.adminToken })).status).toBe(202);
    expect((await get(`/os-quota-sets/${project.projectId}`)).body.quota_set.instances).toBe(10);
  });
});

describe("limits", () => {
  it("shows the caller's absolute limits and usage, by microversion", async () => {
    const { status, body } = await get("/limits", member.token);
    expect(status).toBe(200);
    expect(body.limits).toEqual({
      rate: [],
      absolute: {
        maxTotalInstances: 3, maxTotalCores: 8, maxTotalRAMSize: -1, maxTotalKeypairs: 100, maxServerMeta: 128,
        maxServerGroups: 10, maxServerGroupMembers: 10,
        totalInstancesUsed: 1, totalCoresUsed: 2, totalRAMUsed: 1024, totalServerGroupsUsed: 0,
      },
    });
    const old = (await get("/limits", member.token, "2.1")).body.limits.absolute;
    expect(old).toMatchObject({ maxImageMeta: 128, maxPersonality: 5, maxPersonalitySize: 10240, maxTotalFloatingIps: -1, totalSecurityGroupsUsed: 0 });
  });

  it("shows another project's to admins only", async () => {
    expect((await get(`/limits?tenant_id=${member.projectId}`)).body.limits.absolute.maxTotalInstances).toBe(3);
    expect((await get(`/limits?tenant_id=${member.projectId}`, stranger.token)).status).toBe(403);
  });
});

describe("os-server-groups", () => {
  let groupId: string;

  it("creates an anti-affinity group with the 2.64 policy and rules", async () => {
    const created = await json(await post("/os-server-groups", { server_group: { name: "spread", policy: "anti-affinity", rules: { max_server_per_host: 2 } } }, member.token));
    expect(created.status).toBe(200);
    groupId = created.body.server_group.id;
    expect(created.body.server_group).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "spread", policy: "anti-affinity", rules: { max_server_per_host: 2 },
      members: [], project_id: member.projectId, user_id: member.userId,
    });
  });

  it("shows the policies list before 2.64, and project and user from 2.13", async () => {
    expect((await get(`/os-server-groups/${groupId}`, member.token, "2.1")).body.server_group).toEqual({
      id: groupId, name: "spread", policies: ["anti-affinity"], metadata: {}, members: [],
    });
    expect((await get(`/os-server-groups/${groupId}`, reader.token, "2.13")).body.server_group).toMatchObject({ policies: ["anti-affinity"], project_id: member.projectId });
  });

  it("creates with the policies list before 2.64, soft policies from 2.15", async () => {
    const old = await json(await post("/os-server-groups", { server_group: { name: "together", policies: ["affinity"] } }, member.token, "2.1"));
    expect(old.body.server_group).toMatchObject({ name: "together", policies: ["affinity"] });
    await refused(400, "badRequest", () => post("/os-server-groups", { server_group: { name: "soft", policies: ["soft-affinity"] } }, member.token, "2.14"));
    const soft = await json(await post("/os-server-groups", { server_group: { name: "soft", policies: ["soft-affinity"] } }, member.token, "2.15"));
    expect(soft.body.server_group.policies).toEqual(["soft-affinity"]);
  });

  it("lists the project's groups, every project's for admins with all_projects", async () => {
    const mine = (await get("/os-server-groups", member.token)).body.server_groups;
    expect(mine.map((group: { name: string }) => group.name)).toEqual(["spread", "together", "soft"]);
    expect((await get("/os-server-groups?limit=1&offset=1", member.token)).body.server_groups.map((group: { name: string }) => group.name)).toEqual(["together"]);
    expect((await get("/os-server-groups", stranger.token)).body.server_groups).toEqual([]);
    expect((await get("/os-server-groups?all_projects=True", stranger.token)).body.server_groups).toEqual([]);
    expect((await get("/os-server-groups?all_projects=True")).body.server_groups.length).toBe(3);
    expect((await get("/limits", member.token)).body.limits.absolute.totalServerGroupsUsed).toBe(3);
  });

  it("refuses bad groups with 400 and no event", async () => {
    const create = (group: unknown, version = "2.79") => () => post("/os-server-groups", { server_group: group }, member.token, version);
    expect(await refused(400, "badRequest", create({ name: "x", policy: "affinity", rules: { max_server_per_host: 2 } }))).toBe("Only anti-affinity policy supports rules.");
    await refused(400, "badRequest", create({ name: "x", policy: "spread-out" }));
    await refused(400, "badRequest", create({ name: "x", policy: "anti-affinity", rules: { max_server_per_host: 0 } }));
    await refused(400, "badRequest", create({ name: " x", policy: "anti-affinity" }));
    await refused(400, "badRequest", create({ policy: "anti-affinity" }));
    await refused(400, "badRequest", create({ name: "x", policies: ["affinity"] }));
    await refused(400, "badRequest", create({ name: "x", policies: ["affinity", "anti-affinity"] }, "2.1"));
  });

  it("enforces the server_groups quota with 403", async () => {
    await put(`/os-quota-sets/${member.projectId}`, { quota_set: { server_groups: 3 } });
    expect(await refused(403, "forbidden", () => post("/os-server-groups", { server_group: { name: "one-too-many", policy: "affinity" } }, member.token))).toBe(
      "Quota exceeded, too many server groups.",
    );
  });

  it("keeps other projects and readers from changing a group", async () => {
    expect((await get(`/os-server-groups/${groupId}`, stranger.token)).status).toBe(403);
    await refused(403, "forbidden", () => cloud.request(`${V}/os-server-groups/${groupId}`, { method: "DELETE", token: stranger.token }));
    await refused(403, "forbidden", () => cloud.request(`${V}/os-server-groups/${groupId}`, { method: "DELETE", token: reader.token }));
    await refused(403, "forbidden", () => post("/os-server-groups", { server_group: { name: "r", policy: "affinity" } }, reader.token));
  });

  it("deletes a group, and an unknown one is a 404", async () => {
    const deleted = await cloud.request(`${V}/os-server-groups/${groupId}`, { method: "DELETE", token: member.token });
    expect(deleted.status).toBe(204);
    expect(await refused(404, "itemNotFound", () => cloud.request(`${V}/os-server-groups/${groupId}`, { token: member.token }))).toBe(
      `Instance group ${groupId} could not be found.`,
    );
    await refused(404, "itemNotFound", () => cloud.request(`${V}/os-server-groups/${groupId}`, { method: "DELETE", token: member.token }));
  });
});
