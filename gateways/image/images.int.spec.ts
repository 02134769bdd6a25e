/**
 * The Glance gateway's metadata API against a real control plane (nats-server, sqlite, the image
 * command handler): discovery, create, show, list with Glance's visibility across two projects,
 * JSON patch, protection, policy, and 4xx answers that leave the event log unchanged.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let alice: ProjectCaller; // member of project A
let reader: ProjectCaller; // reader of project A
let bob: ProjectCaller; // member of project B

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  alice = await projectCaller(cloud, "member");
  reader = await projectCaller(cloud, "reader", alice.projectId);
  bob = await projectCaller(cloud, "member");
});
afterAll(() => cloud?.close());

const PATCH = "application/openstack-images-v2.1-json-patch";
const body = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });
const create = (token: string, image: Record<string, unknown>) =>
  cloud.request("/image/v2/images", { method: "POST", token, json: { disk_format: "raw", container_format: "bare", ...image } });
const created = async (token: string, image: Record<string, unknown>) => {
  const response = await body(await create(token, image));
  expect(response.status).toBe(201);
  return response.body;
};
const patch = (token: string, id: string, ops: unknown, type = PATCH) =>
  cloud.request(`/image/v2/images/${id}`, { method: "PATCH", token, headers: { "content-type": type }, body: JSON.stringify(ops) });
const names = async (token: string, query = "") => {
  const response = await body(await cloud.request(`/image/v2/images${query}`, { token }));
  expect(response.status).toBe(200);
  return response.body.images.map((image: { name: string }) => image.name).sort();
};

/** The request gets `status` with Glance's fault body, and the event log does not move. */
const refused = async (status: number, request: () => Promise<Response>) => {
  const before = await cloud.head();
  const response = await request();
  const fault = (await response.json()) as { message: string; code: string; title: string };
  expect(response.status).toBe(status);
  expect(fault.code).toMatch(new RegExp(`^${status} `));
  expect(fault.title).toEqual(expect.any(String));
  expect(await cloud.head()).toBe(before);
  return fault.message;
};

describe("image service discovery", () => {
  it("lists v2 at /image (300) and /image/versions (200), and the catalog names glance", async () => {
    const root = await cloud.request("/image");
    expect(root.status).toBe(300);
    const versions = ((await root.json()) as { versions: Array<{ id: string; status: string; links: Array<{ href: string }> }> }).versions;
    expect(versions.find((v) => v.status === "CURRENT")).toMatchObject({ id: "v2.9", links: [{ href: `${cloud.gateway.url}/image/v2/` }] });
    expect((await cloud.request("/image/versions")).status).toBe(200);
    const token = await body(await cloud.request("/identity/v3/auth/tokens", { token: cloud.adminToken, headers: { "x-subject-token": cloud.adminToken } }));
    expect(token.body.token.catalog.map((s: { type: string; name: string }) => `${s.type}:${s.name}`)).toContain("image:glance");
  });

  it("serves the image and images schemas to authenticated callers only", async () => {
    const image = await body(await cloud.request("/image/v2/schemas/image", { token: alice.token }));
    expect(image.body).toMatchObject({ name: "image", additionalProperties: { type: "string" } });
    expect(image.body.properties.status.readOnly).toBe(true);
    expect((await body(await cloud.request("/image/v2/schemas/images", { token: alice.token }))).body.properties.images.items.name).toBe("image");
    await refused(401, () => cloud.request("/image/v2/schemas/image"));
  });
});

