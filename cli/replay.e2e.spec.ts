/**
 * Acceptance: replay, time travel and verification over a log written by the real `openstack`
 * CLI against `weft up`. `weft verify` passes on the snapshots a cleanly stopped cloud leaves,
 * and fails naming the read model whose snapshot was tampered with; two `weft replay --out` runs
 * give the same hashes and byte-identical files, whose sha256 is the one printed; `weft show
 * --as-of` prints a server as it was before and after it was stopped.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pack, unpack } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };
const mainTs = fileURLToPath(new URL("./main.ts", import.meta.url));

let weft: WeftProcess;
let clouds: string;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const weftCommand = (args: ReadonlyArray<string>, dataDir = weft.dataDir) =>
  new Promise<Run>((resolve) => {
    execFile(process.execPath, [mainTs, ...args], { env: { ...process.env, WEFT_DATA_DIR: dataDir }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
    );
  });

/** `read model -> [events folded, position, sha256]` from `weft replay`'s table. */
const hashesOf = (stdout: string) =>
  Object.fromEntries(
    stdout
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => cells.length === 4 && /^[0-9a-f]{64}$/.test(cells[3]!))
      .map(([name, folded, position, sha256]) => [name!, { folded: Number(folded), position: Number(position), sha256: sha256! }]),
  );

let serverId: string;
let beforeStop: string;

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
  const imageFile = join(weft.home, "tiny.img");
  await writeFile(imageFile, Buffer.alloc(16 * 1024, 1));
  await os(["project", "create", "demo"]);
  await os(["user", "create", "--password", "s3cret", "alice"]);
  await os(["image", "create", "--file", imageFile, "--disk-format", "raw", "--container-format", "bare", "tiny"]);
  await os(["flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "m1.nano"]);
  // It prints the private key, not JSON.
  expect((await openstack(clouds, "weft", ["keypair", "create", "k1"])).code).toBe(0);
  serverId = (await os(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--key-name", "k1", "--wait", "web-1"])).id;
  beforeStop = new Date().toISOString();
  // The log's times are the gateway's clock, in milliseconds: step past this one.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect((await openstack(clouds, "weft", ["server", "stop", serverId])).code).toBe(0);
  for (let i = 0; i < 100 && (await os(["server", "show", serverId])).status !== "SHUTOFF"; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  // A clean stop writes every read model's snapshot at the head.
  expect(await weft.stop()).toBe(0);
}, 240_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("weft replay, show and verify", () => {
  it("verify passes on the snapshots weft up left", async () => {
    const run = await weftCommand(["verify"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const name of ["identity", "image", "compute", "placement"]) expect(run.stdout).toMatch(new RegExp(`^${name}\\s+match\\s+\\d+\\s+[0-9a-f]{64}`, "m"));
    expect(run.stdout).toContain("all 4 read models match");
  });

  it("replays twice to the same hashes and byte-identical files, whose sha256 is the one printed", async () => {
    const first = await weftCommand(["replay", "--out", join(weft.home, "one")]);
    const second = await weftCommand(["replay", "--until", "999999", "--out", join(weft.home, "two")]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const hashes = hashesOf(first.stdout);
    expect(Object.keys(hashes)).toEqual(["identity", "image", "compute", "placement", "scheduler", "hosts"]);
    expect(hashesOf(second.stdout)).toEqual(hashes);
    expect(hashes.compute!.folded).toBeGreaterThan(5);
    const files = (await readdir(join(weft.home, "one"))).sort();
    expect(files).toEqual(["compute.json", "hosts.json", "identity.json", "image.json", "placement.json", "scheduler.json"]);
    for (const file of files) {
      const bytes = await readFile(join(weft.home, "one", file));
      expect(bytes.equals(await readFile(join(weft.home, "two", file)))).toBe(true);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(hashes[file.replace(".json", "")]!.sha256);
    }
  });

  it("stops a time replay before the first event after the time", async () => {
    const atHead = hashesOf((await weftCommand(["replay"])).stdout);
    const before = hashesOf((await weftCommand(["replay", "--until", beforeStop])).stdout);
    expect(before.compute!.position).toBeLessThan(atHead.compute!.position);
    expect(before.compute!.sha256).not.toBe(atHead.compute!.sha256);
    expect(before.identity!.sha256).toBe(atHead.identity!.sha256);
    const bad = await weftCommand(["replay", "--until", "last tuesday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--until must be an ISO 8601 time");
  });

  it("shows a server as it was before and after it was stopped", async () => {
    const then = await weftCommand(["show", "server", serverId, "--as-of", beforeStop]);
    expect(then.code).toBe(0);
    expect(JSON.parse(then.stdout).server).toMatchObject({ id: serverId, name: "web-1", status: "ACTIVE", key_name: "k1", flavor: { original_name: "m1.nano" } });
    const now = await weftCommand(["show", "server", "web-1"]);
    expect(JSON.parse(now.stdout).server).toMatchObject({ id: serverId, status: "SHUTOFF", "OS-EXT-STS:vm_state": "stopped" });
    const keypair = JSON.parse((await weftCommand(["show", "keypair", "k1", "--as-of", beforeStop])).stdout).keypair;
    expect(keypair).toMatchObject({ name: "k1", public_key: expect.stringMatching(/^ssh-rsa /) });
    expect(JSON.stringify(keypair)).not.toContain("PRIVATE");
    expect(JSON.parse((await weftCommand(["show", "flavor", "m1.nano"])).stdout).flavor).toMatchObject({ name: "m1.nano", ram: 256, vcpus: 1 });
    expect(JSON.parse((await weftCommand(["show", "image", "tiny"])).stdout)).toMatchObject({ name: "tiny", status: "active" });
    expect(JSON.parse((await weftCommand(["show", "project", "demo"])).stdout).project).toMatchObject({ name: "demo", enabled: true });
    const user = JSON.parse((await weftCommand(["show", "user", "alice"])).stdout).user;
    expect(user).toMatchObject({ name: "alice", enabled: true });
    expect(JSON.stringify(user)).not.toMatch(/scrypt|password_hash|passwordHash/);
  });

  it("refuses a resource absent at the time, an unknown kind and a bad time", async () => {
    const early = await weftCommand(["show", "server", serverId, "--as-of", "2000-01-01T00:00:00Z"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`no server ${serverId} at 2000-01-01T00:00:00Z`);
    const unknownKind = await weftCommand(["show", "volume", "v1"]);
    expect(unknownKind.code).toBe(2);
    expect(unknownKind.stderr).toContain('unknown resource kind "volume"');
    const badTime = await weftCommand(["show", "server", serverId, "--as-of", "soon"]);
    expect(badTime.code).toBe(2);
  });

  it("verify fails naming the read model whose snapshot was tampered with", async () => {
    const path = join(weft.dataDir, "snapshots", "compute.v1.msgpack");
    const saved = unpack(await readFile(path)) as { position: number; snapshot: { flavors: Array<{ name: string }> } };
    saved.snapshot.flavors[0]!.name = "m1.tampered";
    await writeFile(path, pack(saved));
    const run = await weftCommand(["verify"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^compute\s+differs/m);
    expect(run.stdout).toMatch(/^identity\s+match/m);
    expect(run.stderr).toContain("1 read model(s) do not match the log: compute (differs)");
  });
});
