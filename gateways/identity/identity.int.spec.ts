import { randomBytes, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_PASSWORD, startTestCloud, type TestCloud } from "../testing/testCloud.ts";
import { makeTokenSealer, newAuditId } from "./tokens.ts";

let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
});
afterAll(() => cloud?.close());

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });

const login = async (name: string, password: string, project?: string) =>
  cloud.request("/identity/v3/auth/tokens", {
    method: "POST",
    json: {
      auth: {
        identity: { methods: ["password"], password: { user: { name, domain: { name: "Default" }, password } } },
        ...(project === undefined ? {} : { scope: { project: { name: project, domain: { id: "default" } } } }),
      },
    },
  });

const tokenFor = async (name: string, password: string, project?: string) => {
  const response = await login(name, password, project);
  expect(response.status).toBe(201);
  return response.headers.get("x-subject-token")!;
};

const createProject = async (name: string) =>
  (await json(await cloud.request("/identity/v3/projects", { method: "POST", token: cloud.adminToken, json: { project: { name } } }))).body.project;

const createUser = async (name: string, password: string) =>
  (await json(await cloud.request("/identity/v3/users", { method: "POST", token: cloud.adminToken, json: { user: { name, password } } }))).body.user;

const roleId = async (name: string) =>
  (await json(await cloud.request(`/identity/v3/roles?name=${name}`, { token: cloud.adminToken }))).body.roles[0].id as string;

const grant = async (projectId: string, userId: string, role: string) =>
  expect((await cloud.request(`/identity/v3/projects/${projectId}/users/${userId}/roles/${await roleId(role)}`, { method: "PUT", token: cloud.adminToken })).status).toBe(204);

/** The request gets `status` with a Keystone fault body, and the event log does not move. */
const refused = async (status: number, request: () => Promise<Response>) => {
  const before = await cloud.head();
  const response = await request();
  const body = (await response.json()) as { error?: { code: number; message: string; title: string } };
  expect(response.status).toBe(status);
  expect(body.error?.code).toBe(status);
  expect(body.error?.message).toEqual(expect.any(String));
  expect(response.headers.get("x-openstack-request-id")).toMatch(/^req-[0-9a-f-]{36}$/);
  expect(await cloud.head()).toBe(before);
  return body.error!.message;
};

