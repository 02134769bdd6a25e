/**
 * Acceptance: the real Debian `openstack` CLI against `weft up` through Nova's flavors and key
 * pairs: the catalog names nova; flavor create (with an extra spec), list, show, delete; keypair
 * create (generated, private key printed), import from a public key file, list, show, delete.
 */
import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };

let weft: WeftProcess;
let clouds: string;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);
const run = (args: ReadonlyArray<string>) => openstack(clouds, "weft", args);

/** An OpenSSH `ssh-rsa` public key and its Nova fingerprint, built here with node:crypto. */
const sshPublicKey = () => {
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });
  const str = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const int = (b64: string) => {
    const bytes = Buffer.from(b64, "base64url");
    return str(bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
  };
  const blob = Buffer.concat([str(Buffer.from("ssh-rsa")), int(jwk.e!), int(jwk.n!)]);
  return { text: `ssh-rsa ${blob.toString("base64")} e2e@weft`, fingerprint: createHash("md5").update(blob).digest("hex").match(/../g)!.join(":") };
};

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
}, 60_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("openstack flavor commands against weft up", () => {
  it("finds nova in the catalog", async () => {
    const catalog = await os(["catalog", "list"]);
    const compute = catalog.find((entry: any) => entry.Type === "compute");
    expect(compute.Name).toBe("nova");
    expect(compute.Endpoints.map((endpoint: any) => endpoint.url)).toContain(`${weft.url}/compute/v2.1`);
  });

  it("creates a flavor with an extra spec", async () => {
    const created = await os(["flavor", "create", "--ram", "512", "--vcpus", "1", "--disk", "1", "--property", "hw:cpu_policy=shared", "m1.test"]);
    expect(created).toMatchObject({ name: "m1.test", ram: 512, vcpus: 1, disk: 1 });
    expect(JSON.stringify(created.properties)).toContain("hw:cpu_policy");
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lists and shows it", async () => {
    const listed = await os(["flavor", "list"]);
    expect(listed).toEqual([expect.objectContaining({ Name: "m1.test", RAM: 512, Disk: 1, VCPUs: 1, "Is Public": true })]);
    const shown = await os(["flavor", "show", "m1.test"]);
    expect(shown).toMatchObject({ name: "m1.test", ram: 512, vcpus: 1, disk: 1, "os-flavor-access:is_public": true });
    expect(JSON.stringify(shown.properties)).toContain("shared");
  });

  it("refuses a duplicate name", async () => {
    const again = await run(["flavor", "create", "--ram", "512", "--vcpus", "1", "--disk", "1", "m1.test"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already exists");
  });

  it("deletes it", async () => {
    const deleted = await run(["flavor", "delete", "m1.test"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await os(["flavor", "list"])).toEqual([]);
  });
});

describe("openstack keypair commands against weft up", () => {
  it("creates a key pair and prints its private key", async () => {
    const created = await run(["keypair", "create", "k1"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("-----BEGIN RSA PRIVATE KEY-----");
    const privateKey = createPrivateKey(created.stdout.slice(created.stdout.indexOf("-----BEGIN")));
    expect(privateKey.asymmetricKeyType).toBe("rsa");
  });

  it("imports a public key from a file with Nova's fingerprint", async () => {
    const { text, fingerprint } = sshPublicKey();
    const file = join(weft.home, "k2.pub");
    await writeFile(file, `${text}\n`);
    const created = await os(["keypair", "create", "--public-key", file, "k2"]);
    expect(created).toMatchObject({ name: "k2", fingerprint });
    const shown = await os(["keypair", "show", "k2"]);
    expect(shown).toMatchObject({ name: "k2", fingerprint });
  });

  it("lists both and deletes them", async () => {
    const listed = await os(["keypair", "list"]);
    expect(listed.map((entry: any) => entry.Name).sort()).toEqual(["k1", "k2"]);
    const deleted = await run(["keypair", "delete", "k1", "k2"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await os(["keypair", "list"])).toEqual([]);
  });
});
