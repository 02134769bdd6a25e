/**
 * Image bytes through the Glance gateway against a real control plane: a streamed upload with its
 * MD5 and SHA-512 checked against node:crypto, a byte-identical download (whole and ranged), and
 * every way an upload can fail (the client's stream erroring, a real socket cut mid-body, the size
 * cap, a second upload) leaving the image queued with no file served.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

const CAP = 4 * 1024 * 1024;
let cloud: TestCloud;
let alice: ProjectCaller;
let bob: ProjectCaller;

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}`, imageSizeCap: CAP });
  alice = await projectCaller(cloud, "member");
  bob = await projectCaller(cloud, "member");
});
afterAll(() => cloud?.close());

const OCTETS = { "content-type": "application/octet-stream" };
const newImage = async (token = alice.token, extra: Record<string, unknown> = {}) => {
  const response = await cloud.request("/image/v2/images", { method: "POST", token, json: { name: "bytes", disk_format: "raw", container_format: "bare", ...extra } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
};
const show = async (id: string, token = alice.token) => (await (await cloud.request(`/image/v2/images/${id}`, { token })).json()) as Record<string, any>;
const upload = (id: string, body: NonNullable<RequestInit["body"]>, token = alice.token, headers: Record<string, string> = OCTETS) =>
  cloud.request(`/image/v2/images/${id}/file`, { method: "PUT", token, headers, body, duplex: "half" } as RequestInit & { token: string });
const download = (id: string, token = alice.token, headers: Record<string, string> = {}) => cloud.request(`/image/v2/images/${id}/file`, { token, headers });
const imageFiles = async () => (await readdir(join(cloud.dataDir, "images")).catch(() => [] as string[])).sort();

/** Chunks of `bytes`, then an error: a client that goes away mid-upload. */
const failingStream = (bytes: Uint8Array, chunk = 64 * 1024) => {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes.byteLength) return controller.error(new Error("client went away"));
      controller.enqueue(bytes.subarray(sent, sent + chunk));
      sent += chunk;
    },
  });
};

const until = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Glance's fault, and the event log unchanged. */
const refused = async (status: number, request: () => Promise<Response>) => {
  const before = await cloud.head();
  const response = await request();
  expect(response.status).toBe(status);
  const fault = (await response.json()) as { message: string; code: string };
  expect(fault.code).toMatch(new RegExp(`^${status} `));
  expect(await cloud.head()).toBe(before);
  return fault.message;
};

