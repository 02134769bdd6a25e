/**
 * The Nova gateway's flavors and key pairs against a real control plane (nats-server, sqlite,
 * the compute command handlers): version discovery, microversion negotiation, flavor CRUD with
 * extra specs and policy, key pair import and generation, and refusals that leave the log unchanged.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { expectNovaRefusal } from "../testing/novaFaults.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let member: ProjectCaller;

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  member = await projectCaller(cloud, "member");
});
afterAll(() => cloud?.close());

const V = "/compute/v2.1";
const body = async (response: Response) => ({ status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> });
const at = (version: string) => ({ "OpenStack-API-Version": `compute ${version}` });

/** The request gets `status` with Nova's fault body named `fault`, and the event log does not move. */
const refused = (status: number, fault: string, request: () => Promise<Response>) => expectNovaRefusal(cloud, status, fault, request);

/** OpenSSH `ssh-rsa` text of a node:crypto RSA public key, built independently of the gateway's code. */
const opensshRsa = (key: ReturnType<typeof createPublicKey>) => {
  const jwk = key.export({ format: "jwk" });
  const str = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (bytes.length >>> (24 - 8 * i)) & 0xff)), bytes]);
  const int = (b64: string) => {
    const bytes = Buffer.from(b64, "base64url");
    return str(bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
  };
  const blob = Buffer.concat([str(Buffer.from("ssh-rsa")), int(jwk.e!), int(jwk.n!)]);
  return { text: `ssh-rsa ${blob.toString("base64")} test@weft`, blob };
};
const md5Colons = (blob: Buffer) => createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");

describe("compute version discovery", () => {
  it("lists v2.1 at /compute and describes it at /compute/v2.1", async () => {
    const root = await body(await cloud.request("/compute"));
    expect(root.status).toBe(200);
    expect(root.body.versions).toEqual([expect.objectContaining({ id: "v2.1", status: "CURRENT", version: "2.79", min_version: "2.1" })]);
    const v21 = await body(await cloud.request(V));
    expect(v21.body.version).toMatchObject({ id: "v2.1", status: "CURRENT", version: "2.79", min_version: "2.1", links: expect.arrayContaining([{ rel: "self", href: `${cloud.gateway.url}/compute/v2.1/` }]) });
  });

  it("is in the catalog as nova", async () => {
    const token = await body(await cloud.request("/identity/v3/auth/tokens", { token: cloud.adminToken, headers: { "x-subject-token": cloud.adminToken } }));
    const nova = token.body.token.catalog.find((service: { type: string }) => service.type === "compute");
    expect(nova).toMatchObject({ name: "nova" });
    expect(nova.endpoints[0].url).toBe(`${cloud.gateway.url}/compute/v2.1`);
  });
});

describe("microversion negotiation", () => {
  const flavors = (headers: Record<string, string>) => cloud.request(`${V}/flavors`, { token: cloud.adminToken, headers });

  it("serves 2.1 when none is asked and echoes it with Vary", async () => {
    const response = await flavors({});
    expect(response.status).toBe(200);
    expect(response.headers.get("openstack-api-version")).toBe("compute 2.1");
    expect(response.headers.get("x-openstack-nova-api-version")).toBe("2.1");
    expect(response.headers.get("vary")).toContain("OpenStack-API-Version");
    expect(response.headers.get("vary")).toContain("X-OpenStack-Nova-API-Version");
  });

  it("serves the version asked in either header, latest as the maximum", async () => {
    expect((await flavors(at("2.55"))).headers.get("openstack-api-version")).toBe("compute 2.55");
    expect((await flavors({ "OpenStack-API-Version": "volume 3.0, compute 2.60" })).headers.get("x-openstack-nova-api-version")).toBe("2.60");
    expect((await flavors({ "X-OpenStack-Nova-API-Version": "2.10" })).headers.get("openstack-api-version")).toBe("compute 2.10");
    expect((await flavors(at("latest"))).headers.get("openstack-api-version")).toBe("compute 2.79");
  });

  it("refuses versions out of range with 406 and malformed ones with 400, as Nova does", async () => {
    expect(await refused(406, "notAcceptable", () => flavors(at("2.80")))).toBe("Version 2.80 is not supported by the API. Minimum is 2.1 and maximum is 2.79.");
    expect(await refused(406, "notAcceptable", () => flavors(at("3.0")))).toContain("Minimum is 2.1 and maximum is 2.79");
    expect(await refused(406, "notAcceptable", () => flavors({ "X-OpenStack-Nova-API-Version": "2.0" }))).toContain("Version 2.0 is not supported");
    expect(await refused(400, "badRequest", () => flavors(at("2.x")))).toContain("is of invalid format");
  });

  it("needs a token below /v2.1", async () => {
    await refused(401, "unauthorized", () => cloud.request(`${V}/flavors`));
  });
});