describe("images", () => {
  it("creates a queued image owned by the caller's project, shown as Glance shows it", async () => {
    const response = await create(alice.token, { name: "cirros", tags: ["a", "b", "a"], min_ram: 64, os_distro: "cirros" });
    expect(response.status).toBe(201);
    const image = (await response.json()) as Record<string, unknown>;
    expect(response.headers.get("location")).toBe(`${cloud.gateway.url}/image/v2/images/${image.id as string}`);
    expect(image).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      name: "cirros", status: "queued", visibility: "private", protected: false, os_hidden: false, owner: alice.projectId,
      disk_format: "raw", container_format: "bare", size: null, virtual_size: null, checksum: null, os_hash_algo: null, os_hash_value: null,
      min_disk: 0, min_ram: 64, tags: ["a", "b"], os_distro: "cirros",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), updated_at: expect.any(String),
      self: `/v2/images/${image.id as string}`, file: `/v2/images/${image.id as string}/file`, schema: "/v2/schemas/image",
    });
    expect((await body(await cloud.request(`/image/v2/images/${image.id as string}`, { token: reader.token }))).body).toEqual(image);
  });

  it("takes a client-chosen id once", async () => {
    const id = randomUUID();
    expect((await created(alice.token, { id, name: "chosen" })).id).toBe(id);
    expect(await refused(409, () => create(alice.token, { id }))).toMatch(/already exists/);
  });

  it("lists by Glance's visibility rules across two projects, with filters and pages", async () => {
    await created(alice.token, { name: "a-private" });
    await created(alice.token, { name: "a-shared", visibility: "shared" });
    await created(bob.token, { name: "b-private" });
    await created(bob.token, { name: "b-community", visibility: "community" });
    await created(cloud.adminToken, { name: "public-by-admin", visibility: "public" });
    const alices = await names(alice.token);
    expect(alices).toEqual(expect.arrayContaining(["a-private", "a-shared", "public-by-admin"]));
    expect(alices).not.toContain("b-private");
    expect(alices).not.toContain("b-community");
    expect(await names(bob.token)).toEqual(["b-community", "b-private", "public-by-admin"]);
    expect(await names(alice.token, "?visibility=community")).toEqual(["b-community"]);
    expect(await names(alice.token, "?visibility=public")).toEqual(["public-by-admin"]);
    expect(await names(bob.token, "?name=a-private")).toEqual([]);
    expect(await names(cloud.adminToken, "?name=a-private")).toEqual(["a-private"]);
    expect(await names(bob.token, "?status=queued&visibility=all")).toEqual(["b-community", "b-private", "public-by-admin"]);
    expect(await names(alice.token, "?os_distro=cirros")).toEqual(["cirros"]);
    expect(await names(alice.token, "?os_hidden=true")).toEqual([]);

    const first = await body(await cloud.request("/image/v2/images?limit=2&sort_key=name&sort_dir=asc", { token: bob.token }));
    expect(first.body.images.map((i: { name: string }) => i.name)).toEqual(["b-community", "b-private"]);
    expect(first.body.first).toBe("/v2/images?limit=2&sort_key=name&sort_dir=asc");
    expect(first.body.next).toMatch(/^\/v2\/images\?limit=2&sort_key=name&sort_dir=asc&marker=/);
    const second = await body(await cloud.request(`/image${first.body.next as string}`, { token: bob.token }));
    expect(second.body.images.map((i: { name: string }) => i.name)).toEqual(["public-by-admin"]);
    expect(second.body.next).toBeUndefined();

    const hidden = (await body(await cloud.request("/image/v2/images?name=a-private", { token: alice.token }))).body.images[0].id;
    await refused(404, () => cloud.request(`/image/v2/images/${hidden}`, { token: bob.token }));
    await refused(400, () => cloud.request(`/image/v2/images?marker=${hidden}`, { token: bob.token }));
    await refused(400, () => cloud.request("/image/v2/images?sort_key=color", { token: bob.token }));
    await refused(400, () => cloud.request("/image/v2/images?limit=-1", { token: bob.token }));
    await refused(400, () => cloud.request("/image/v2/images?visibility=everyone", { token: bob.token }));
  });

  it("updates by JSON patch: name, properties, tags, minimums, visibility", async () => {
    const image = await created(alice.token, { name: "patchme", tags: ["x"], hw_disk_bus: "virtio" });
    const response = await body(await patch(alice.token, image.id, [
      { op: "replace", path: "/name", value: "patched" },
      { op: "add", path: "/os_version", value: "0.6" },
      { op: "remove", path: "/hw_disk_bus" },
      { op: "add", path: "/tags", value: ["y", "z"] },
      { op: "replace", path: "/min_disk", value: 2 },
      { op: "replace", path: "/visibility", value: "community" },
      { op: "add", path: "/a~1b", value: "slash" },
    ]));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: "patched", os_version: "0.6", tags: ["y", "z"], min_disk: 2, visibility: "community", "a/b": "slash" });
    expect(response.body).not.toHaveProperty("hw_disk_bus");
    const before = await cloud.head();
    expect((await patch(alice.token, image.id, [{ op: "add", path: "/name", value: "patched" }])).status).toBe(200);
    expect(await cloud.head()).toBe(before);
  });

  it("refuses bad patches as Glance does, changing nothing", async () => {
    const { id } = await created(alice.token, { name: "strict" });
    const one = (op: unknown) => () => patch(alice.token, id, [op]);
    expect(await refused(403, one({ op: "replace", path: "/status", value: "active" }))).toBe("Attribute 'status' is read-only.");
    expect(await refused(403, one({ op: "add", path: "/os_glance_x", value: "1" }))).toBe("Attribute 'os_glance_x' is reserved.");
    expect(await refused(403, one({ op: "remove", path: "/name" }))).toBe("Property name may not be removed.");
    expect(await refused(409, one({ op: "replace", path: "/nothing", value: "1" }))).toBe("Property nothing does not exist.");
    expect(await refused(409, one({ op: "remove", path: "/nothing" }))).toBe("Property nothing does not exist.");
    expect(await refused(400, one({ op: "move", path: "/name", value: "x" }))).toMatch(/Invalid operation/);
    expect(await refused(400, one({ op: "add", path: "/a/b", value: "x" }))).toMatch(/Invalid JSON pointer/);
    expect(await refused(400, one({ op: "add", path: "name", value: "x" }))).toMatch(/does not start with/);
    expect(await refused(400, one({ op: "add", path: "/name" }))).toMatch(/requires a member named "value"/);
    expect(await refused(400, one({ op: "add", path: "/min_ram", value: "lots" }))).toMatch(/not of type 'integer'/);
    expect(await refused(400, one({ op: "add", path: "/prop", value: 5 }))).toMatch(/not of type 'string'/);
    expect(await refused(400, one({ op: "replace", path: "/visibility", value: "everyone" }))).toMatch(/is not one of/);
    expect(await refused(403, one({ op: "replace", path: "/visibility", value: "public" }))).toMatch(/publicize_image/);
    expect(await refused(403, one({ op: "replace", path: "/disk_format", value: "qcow2" }))).toMatch(/disk_format/);
    expect(await refused(400, () => patch(alice.token, id, { op: "add" }))).toMatch(/JSON array/);
    expect(await refused(415, () => patch(alice.token, id, [], "application/json"))).toMatch(/openstack-images-v2.1-json-patch/);
  });

  it("refuses bad creates, changing nothing", async () => {
    expect(await refused(400, () => cloud.request("/image/v2/images", { method: "POST", token: alice.token, json: { name: "x", container_format: "bare" } }))).toMatch(/disk_format/);
    expect(await refused(400, () => create(alice.token, { disk_format: "floppy" }))).toMatch(/is not one of/);
    expect(await refused(400, () => create(alice.token, { visibility: "everyone" }))).toMatch(/is not one of/);
    expect(await refused(400, () => create(alice.token, { min_disk: -1 }))).toMatch(/minimum/);
    expect(await refused(400, () => create(alice.token, { id: "not-a-uuid" }))).toMatch(/UUID/);
    expect(await refused(400, () => create(alice.token, { color: 7 }))).toMatch(/not of type 'string'/);
    expect(await refused(403, () => create(alice.token, { status: "active" }))).toBe("Attribute 'status' is read-only.");
    expect(await refused(403, () => create(alice.token, { os_glance_import: "x" }))).toBe("Attribute 'os_glance_import' is reserved.");
    expect(await refused(403, () => create(alice.token, { visibility: "public" }))).toMatch(/publicize_image/);
    expect(await refused(403, () => create(alice.token, { owner: bob.projectId }))).toMatch(/not permitted to create images owned by/);
    expect(await refused(400, () => cloud.request("/image/v2/images", { method: "POST", token: alice.token, headers: { "content-type": "application/json" }, body: "{nope" }))).toMatch(/Malformed/);
    await refused(401, () => create("garbage", {}));
  });

  it("lets only the owner's members and admins change an image; readers and others only read", async () => {
    const { id } = await created(alice.token, { name: "guarded", visibility: "community" });
    expect(await refused(403, () => create(reader.token, { name: "by-reader" }))).toMatch(/add_image/);
    expect(await refused(403, () => patch(reader.token, id, [{ op: "replace", path: "/name", value: "r" }]))).toMatch(/modify_image/);
    expect(await refused(403, () => patch(bob.token, id, [{ op: "replace", path: "/name", value: "b" }]))).toMatch(/modify_image/);
    expect(await refused(403, () => cloud.request(`/image/v2/images/${id}`, { method: "DELETE", token: bob.token }))).toMatch(/delete_image/);
    expect((await body(await cloud.request(`/image/v2/images/${id}`, { token: bob.token }))).body.name).toBe("guarded");
    expect((await body(await patch(cloud.adminToken, id, [{ op: "replace", path: "/visibility", value: "public" }]))).body.visibility).toBe("public");
  });

  it("refuses to delete a protected image (403), then deletes it once unprotected", async () => {
    const { id } = await created(alice.token, { name: "precious", protected: true });
    expect(await refused(403, () => cloud.request(`/image/v2/images/${id}`, { method: "DELETE", token: alice.token }))).toBe(`Image ${id} is protected and cannot be deleted.`);
    expect((await patch(alice.token, id, [{ op: "replace", path: "/protected", value: false }])).status).toBe(200);
    expect((await cloud.request(`/image/v2/images/${id}`, { method: "DELETE", token: alice.token })).status).toBe(204);
    expect(await refused(404, () => cloud.request(`/image/v2/images/${id}`, { token: alice.token }))).toBe(`No image found with ID ${id}`);
    await refused(404, () => cloud.request(`/image/v2/images/${id}`, { method: "DELETE", token: alice.token }));
    expect(await names(alice.token, "?name=precious")).toEqual([]);
  });

  it("adds and removes single tags", async () => {
    const { id } = await created(alice.token, { name: "tagged", tags: ["one"] });
    expect((await cloud.request(`/image/v2/images/${id}/tags/two`, { method: "PUT", token: alice.token })).status).toBe(204);
    expect((await cloud.request(`/image/v2/images/${id}/tags/one`, { method: "DELETE", token: alice.token })).status).toBe(204);
    expect((await body(await cloud.request(`/image/v2/images/${id}`, { token: alice.token }))).body.tags).toEqual(["two"]);
    expect(await refused(404, () => cloud.request(`/image/v2/images/${id}/tags/one`, { method: "DELETE", token: alice.token }))).toBe("Tag one not found.");
    expect(await names(alice.token, "?tag=two")).toEqual(["tagged"]);
  });
});