describe("image data", () => {
  it("uploads a stream, records Glance's size and digests, and serves the same bytes back", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const id = await newImage();
    const response = await upload(id, new Blob([bytes]).stream());
    expect(response.status).toBe(204);
    const image = await show(id);
    expect(image).toMatchObject({
      status: "active",
      size: bytes.byteLength,
      checksum: createHash("md5").update(bytes).digest("hex"),
      os_hash_algo: "sha512",
      os_hash_value: createHash("sha512").update(bytes).digest("hex"),
    });
    expect(await imageFiles()).toContain(id);

    const whole = await download(id);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("application/octet-stream");
    expect(whole.headers.get("content-md5")).toBe(image.checksum);
    expect(whole.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const part = await download(id, alice.token, { range: "bytes=10-19" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${bytes.byteLength}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    await refused(416, () => download(id, alice.token, { range: `bytes=${bytes.byteLength}-` }));

    expect(await refused(409, () => upload(id, bytes))).toMatch(/transition from active to saving/);
    expect((await cloud.request(`/image/v2/images/${id}`, { method: "DELETE", token: alice.token })).status).toBe(204);
    expect(await imageFiles()).not.toContain(id);
  });

  it("takes an empty upload as a zero-byte image", async () => {
    const id = await newImage();
    expect((await upload(id, new Uint8Array(0))).status).toBe(204);
    expect(await show(id)).toMatchObject({ status: "active", size: 0, checksum: createHash("md5").digest("hex") });
    const response = await download(id);
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it("serves no data (204) for a queued image", async () => {
    const id = await newImage();
    const response = await download(id);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("leaves the image queued, with no file, when the client's stream fails midway; a retry then succeeds", async () => {
    const id = await newImage();
    const bytes = randomBytes(1024 * 1024);
    const response = await upload(id, failingStream(bytes.subarray(0, 300 * 1024)));
    expect(response.status).toBe(400);
    expect(await show(id)).toMatchObject({ status: "queued", size: null, checksum: null });
    expect((await download(id)).status).toBe(204);
    expect((await imageFiles()).filter((name) => name.startsWith(id))).toEqual([]);

    expect((await upload(id, bytes)).status).toBe(204);
    expect(await show(id)).toMatchObject({ status: "active", size: bytes.byteLength, checksum: createHash("md5").update(bytes).digest("hex") });
  });

  it("leaves the image queued, with no file, when a real client's connection drops mid-body", async () => {
    const id = await newImage();
    const request = httpRequest(`${cloud.gateway.url}/image/v2/images/${id}/file`, {
      method: "PUT",
      headers: { ...OCTETS, "x-auth-token": alice.token, "content-length": String(2 * 1024 * 1024) },
    });
    request.on("error", () => undefined);
    request.write(randomBytes(256 * 1024));
    await until(async () => (await imageFiles()).includes(`${id}.partial`), "the partial file");
    expect((await show(id)).status).toBe("saving");
    request.destroy();
    await until(async () => (await show(id)).status === "queued", "the upload to abort");
    expect((await imageFiles()).filter((name) => name.startsWith(id))).toEqual([]);
    expect((await download(id)).status).toBe(204);
  });

  it("refuses an upload past the size cap, declared or not, leaving the image queued", async () => {
    const id = await newImage();
    const declared = { ...OCTETS, "content-length": String(CAP + 1) };
    expect(await refused(413, () => upload(id, new Uint8Array(CAP + 1), alice.token, declared))).toMatch(/too large/);
    const streamed = await upload(id, new Blob([new Uint8Array(CAP + 64 * 1024)]).stream());
    expect(streamed.status).toBe(413);
    expect(await show(id)).toMatchObject({ status: "queued", size: null });
    expect((await imageFiles()).filter((name) => name.startsWith(id))).toEqual([]);
  });

  it("refuses uploads by others, of other content types, and downloads of what the caller cannot see", async () => {
    const id = await newImage();
    await refused(404, () => upload(id, new Uint8Array(8), bob.token));
    await refused(404, () => download(id, bob.token));
    expect(await refused(415, () => upload(id, new Uint8Array(8), alice.token, { "content-type": "text/plain" }))).toMatch(/octet-stream/);
    const community = await newImage(alice.token, { visibility: "community" });
    expect(await refused(403, () => upload(community, new Uint8Array(8), bob.token))).toMatch(/upload_image/);
    await refused(404, () => upload(randomUUID(), new Uint8Array(8)));
    expect((await show(id)).status).toBe("queued");
  });

  it("forbids downloading a deactivated image to all but admins", async () => {
    const id = await newImage();
    expect((await upload(id, new Uint8Array([1, 2, 3]))).status).toBe(204);
    await refused(403, () => cloud.request(`/image/v2/images/${id}/actions/deactivate`, { method: "POST", token: alice.token }));
    expect((await cloud.request(`/image/v2/images/${id}/actions/deactivate`, { method: "POST", token: cloud.adminToken })).status).toBe(204);
    expect((await show(id)).status).toBe("deactivated");
    expect(await refused(403, () => download(id))).toMatch(/deactivated/);
    expect((await download(id, cloud.adminToken)).status).toBe(200);
    expect((await cloud.request(`/image/v2/images/${id}/actions/reactivate`, { method: "POST", token: cloud.adminToken })).status).toBe(204);
    expect(Buffer.from(await (await download(id)).arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
  });
});
