/**
 * Acceptance: the real Debian `openstack` CLI against `weft up` through the Glance workflow:
 * create with a file of random bytes, list, show (checksum and SHA-512 match the file), save and
 * compare, set properties and name, protection refusing delete, delete, and a restart keeping it all.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };

let weft: WeftProcess;
let clouds: string;
let file: string;
let bytes: Buffer;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);
const run = (args: ReadonlyArray<string>) => openstack(clouds, "weft", args);

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
  bytes = randomBytes(5 * 1024 * 1024 + 123);
  file = join(weft.home, "disk.raw");
  await writeFile(file, bytes);
}, 60_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("openstack image commands against weft up", () => {
  let id: string;

  it("finds the image service in the catalog", async () => {
    const catalog = await os(["catalog", "list"]);
    const image = catalog.find((entry: any) => entry.Type === "image");
    expect(image.Name).toBe("glance");
    expect(image.Endpoints.map((endpoint: any) => endpoint.url)).toContain(`${weft.url}/image`);
  });

  it("creates an image from a file and lists it active", async () => {
    const created = await os(["image", "create", "--file", file, "--disk-format", "raw", "--container-format", "bare", "e2e-image"]);
    expect(created).toMatchObject({ name: "e2e-image", disk_format: "raw", container_format: "bare", visibility: "private" });
    id = created.id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const listed = await os(["image", "list"]);
    expect(listed).toEqual(expect.arrayContaining([{ ID: id, Name: "e2e-image", Status: "active" }]));
    expect(await readdir(join(weft.dataDir, "images"))).toEqual([id]);
  });

  it("shows the size, the MD5 checksum and the SHA-512 multihash of the file", async () => {
    const shown = await os(["image", "show", "e2e-image"]);
    expect(shown).toMatchObject({ id, status: "active", size: bytes.byteLength, checksum: createHash("md5").update(bytes).digest("hex") });
    expect(shown.properties).toMatchObject({ os_hash_algo: "sha512", os_hash_value: createHash("sha512").update(bytes).digest("hex") });
  });

  it("saves the image to a file byte for byte", async () => {
    const out = join(weft.home, "saved.raw");
    const saved = await run(["image", "save", "--file", out, "e2e-image"]);
    expect(saved.code, saved.stderr).toBe(0);
    expect((await readFile(out)).equals(bytes)).toBe(true);
  });

  it("sets properties and a new name", async () => {
    const set = await run(["image", "set", "--property", "os_distro=cirros", "--property", "hw_disk_bus=virtio", "--name", "e2e-renamed", "e2e-image"]);
    expect(set.code, set.stderr).toBe(0);
    const shown = await os(["image", "show", id]);
    expect(shown.name).toBe("e2e-renamed");
    expect(shown.properties).toMatchObject({ os_distro: "cirros", hw_disk_bus: "virtio" });
    const unset = await run(["image", "unset", "--property", "hw_disk_bus", "e2e-renamed"]);
    expect(unset.code, unset.stderr).toBe(0);
    expect((await os(["image", "show", id])).properties).not.toHaveProperty("hw_disk_bus");
  });

  it("keeps the image and its bytes across a restart", async () => {
    expect(await weft.stop("SIGTERM")).toBe(0);
    weft = await startWeft({ dataDir: weft.dataDir, home: weft.home });
    clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
    expect(await os(["image", "show", id])).toMatchObject({ name: "e2e-renamed", status: "active", checksum: createHash("md5").update(bytes).digest("hex") });
    const out = join(weft.home, "after-restart.raw");
    expect((await run(["image", "save", "--file", out, id])).code).toBe(0);
    expect((await readFile(out)).equals(bytes)).toBe(true);
  });

  it("refuses to delete a protected image, then deletes it and its bytes", async () => {
    expect((await run(["image", "set", "--protected", id])).code).toBe(0);
    const refused = await run(["image", "delete", id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/403/);
    expect((await run(["image", "set", "--unprotected", id])).code).toBe(0);
    const deleted = await run(["image", "delete", id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await os(["image", "list"])).map((image: any) => image.ID)).not.toContain(id);
    expect((await run(["image", "show", id])).code).not.toBe(0);
    expect(await readdir(join(weft.dataDir, "images"))).toEqual([]);
  });
});
