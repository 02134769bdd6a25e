/**
 * Nova's servers API against a real control plane (nats-server, sqlite, the compute, image and
 * placement handlers). The scheduler and host agents are not running here: the spec plays their
 * part with the commands they send (ScheduleServer, Report*), so each lifecycle step the API shows
 * is checked against the command that caused it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { expectNovaRefusal } from "../testing/novaFaults.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let member: ProjectCaller;
let stranger: ProjectCaller;
let reader: ProjectCaller;
let flavorId: string;
let imageId: string;

const V = "/compute/v2.1";
const at = (version: string) => ({ "OpenStack-API-Version": `compute ${version}` });
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });

const post = (path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  cloud.request(`${V}${path}`, { method: "POST", token, json: body, headers });

const create = (token: string, server: Record<string, unknown>, headers: Record<string, string> = {}) =>
  post("/servers", token, { server: { name: "web", imageRef: imageId, flavorRef: flavorId, networks: "none", ...server } }, headers);

const show = async (id: string, token = member.token, version = "2.79") => json(await cloud.request(`${V}/servers/${id}`, { token, headers: at(version) }));

const created = async (server: Record<string, unknown> = {}, token = member.token) => {
  const response = await json(await create(token, server));
  expect(response.status).toBe(202);
  return response.body.server.id as string;
};

const system = async (command: { type: string; data: object }) => {
  const reply = await cloud.system("compute", command);
  expect(reply.outcome).toBe("accepted");
};

/** As the scheduler and the host's agent would: placed on `host`, then spawned. */
const bootOn = async (serverId: string, host: string) => {
  await system({ type: "ScheduleServer", data: { serverId, host, providerId: randomUUID(), availabilityZone: "nova" } });
  await system({ type: "ReportServerSpawned", data: { serverId } });
};

/** The request gets `status` with Nova's fault body named `fault`, and the event log does not move. */
const refused = (status: number, fault: string, request: () => Promise<Response>) => expectNovaRefusal(cloud, status, fault, request);

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  [member, stranger] = await Promise.all([projectCaller(cloud, "member"), projectCaller(cloud, "member")]);
  reader = await projectCaller(cloud, "reader", member.projectId);
  const flavor = await json(await post("/flavors", cloud.adminToken, { flavor: { name: "m1.test", ram: 512, vcpus: 1, disk: 1 } }));
  flavorId = flavor.body.flavor.id;
  const image = await json(await cloud.request("/image/v2/images", {
    method: "POST", token: cloud.adminToken, json: { name: "cirros", disk_format: "raw", container_format: "bare", visibility: "public", min_ram: 256 },
  }));
  imageId = image.body.id;
  const uploaded = await cloud.request(`/image/v2/images/${imageId}/file`, {
    method: "PUT", token: cloud.adminToken, headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(1024).fill(7),
  });
  expect(uploaded.status).toBe(204);
});
afterAll(() => cloud?.close());

