/**
 * `/audit/v1` against a real control plane (nats-server, sqlite, the handlers and the gateway):
 * a server's whole life as CADF records with who asked, the request and the command; a project's
 * and a user's records across streams; a user's actions since a time; paging; the member/admin
 * visibility matrix; and clear 400s for bad input. The scheduler and agents are not running: the
 * spec sends their commands as the fabric (`cloud.system`), so their records are the fabric's.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@weft/infra/audit";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let alice: ProjectCaller; // member of project A
let reader: ProjectCaller; // reader of project A
let bob: ProjectCaller; // member of project B
let adminId: string;
let serverId: string;
let createdAt: number;
const requestIds: Record<string, string> = {};

const V = "/compute/v2.1";

const get = async (path: string, token = cloud.adminToken) => {
  const response = await cloud.request(path, { token });
  return { status: response.status, body: (await response.json()) as { records: Array<AuditRecord>; next?: string; error: { code: number; title: string; message: string } } };
};
const history = (id: string, query = "", token?: string) => get(`/audit/v1/resources/${id}/history${query}`, token);

const accepted = async (response: Response, what: string) => {
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
};

const system = async (command: { type: string; data: object }, context: "compute" | "placement" = "compute") => {
  const reply = await cloud.system(context, command);
  expect(reply.outcome, JSON.stringify(reply)).toBe("accepted");
};

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  alice = await projectCaller(cloud, "member");
  reader = await projectCaller(cloud, "reader", alice.projectId);
  bob = await projectCaller(cloud, "member");
  const token = (await (await cloud.request("/identity/v3/auth/tokens", { token: cloud.adminToken, headers: { "x-subject-token": cloud.adminToken } })).json()) as { token: { user: { id: string } } };
  adminId = token.token.user.id;

  const flavor = await accepted(await cloud.request(`${V}/flavors`, { method: "POST", token: cloud.adminToken, json: { flavor: { name: "m1.audit", ram: 512, vcpus: 1, disk: 1 } } }), "flavor");
  const flavorId = ((await flavor.json()) as { flavor: { id: string } }).flavor.id;
  const image = await accepted(await cloud.request("/image/v2/images", { method: "POST", token: cloud.adminToken, json: { name: "cirros", disk_format: "raw", container_format: "bare", visibility: "public" } }), "image");
  const imageId = ((await image.json()) as { id: string }).id;
  await accepted(await cloud.request(`/image/v2/images/${imageId}/file`, { method: "PUT", token: cloud.adminToken, headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(64) }), "upload");

  createdAt = Date.now();
  const create = await accepted(await cloud.request(`${V}/servers`, { method: "POST", token: alice.token, json: { server: { name: "audited", imageRef: imageId, flavorRef: flavorId, networks: "none" } } }), "create");
  requestIds.create = create.headers.get("x-openstack-request-id")!;
  serverId = ((await create.json()) as { server: { id: string } }).server.id;
  await system({ type: "ScheduleServer", data: { serverId, host: "node-1", providerId: randomUUID(), availabilityZone: "nova" } });
  await system({ type: "ReportServerSpawned", data: { serverId } });
  const stop = await accepted(await cloud.request(`${V}/servers/${serverId}/action`, { method: "POST", token: alice.token, json: { "os-stop": null } }), "stop");
  requestIds.stop = stop.headers.get("x-openstack-request-id")!;
  await system({ type: "ReportServerStopped", data: { serverId } });
  const remove = await accepted(await cloud.request(`${V}/servers/${serverId}`, { method: "DELETE", token: cloud.adminToken }), "delete");
  requestIds.delete = remove.headers.get("x-openstack-request-id")!;
  await system({ type: "ReportServerDestroyed", data: { serverId } });
});
afterAll(() => cloud?.close());

describe("a resource's history", () => {
  it("lists every step of a server's life in order: who, what, when, the request and the command", async () => {
    const { status, body } = await history(serverId);
    expect(status).toBe(200);
    const steps = body.records.filter((record) => record.weft.stream === `server-${serverId}`);
    expect(steps.map((record) => [record.weft.eventType, record.action, record.outcome, record.initiator.id, record.weft.commandType])).toEqual([
      ["weft.compute.ServerBuildRequested", "create", "pending", alice.userId, "RequestServerBuild"],
      ["weft.compute.ServerScheduled", "update", "success", "weft", "ScheduleServer"],
      ["weft.compute.ServerSpawned", "create", "success", "weft", "ReportServerSpawned"],
      ["weft.compute.ServerStopRequested", "stop", "pending", alice.userId, "StopServer"],
      ["weft.compute.ServerStopped", "stop", "success", "weft", "ReportServerStopped"],
      ["weft.compute.ServerDeletionRequested", "delete", "pending", adminId, "DeleteServer"],
      ["weft.compute.ServerDeleted", "delete", "success", "weft", "ReportServerDestroyed"],
    ]);
    const [build, , , stop, , deletion] = steps;
    expect(build).toMatchObject({
      typeURI: "http://schemas.dmtf.org/cloud/audit/1.0/event",
      eventType: "activity",
      initiator: { typeURI: "service/security/account/user", id: alice.userId, project_id: alice.projectId, roles: expect.arrayContaining(["member"]) },
      target: { typeURI: "compute/machine", id: serverId, name: "audited" },
      observer: { id: "weft" },
      weft: { requestId: requestIds.create, project: alice.projectId },
    });
    expect(Date.parse(build!.eventTime)).toBeGreaterThanOrEqual(createdAt);
    expect(stop!.weft.requestId).toBe(requestIds.stop);
    expect(deletion!.weft.requestId).toBe(requestIds.delete);
    expect(deletion!.initiator.roles).toContain("admin");
    // The quota reservation, in the project's quota stream, is the server's too (the scheduler,
    // not running here, would release it).
    expect(body.records.filter((record) => record.weft.stream.startsWith("quota-")).map((record) => record.weft.eventType)).toEqual([
      "weft.compute.ServerResourcesReserved",
    ]);
    const positions = body.records.map((record) => record.weft.position);
    expect(positions).toEqual(positions.toSorted((a, b) => a - b));
    expect(body.next).toBeUndefined();
  });

  it("finds a project's records across the identity directory and its quota, by either form of its id", async () => {
    const { body } = await history(alice.projectId);
    const types = body.records.map((record) => record.weft.eventType);
    expect(types[0]).toBe("weft.identity.ProjectCreated");
    expect(types).toContain("weft.identity.RoleAssignmentGranted");
    expect(types).toContain("weft.compute.ServerResourcesReserved");
    const dashed = alice.projectId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    expect((await history(dashed)).body.records).toEqual(body.records);
  });

  it("shows a user's creation without its password hash", async () => {
    const { status, body } = await history(alice.userId);
    expect(status).toBe(200);
    const created = body.records.find((record) => record.weft.eventType === "weft.identity.UserCreated");
    expect(created).toMatchObject({ action: "create", target: { typeURI: "data/security/account/user", id: alice.userId }, initiator: { id: adminId } });
    expect(JSON.stringify(body)).not.toMatch(/passwordHash|\$scrypt\$/);
  });

  it("pages with limit and marker, and narrows with since", async () => {
    const all = (await history(serverId)).body.records;
    const first = await history(serverId, "?limit=3");
    expect(first.body.records).toEqual(all.slice(0, 3));
    expect(first.body.next).toBe(`${cloud.gateway.url}/audit/v1/resources/${serverId}/history?limit=3&marker=${all[2]!.weft.position}`);
    const second = await get(first.body.next!.slice(cloud.gateway.url.length));
    expect(second.body.records).toEqual(all.slice(3, 6));
    const since = (await history(serverId, `?since=${encodeURIComponent(all[4]!.eventTime)}`)).body.records;
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((record) => Date.parse(record.eventTime) >= Date.parse(all[4]!.eventTime))).toBe(true);
    expect((await history(serverId, "?since=2999-01-01")).body).toEqual({ records: [] });
    // A page that ends with the last record has no next; a marker past it gives nothing.
    expect((await history(serverId, `?limit=${all.length}`)).body).toEqual({ records: all });
    expect((await history(serverId, `?marker=${all.at(-1)!.weft.position}`)).body).toEqual({ records: [] });
  });

  it("takes every answer up to the moment of the question", async () => {
    const created = await accepted(await cloud.request("/identity/v3/projects", { method: "POST", token: cloud.adminToken, json: { project: { name: `p-${randomUUID().slice(0, 8)}` } } }), "project");
    const id = ((await created.json()) as { project: { id: string } }).project.id;
    expect((await history(id)).body.records.map((record) => record.action)).toEqual(["create"]);
  });
});

describe("who sees which history", () => {
  it("shows a member and a reader their project's server, and nobody else's", async () => {
    expect((await history(serverId, "", alice.token)).status).toBe(200);
    expect((await history(serverId, "", reader.token)).status).toBe(200);
    const stranger = await history(serverId, "", bob.token);
    expect(stranger.status).toBe(404);
    expect(stranger.body.error).toMatchObject({ code: 404, message: `Could not find resource ${serverId}.` });
  });

  it("keeps what belongs to no project (the directory, other projects' records) from members", async () => {
    const own = (await history(alice.projectId, "", alice.token)).body.records;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((record) => record.weft.project === alice.projectId)).toBe(true);
    expect((await history(bob.userId, "", alice.token)).status).toBe(404);
    expect((await history(bob.projectId, "", alice.token)).status).toBe(404);
  });

  it("answers an unknown resource with 404 for admins too, and no token with 401", async () => {
    expect((await history(randomUUID())).status).toBe(404);
    const response = await cloud.request(`/audit/v1/resources/${serverId}/history`);
    expect(response.status).toBe(401);
  });
});

describe("a user's actions", () => {
  it("lists what the admin did since a time, across resources", async () => {
    const since = new Date(createdAt).toISOString();
    const { status, body } = await get(`/audit/v1/events?user_id=${adminId}&since=${encodeURIComponent(since)}`);
    expect(status).toBe(200);
    expect(body.records.every((record) => record.initiator.id === adminId && Date.parse(record.eventTime) >= Date.parse(since))).toBe(true);
    expect(body.records.map((record) => record.weft.eventType)).toContain("weft.compute.ServerDeletionRequested");
    expect(body.records.map((record) => record.weft.eventType)).not.toContain("weft.identity.UserCreated");
  });

  it("lets a member list its own actions in its project, and nobody else's", async () => {
    const own = await get(`/audit/v1/events?user_id=${alice.userId}`, alice.token);
    expect(own.status).toBe(200);
    expect(own.body.records.map((record) => record.weft.commandType)).toEqual(["ReserveServerResources", "RequestServerBuild", "StopServer"]);
    const other = await get(`/audit/v1/events?user_id=${adminId}`, alice.token);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe(403);
  });
});

describe("bad input", () => {
  it.each([
    ["?since=yesterday", /Invalid since 'yesterday'/],
    ["?since=2030-13-01", /Invalid since/],
    ["?limit=0", /Invalid limit '0'/],
    ["?limit=1001", /Invalid limit/],
    ["?limit=ten", /Invalid limit/],
    ["?marker=-1", /Invalid marker/],
    ["?limit=1&limit=2", /given 2 times/],
    ["?sinse=2030-01-01", /Unknown query parameter 'sinse'/],
  ])("refuses %s with a 400 in the Keystone fault shape", async (query, message) => {
    const { status, body } = await history(serverId, query);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 400, title: "Bad Request", message: expect.stringMatching(message) });
  });

  it("refuses a missing, repeated or malformed user_id and an over-long resource id", async () => {
    expect((await get("/audit/v1/events")).status).toBe(400);
    expect((await get("/audit/v1/events?user_id=a&user_id=b")).status).toBe(400);
    expect((await get(`/audit/v1/events?user_id=${"x".repeat(256)}`)).status).toBe(400);
    expect((await get(`/audit/v1/events?user_id=${adminId}&since=soon`)).status).toBe(400);
    expect((await history("x".repeat(256))).status).toBe(400);
  });
});