describe("identity gateway", () => {
  it("issues a project-scoped admin token with roles and a catalog, and validates it", async () => {
    const issued = await json(await login("admin", ADMIN_PASSWORD, "admin"));
    expect(issued.status).toBe(201);
    const token = issued.body.token;
    expect(token.project.name).toBe("admin");
    expect(Date.parse(token.expires_at) - Date.parse(token.issued_at)).toBe(60 * 60 * 1000);
    expect(token.roles.map((role: { name: string }) => role.name).sort()).toEqual(["admin", "member", "reader"]);
    expect(token.catalog[0]).toMatchObject({ type: "identity", name: "keystone" });
    expect(token.catalog[0].endpoints.map((endpoint: { interface: string }) => endpoint.interface).sort()).toEqual(["admin", "internal", "public"]);
    // `openstack endpoint list/show` tells endpoints apart by id.
    const endpointIds = token.catalog.flatMap((service: { endpoints: Array<{ id: string }> }) => service.endpoints.map((endpoint) => endpoint.id));
    expect(new Set(endpointIds).size).toBe(token.catalog.length * 3);
    const validated = await json(await cloud.request("/identity/v3/auth/tokens", { token: cloud.adminToken, headers: { "x-subject-token": cloud.adminToken } }));
    expect(validated.status).toBe(200);
    expect(validated.body.token.user.name).toBe("admin");
  });

  it("creates, reads, renames and deletes a project, reading its own writes", async () => {
    const project = await createProject("crud");
    expect(project).toMatchObject({ name: "crud", domain_id: "default", enabled: true, parent_id: "default" });
    const renamed = await json(await cloud.request(`/identity/v3/projects/${project.id}`, { method: "PATCH", token: cloud.adminToken, json: { project: { name: "crud2", enabled: false } } }));
    expect(renamed.body.project).toMatchObject({ name: "crud2", enabled: false });
    const listed = await json(await cloud.request("/identity/v3/projects?name=crud2", { token: cloud.adminToken }));
    expect(listed.body.projects.map((p: { id: string }) => p.id)).toEqual([project.id]);
    expect((await cloud.request(`/identity/v3/projects/${project.id}`, { method: "DELETE", token: cloud.adminToken })).status).toBe(204);
    await refused(404, () => cloud.request(`/identity/v3/projects/${project.id}`, { token: cloud.adminToken }));
  });

  it("refuses malformed JSON, wrong types, unknown fields and oversized bodies with 4xx, changing nothing", async () => {
    const post = (body: string | Uint8Array) => () =>
      cloud.request("/identity/v3/projects", { method: "POST", token: cloud.adminToken, headers: { "content-type": "application/json" }, body });
    expect(await refused(400, post("{not json"))).toMatch(/Malformed request body/);
    expect(await refused(400, post("[1,2]"))).toMatch(/JSON object/);
    expect(await refused(400, post(JSON.stringify({ project: { name: 42 } })))).toMatch(/'project.name'/);
    expect(await refused(400, post(JSON.stringify({ project: { name: "x", color: "red" } })))).toMatch(/'color' was unexpected/);
    expect(await refused(400, post(JSON.stringify({ project: { name: "" } })))).toMatch(/too short/);
    expect(await refused(413, post(randomBytes(10 * 1024 * 1024)))).toMatch(/too large/);
    expect(await refused(400, () => login("admin", 7 as unknown as string))).toMatch(/'auth.identity.password.user.password'/);
  });

  it("answers a duplicate name with 409 and a missing one with 404", async () => {
    await createProject("taken");
    expect(await refused(409, () => cloud.request("/identity/v3/projects", { method: "POST", token: cloud.adminToken, json: { project: { name: "taken" } } }))).toMatch(/same name/);
    await refused(404, () => cloud.request("/identity/v3/users/nobody", { token: cloud.adminToken }));
    await refused(404, () => cloud.request("/identity/v3/no/such/path", { token: cloud.adminToken }));
  });

  it("refuses missing, forged, foreign-key, expired and revoked tokens with 401", async () => {
    const projects = (token?: string) => () => cloud.request("/identity/v3/projects", token === undefined ? {} : { token });
    await refused(401, projects());
    await refused(401, projects("garbage"));
    const flipped = Buffer.from(cloud.adminToken, "base64url");
    flipped[20] = flipped[20]! ^ 1;
    await refused(401, projects(flipped.toString("base64url")));
    const foreign = makeTokenSealer(randomBytes(32)).seal({ userId: "x", scope: { kind: "system" }, methods: ["password"], issuedAt: Date.now(), expiresAt: Date.now() + 60_000, auditId: newAuditId() });
    await refused(401, projects(foreign));
    const adminClaims = makeTokenSealer(cloud.tokenKey).open(cloud.adminToken)!;
    const expired = makeTokenSealer(cloud.tokenKey).seal({ ...adminClaims, issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 1 });
    await refused(401, projects(expired));
    const stillValid = makeTokenSealer(cloud.tokenKey).seal({ ...adminClaims, issuedAt: Date.now() - 1_000, expiresAt: Date.now() + 60_000 });
    expect((await cloud.request("/identity/v3/projects", { token: stillValid })).status).toBe(200);

    const user = await createUser("revokee", "pw-revokee");
    await grant((await createProject("revokee-project")).id, user.id, "member");
    const token = await tokenFor("revokee", "pw-revokee", "revokee-project");
    expect((await cloud.request("/identity/v3/auth/tokens", { method: "DELETE", token: cloud.adminToken, headers: { "x-subject-token": token } })).status).toBe(204);
    await refused(401, () => cloud.request(`/identity/v3/users/${user.id}`, { token }));
    expect((await cloud.request("/identity/v3/auth/tokens", { token: cloud.adminToken, headers: { "x-subject-token": token } })).status).toBe(404);
  });

  it("refuses wrong passwords and unknown users alike with 401", async () => {
    await refused(401, () => login("admin", "wrong", "admin"));
    await refused(401, () => login("no-such-user", "whatever", "admin"));
    await refused(401, () => login("admin", ADMIN_PASSWORD, "no-such-project"));
  });

  it("lets only admins manage identity, and keeps members inside their own project", async () => {
    const [mine, other] = [await createProject("mine"), await createProject("other")];
    const member = await createUser("member-user", "pw-member");
    const reader = await createUser("reader-user", "pw-reader");
    await grant(mine.id, member.id, "member");
    await grant(mine.id, reader.id, "reader");
    const memberToken = await tokenFor("member-user", "pw-member", "mine");
    const readerToken = await tokenFor("reader-user", "pw-reader", "mine");

    expect((await json(await cloud.request(`/identity/v3/projects/${mine.id}`, { token: memberToken }))).body.project.name).toBe("mine");
    await refused(403, () => cloud.request(`/identity/v3/projects/${other.id}`, { token: memberToken }));
    await refused(403, () => cloud.request("/identity/v3/projects", { token: memberToken }));
    await refused(403, () => cloud.request("/identity/v3/projects", { method: "POST", token: memberToken, json: { project: { name: "sneaky" } } }));
    await refused(403, () => cloud.request("/identity/v3/projects", { method: "POST", token: readerToken, json: { project: { name: "sneaky" } } }));
    await refused(403, () => cloud.request(`/identity/v3/users/${member.id}`, { method: "PATCH", token: readerToken, json: { user: { enabled: false } } }));
    await refused(401, () => tokenForStatus("member-user", "pw-member", "other"));
  });

  it("stops accepting a user's old tokens when the password changes, and accepts the new password", async () => {
    const user = await createUser("rotator", "old-password");
    await grant((await createProject("rotation")).id, user.id, "member");
    const old = await tokenFor("rotator", "old-password", "rotation");
    const changed = await cloud.request(`/identity/v3/users/${user.id}`, { method: "PATCH", token: cloud.adminToken, json: { user: { password: "new-password" } } });
    expect(changed.status).toBe(200);
    await refused(401, () => cloud.request(`/identity/v3/users/${user.id}`, { token: old }));
    await refused(401, () => login("rotator", "old-password", "rotation"));
    await tokenFor("rotator", "new-password", "rotation");
  });

  it("never writes a clear password into an event", async () => {
    const before = await cloud.head();
    await createUser("secretive", "Sup3r-S3cret-Pa55");
    expect(await cloud.head()).toBeGreaterThan(before);
    // Every byte the store has written, the WAL included (recent events live there until a checkpoint).
    const files = (await readdir(cloud.dataDir)).filter((name) => name.startsWith("events.sqlite"));
    const bytes = Buffer.concat(await Promise.all(files.map((name) => readFile(join(cloud.dataDir, name)))));
    expect(files.length).toBeGreaterThan(0);
    expect(bytes.includes("secretive")).toBe(true);
    expect(bytes.includes("Sup3r-S3cret-Pa55")).toBe(false);
  });
});

const tokenForStatus = (name: string, password: string, project: string) => login(name, password, project);