describe("creating a server", () => {
  it("answers 202 with the id and an admin password, and the server reads back at once in BUILD", async () => {
    const response = await json(await create(member.token, { name: "first", metadata: { role: "web" } }));
    expect(response.status).toBe(202);
    const { id, adminPass, links } = response.body.server;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(adminPass).toEqual(expect.any(String));
    expect(links[0]).toEqual({ rel: "self", href: `${cloud.gateway.url}/compute/v2.1/servers/${id}` });

    const { status, body } = await show(id);
    expect(status).toBe(200);
    expect(body.server).toMatchObject({
      id, name: "first", status: "BUILD", tenant_id: member.projectId, user_id: member.userId, metadata: { role: "web" },
      "OS-EXT-STS:task_state": "scheduling", "OS-EXT-STS:vm_state": "building", "OS-EXT-STS:power_state": 0,
      image: { id: imageId }, flavor: { vcpus: 1, ram: 512, disk: 1, original_name: "m1.test" }, key_name: null, hostId: "",
      locked: false, description: null, tags: [], server_groups: [], addresses: {},
    });
    // Members do not see the extended server attributes.
    expect(body.server).not.toHaveProperty("OS-EXT-SRV-ATTR:host");
  });

  it("shows flavor links before 2.47 and the extended attributes to admins", async () => {
    const id = await created();
    await bootOn(id, "compute-a");
    const old = await show(id, cloud.adminToken, "2.1");
    expect(old.body.server.flavor).toEqual({ id: flavorId, links: [{ rel: "bookmark", href: `${cloud.gateway.url}/compute/flavors/${flavorId}` }] });
    expect(old.body.server).toMatchObject({ status: "ACTIVE", "OS-EXT-SRV-ATTR:host": "compute-a", "OS-EXT-STS:power_state": 1 });
    expect(old.body.server).not.toHaveProperty("locked");
    expect(old.body.server.hostId).toMatch(/^[0-9a-f]{56}$/);
  });

  it("refuses bad references and bad input with 400 and appends nothing", async () => {
    expect(await refused(400, "badRequest", () => create(member.token, { flavorRef: "no-such-flavor" }))).toBe("Flavor no-such-flavor could not be found.");
    expect(await refused(400, "badRequest", () => create(member.token, { imageRef: randomUUID() }))).toMatch(/^Image .* could not be found\.$/);
    expect(await refused(400, "badRequest", () => create(member.token, { key_name: "missing" }))).toBe("Invalid key_name provided.");
    await refused(400, "badRequest", () => create(member.token, { name: "" }));
    await refused(400, "badRequest", () => create(member.token, { name: 42 }));
    await refused(400, "badRequest", () => create(member.token, { min_count: 3, max_count: 2 }));
    await refused(400, "badRequest", () => create(member.token, { min_count: 0 }));
    await refused(400, "badRequest", () => create(member.token, { user_data: "IyEvYmluL3NoCg==" }));
    expect(await refused(400, "badRequest", () => create(member.token, { networks: [{ uuid: "6b2f1e1e-0000-4000-8000-000000000000" }] }))).toMatch(/Network .* could not be found/);
    await refused(400, "badRequest", () => create(member.token, { metadata: { k: 7 } }));
    await refused(400, "badRequest", () => post("/servers", member.token, { server: { name: "x" } }));
    await refused(400, "badRequest", () => cloud.request(`${V}/servers`, { method: "POST", token: member.token, headers: { "content-type": "application/json" }, body: "{not json" }));
  });

  it("refuses a flavor too small for the image's min_ram", async () => {
    const tiny = await json(await post("/flavors", cloud.adminToken, { flavor: { name: `tiny-${randomUUID().slice(0, 4)}`, ram: 128, vcpus: 1, disk: 1 } }));
    const before = await json(await cloud.request(`${V}/servers`, { token: member.token }));
    expect(await refused(400, "badRequest", () => create(member.token, { flavorRef: tiny.body.flavor.id }))).toBe("Flavor's memory is too small for requested image.");
    // The quota reserved before the build was refused is given back: nothing is held.
    const after = await json(await cloud.request(`${V}/servers`, { token: member.token }));
    expect(after.body.servers.length).toBe(before.body.servers.length);
  });

  it("lets a reader look but not create", async () => {
    await refused(403, "forbidden", () => create(reader.token, {}));
  });

  it("creates the same server once for a retried Idempotency-Key", async () => {
    const key = `retry-${randomUUID()}`;
    const first = await json(await create(member.token, { name: "idem" }, { "Idempotency-Key": key }));
    const second = await json(await create(member.token, { name: "idem" }, { "Idempotency-Key": key }));
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.server.id).toBe(first.body.server.id);
    const listed = await json(await cloud.request(`${V}/servers?name=^idem$`, { token: member.token }));
    expect(listed.body.servers.map((s: { id: string }) => s.id)).toEqual([first.body.server.id]);
  });

  it("builds min_count..max_count servers named with a suffix", async () => {
    const response = await json(await create(stranger.token, { name: "batch", min_count: 3 }));
    expect(response.status).toBe(202);
    const listed = await json(await cloud.request(`${V}/servers?name=^batch-`, { token: stranger.token }));
    expect(listed.body.servers.map((s: { name: string }) => s.name).sort()).toEqual(["batch-1", "batch-2", "batch-3"]);
  });
});