describe("flavors", () => {
  const create = (flavor: Record<string, unknown>, token = cloud.adminToken, headers: Record<string, string> = {}) =>
    cloud.request(`${V}/flavors`, { method: "POST", token, headers, json: { flavor } });
  let id: string;

  it("creates a flavor with a generated uuid id and shows it as Nova does", async () => {
    const created = await body(await create({ name: "m1.spec", ram: 512, vcpus: 1, disk: 1, id: null }));
    expect(created.status).toBe(200);
    id = created.body.flavor.id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.body.flavor).toEqual({
      id, name: "m1.spec", ram: 512, disk: 1, vcpus: 1, swap: "", "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false,
      "os-flavor-access:is_public": true, rxtx_factor: 1.0,
      links: [{ rel: "self", href: `${cloud.gateway.url}/compute/v2.1/flavors/${id}` }, { rel: "bookmark", href: `${cloud.gateway.url}/compute/flavors/${id}` }],
    });
    const shown = await body(await cloud.request(`${V}/flavors/${id}`, { token: member.token, headers: at("2.75") }));
    expect(shown.body.flavor).toMatchObject({ id, swap: 0, description: null, extra_specs: {} });
  });

  it("takes a chosen id and a description from 2.55, and refuses a description before", async () => {
    const created = await body(await create({ name: "m1.described", ram: "1024", vcpus: 2, disk: 10, id: "42", description: "d", swap: 256 }, cloud.adminToken, at("2.55")));
    expect(created.body.flavor).toMatchObject({ id: "42", ram: 1024, swap: 256, description: "d" });
    await refused(400, "badRequest", () => create({ name: "m1.nodesc", ram: 1, vcpus: 1, disk: 0, description: "d" }));
  });

  it("lists, filters and pages", async () => {
    const list = await body(await cloud.request(`${V}/flavors`, { token: member.token }));
    expect(list.body.flavors.map((f: { id: string }) => f.id).sort()).toEqual(["42", id].sort());
    expect(Object.keys(list.body.flavors[0]).sort()).toEqual(["id", "links", "name"]);
    const big = await body(await cloud.request(`${V}/flavors/detail?minRam=1000`, { token: member.token }));
    expect(big.body.flavors.map((f: { name: string }) => f.name)).toEqual(["m1.described"]);
    expect((await body(await cloud.request(`${V}/flavors/detail?minDisk=5`, { token: member.token }))).body.flavors).toHaveLength(1);
    const page = await body(await cloud.request(`${V}/flavors?limit=1`, { token: member.token }));
    expect(page.body.flavors).toHaveLength(1);
    expect(page.body.flavors_links[0].href).toContain(`marker=${page.body.flavors[0].id}`);
    const next = await body(await cloud.request(`${V}/flavors?limit=1&marker=${page.body.flavors[0].id}`, { token: member.token }));
    expect(next.body.flavors[0].id).not.toBe(page.body.flavors[0].id);
    expect(await refused(400, "badRequest", () => cloud.request(`${V}/flavors?marker=nope`, { token: member.token }))).toBe("marker [nope] not found");
    await refused(400, "badRequest", () => cloud.request(`${V}/flavors?minRam=x`, { token: member.token }));
  });

  it("hides private flavors from members and lists them for admins with is_public", async () => {
    await body(await create({ name: "m1.private", ram: 64, vcpus: 1, disk: 0, id: "p1", "os-flavor-access:is_public": false }));
    expect((await body(await cloud.request(`${V}/flavors`, { token: member.token }))).body.flavors.map((f: { id: string }) => f.id)).not.toContain("p1");
    await refused(404, "itemNotFound", () => cloud.request(`${V}/flavors/p1`, { token: member.token }));
    const all = await body(await cloud.request(`${V}/flavors?is_public=none`, { token: cloud.adminToken }));
    expect(all.body.flavors.map((f: { id: string }) => f.id)).toContain("p1");
    const privateOnly = await body(await cloud.request(`${V}/flavors?is_public=false`, { token: cloud.adminToken }));
    expect(privateOnly.body.flavors.map((f: { id: string }) => f.id)).toEqual(["p1"]);
  });

  it("refuses a duplicate name or id with 409, bad sizes with 400, and members with 403", async () => {
    expect(await refused(409, "conflictingRequest", () => create({ name: "m1.spec", ram: 1, vcpus: 1, disk: 0 }))).toBe("Flavor with name m1.spec already exists.");
    await refused(409, "conflictingRequest", () => create({ name: "other", ram: 1, vcpus: 1, disk: 0, id: "42" }));
    await refused(400, "badRequest", () => create({ name: "zero", ram: 0, vcpus: 1, disk: 0 }));
    await refused(400, "badRequest", () => create({ name: "extra", ram: 1, vcpus: 1, disk: 0, color: "red" }));
    expect(await refused(403, "forbidden", () => create({ name: "mine", ram: 1, vcpus: 1, disk: 0 }, member.token))).toContain("os-flavor-manage:create");
    await refused(403, "forbidden", () => cloud.request(`${V}/flavors/${id}`, { method: "DELETE", token: member.token }));
  });

  it("sets, shows and unsets extra specs, admins only", async () => {
    const specs = `${V}/flavors/${id}/os-extra_specs`;
    const set = await body(await cloud.request(specs, { method: "POST", token: cloud.adminToken, json: { extra_specs: { "hw:cpu_policy": "shared", "hw:numa_nodes": 1 } } }));
    expect(set).toMatchObject({ status: 200, body: { extra_specs: { "hw:cpu_policy": "shared", "hw:numa_nodes": "1" } } });
    expect((await body(await cloud.request(specs, { token: member.token }))).body).toEqual({ extra_specs: { "hw:cpu_policy": "shared", "hw:numa_nodes": "1" } });
    expect((await body(await cloud.request(`${specs}/hw:cpu_policy`, { token: member.token }))).body).toEqual({ "hw:cpu_policy": "shared" });
    expect((await body(await cloud.request(`${V}/flavors/${id}`, { token: member.token, headers: at("2.61") }))).body.flavor.extra_specs).toEqual({ "hw:cpu_policy": "shared", "hw:numa_nodes": "1" });
    await refused(403, "forbidden", () => cloud.request(specs, { method: "POST", token: member.token, json: { extra_specs: { a: "b" } } }));
    expect((await cloud.request(`${specs}/hw:numa_nodes`, { method: "DELETE", token: cloud.adminToken })).status).toBe(200);
    await refused(404, "itemNotFound", () => cloud.request(`${specs}/hw:numa_nodes`, { method: "DELETE", token: cloud.adminToken }));
    await refused(404, "itemNotFound", () => cloud.request(`${specs}/hw:numa_nodes`, { token: cloud.adminToken }));
    await refused(404, "itemNotFound", () => cloud.request(`${V}/flavors/nope/os-extra_specs`, { method: "POST", token: cloud.adminToken, json: { extra_specs: { a: "b" } } }));
  });

  it("deletes a flavor, then does not find it", async () => {
    expect((await cloud.request(`${V}/flavors/42`, { method: "DELETE", token: cloud.adminToken })).status).toBe(202);
    expect(await refused(404, "itemNotFound", () => cloud.request(`${V}/flavors/42`, { token: cloud.adminToken }))).toBe("Flavor 42 could not be found.");
    await refused(404, "itemNotFound", () => cloud.request(`${V}/flavors/42`, { method: "DELETE", token: cloud.adminToken }));
  });
});