describe("exact quotas under concurrency", () => {
  it("lets exactly 10 of 100 concurrent creates through a quota of 10 instances", async () => {
    const project = await projectCaller(cloud, "member");
    const limit = await cloud.system("compute", { type: "SetQuotaLimits", data: { projectId: project.projectId, instances: 10 } });
    expect(limit.outcome).toBe("accepted");
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => create(project.token, { name: `q-${i}` })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 403)).toHaveLength(90);
    const fault = (await responses.find((r) => r.status === 403)!.json()) as { forbidden: { message: string } };
    expect(fault.forbidden.message).toMatch(/^Quota exceeded for instances: Requested 1, but already used 10 of 10 instances/);
    const listed = await json(await cloud.request(`${V}/servers`, { token: project.token }));
    expect(listed.body.servers).toHaveLength(10);
  });
});

describe("listing servers", () => {
  it("lists only the caller's project, newest first, and pages with limit and marker", async () => {
    const project = await projectCaller(cloud, "member");
    const ids: Array<string> = [];
    for (let i = 0; i < 5; i++) ids.push(await created({ name: `page-${i}` }, project.token));
    const first = await json(await cloud.request(`${V}/servers/detail?limit=2`, { token: project.token }));
    expect(first.body.servers.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
    const next = new URL(first.body.servers_links[0].href);
    expect(next.searchParams.get("marker")).toBe(ids[3]);
    const second = await json(await cloud.request(`${V}/servers/detail?${next.searchParams.toString()}`, { token: project.token }));
    expect(second.body.servers.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const all = await json(await cloud.request(`${V}/servers`, { token: project.token }));
    expect(all.body.servers.map((s: { id: string }) => s.id)).toEqual([...ids].reverse());
    expect(all.body).not.toHaveProperty("servers_links");
    await refused(400, "badRequest", () => cloud.request(`${V}/servers?marker=${randomUUID()}`, { token: project.token }));
    await refused(400, "badRequest", () => cloud.request(`${V}/servers?limit=abc`, { token: project.token }));
    await refused(400, "badRequest", () => cloud.request(`${V}/servers?changes-since=yesterday`, { token: project.token }));
  });

  it("filters by status and name, and shows admins every project with all_tenants", async () => {
    const active = await created({ name: "filter-active" }, stranger.token);
    await bootOn(active, "compute-b");
    const building = await created({ name: "filter-build" }, stranger.token);
    const byStatus = await json(await cloud.request(`${V}/servers?status=ACTIVE&name=filter-`, { token: stranger.token }));
    expect(byStatus.body.servers.map((s: { id: string }) => s.id)).toEqual([active]);
    const mine = await json(await cloud.request(`${V}/servers?name=filter-`, { token: member.token }));
    expect(mine.body.servers).toEqual([]);
    const everyone = await json(await cloud.request(`${V}/servers?all_tenants=1&name=filter-`, { token: cloud.adminToken }));
    expect(everyone.body.servers.map((s: { id: string }) => s.id)).toEqual([building, active]);
  });

  it("hides another project's server behind a 404", async () => {
    const id = await created({}, stranger.token);
    await refused(404, "itemNotFound", () => cloud.request(`${V}/servers/${id}`, { token: member.token }));
    await refused(404, "itemNotFound", () => cloud.request(`${V}/servers/${id}`, { method: "DELETE", token: member.token }));
  });
});

describe("a server's lifecycle", () => {
  const action = (id: string, body: unknown, token = member.token) => post(`/servers/${id}/action`, token, body);

  it("stops, starts, reboots, renames, takes metadata, deletes, and records each action with its request id", async () => {
    const id = await created({ name: "life" });
    await refused(409, "conflictingRequest", () => action(id, { "os-stop": null }));
    await bootOn(id, "compute-c");

    const stop = await action(id, { "os-stop": null });
    expect(stop.status).toBe(202);
    const stopRequest = stop.headers.get("x-openstack-request-id");
    expect((await show(id)).body.server).toMatchObject({ status: "ACTIVE", "OS-EXT-STS:task_state": "powering-off" });
    expect(await refused(409, "conflictingRequest", () => action(id, { "os-stop": null }))).toContain("task_state powering-off");
    await system({ type: "ReportServerStopped", data: { serverId: id } });
    expect((await show(id)).body.server).toMatchObject({ status: "SHUTOFF", "OS-EXT-STS:power_state": 4, "OS-EXT-STS:task_state": null });

    expect((await action(id, { "os-start": null })).status).toBe(202);
    await system({ type: "ReportServerStarted", data: { serverId: id } });
    expect((await action(id, { reboot: { type: "HARD" } })).status).toBe(202);
    expect((await show(id)).body.server.status).toBe("HARD_REBOOT");
    await system({ type: "ReportServerRebooted", data: { serverId: id } });
    expect((await show(id)).body.server.status).toBe("ACTIVE");

    await refused(400, "badRequest", () => action(id, { reboot: { type: "GENTLE" } }));
    expect(await refused(400, "badRequest", () => action(id, { pause: null }))).toBe("There is no such action: pause");

    const renamed = await json(await cloud.request(`${V}/servers/${id}`, { method: "PUT", token: member.token, json: { server: { name: "life-2" } } }));
    expect(renamed.body.server.name).toBe("life-2");
    const meta = await json(await post(`/servers/${id}/metadata`, member.token, { metadata: { a: "1", b: "2" } }));
    expect(meta.body.metadata).toEqual({ a: "1", b: "2" });
    expect((await cloud.request(`${V}/servers/${id}/metadata/a`, { method: "DELETE", token: member.token })).status).toBe(204);
    expect((await json(await cloud.request(`${V}/servers/${id}/metadata`, { token: member.token }))).body.metadata).toEqual({ b: "2" });
    await refused(404, "itemNotFound", () => cloud.request(`${V}/servers/${id}/metadata/a`, { token: member.token }));

    const actions = await json(await cloud.request(`${V}/servers/${id}/os-instance-actions`, { token: member.token }));
    expect(actions.body.instanceActions.map((a: { action: string }) => a.action)).toEqual(["reboot", "start", "stop", "create"]);
    const stopped = actions.body.instanceActions.find((a: { action: string }) => a.action === "stop");
    expect(stopped).toMatchObject({ request_id: stopRequest, user_id: member.userId, project_id: member.projectId, instance_uuid: id });
    const detail = await json(await cloud.request(`${V}/servers/${id}/os-instance-actions/${stopRequest}`, { token: member.token, headers: at("2.62") }));
    expect(detail.body.instanceAction.events).toEqual([
      expect.objectContaining({ event: "compute_stop_instance", result: "Success", finish_time: expect.any(String) }),
    ]);

    expect((await cloud.request(`${V}/servers/${id}`, { method: "DELETE", token: member.token })).status).toBe(204);
    expect((await show(id)).body.server["OS-EXT-STS:task_state"]).toBe("deleting");
    await system({ type: "ReportServerDestroyed", data: { serverId: id } });
    await refused(404, "itemNotFound", () => cloud.request(`${V}/servers/${id}`, { token: member.token }));
    const history = await json(await cloud.request(`${V}/servers/${id}/os-instance-actions`, { token: member.token, headers: at("2.21") }));
    expect(history.body.instanceActions[0].action).toBe("delete");
  });

  it("deletes a server that has no host yet at once", async () => {
    const id = await created();
    expect((await cloud.request(`${V}/servers/${id}`, { method: "DELETE", token: member.token })).status).toBe(204);
    await refused(404, "itemNotFound", () => cloud.request(`${V}/servers/${id}`, { token: member.token }));
  });
});