describe("key pairs", () => {
  const keypairs = `${V}/os-keypairs`;
  const create = (keypair: Record<string, unknown>, token = member.token, version = "2.2") =>
    cloud.request(keypairs, { method: "POST", token, headers: at(version), json: { keypair } });

  it("imports an OpenSSH public key with Nova's MD5 fingerprint", async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const { text, blob } = opensshRsa(publicKey);
    const created = await body(await create({ name: "imported", public_key: text }));
    expect(created.status).toBe(201);
    expect(created.body.keypair).toEqual({ name: "imported", public_key: text, fingerprint: md5Colons(blob), user_id: member.userId, type: "ssh" });
    const shown = await body(await cloud.request(`${keypairs}/imported`, { token: member.token, headers: at("2.2") }));
    expect(shown.body.keypair).toMatchObject({ name: "imported", fingerprint: md5Colons(blob), public_key: text, user_id: member.userId, type: "ssh" });
  });

  it("imports an Ed25519 key", async () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const blob = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]);
    const created = await body(await create({ name: "ed", public_key: `ssh-ed25519 ${blob.toString("base64")}` }));
    expect(created.body.keypair.fingerprint).toBe(md5Colons(blob));
  });

  it("generates an RSA pair whose private key matches the public key recorded", async () => {
    const created = await body(await create({ name: "generated" }));
    expect(created.status).toBe(201);
    const { private_key: pem, public_key: publicKey, fingerprint } = created.body.keypair;
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const privateKey = createPrivateKey(pem);
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const shown = await body(await cloud.request(`${keypairs}/generated`, { token: member.token }));
    expect(shown.body.keypair).not.toHaveProperty("private_key");
    expect(shown.body.keypair.public_key).toBe(publicKey);
    expect(shown.body.keypair.fingerprint).toBe(fingerprint);
    const { text, blob } = opensshRsa(createPublicKey(privateKey));
    expect(publicKey.split(" ").slice(0, 2)).toEqual(text.split(" ").slice(0, 2));
    expect(fingerprint).toBe(md5Colons(blob));
  });

  it("lists the caller's key pairs only, with type from 2.2", async () => {
    const listed = await body(await cloud.request(keypairs, { token: member.token, headers: at("2.2") }));
    expect(listed.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(["imported", "ed", "generated"]);
    expect(listed.body.keypairs[0].keypair.type).toBe("ssh");
    const old = await body(await cloud.request(keypairs, { token: member.token }));
    expect(old.body.keypairs[0].keypair).not.toHaveProperty("type");
    expect((await body(await cloud.request(keypairs, { token: cloud.adminToken }))).body.keypairs).toEqual([]);
    await refused(404, "itemNotFound", () => cloud.request(`${keypairs}/imported`, { token: cloud.adminToken }));
  });

  it("refuses bad keys, unsafe names and duplicates, appending nothing", async () => {
    expect(await refused(400, "badRequest", () => create({ name: "bad", public_key: "ssh-rsa AAAAnotakey" }))).toBe("Keypair data is invalid: failed to generate fingerprint");
    await refused(400, "badRequest", () => create({ name: "bad", public_key: "hello world" }));
    expect(await refused(400, "badRequest", () => create({ name: "bad/name" }))).toContain("unsafe characters");
    expect(await refused(409, "conflictingRequest", () => create({ name: "generated" }))).toBe("Key pair 'generated' already exists.");
  });

  it("deletes a key pair (204 from 2.2, 202 before)", async () => {
    expect((await cloud.request(`${keypairs}/ed`, { method: "DELETE", token: member.token, headers: at("2.2") })).status).toBe(204);
    expect((await cloud.request(`${keypairs}/generated`, { method: "DELETE", token: member.token })).status).toBe(202);
    await refused(404, "itemNotFound", () => cloud.request(`${keypairs}/ed`, { method: "DELETE", token: member.token }));
  });
});
