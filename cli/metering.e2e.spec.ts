/**
 * Acceptance of the metering service: the real `openstack usage list` and `openstack usage show`
 * against `weft up` (the meter in-process) after servers booted and deleted through the CLI, and
 * a standalone `weft meter` following the same cloud, killed with SIGKILL while servers are being
 * booted and restarted from its checkpoint: its totals then equal the in-process meter's. (The
 * brute-force check of the totals against the raw log is gateways/metering/metering.int.spec.ts.)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meterCheckpointFile } from "@weft/infra/metering";
import { weftNodeOptions } from "./nodeOptions.ts";
import { freePort, makeTempDir, openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };
const mainTs = fileURLToPath(new URL("./main.ts", import.meta.url));

let weft: WeftProcess;
let clouds: string;
let meterDataDir: string;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);
const run = (args: ReadonlyArray<string>) => openstack(clouds, "weft", args);

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const period = ["--start", day(-1), "--end", day(2)];

const token = async () => (await os(["token", "issue"])).id as string;
const adminProjectId = async () => (await os(["project", "show", "admin"])).id as string;

const spawnMeter = (port: number, password = ADMIN.password): ChildProcess =>
  spawn(process.execPath, [...weftNodeOptions, mainTs, "meter"], {
    env: { ...process.env, WEFT_DATA_DIR: meterDataDir, WEFT_GATEWAY_URL: weft.url, WEFT_ADMIN_PASSWORD: password, WEFT_METER_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });

/** `weft meter` as its own process, joined to `weft up` by the gateway URL. */
const startMeter = async (port: number) => {
  const child = spawnMeter(port);
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!output.includes("weft meter: serving")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`weft meter did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { url: `http://127.0.0.1:${port}`, kill: async (signal: NodeJS.Signals) => (child.kill(signal), await exited), output: () => output };
};

/** Now, in Nova's query format: a period ending here counts the same in every later request. */
const novaNow = () => new Date().toISOString().slice(0, 23);

/**
 * Nova's report of one project from a meter's own port, polled until `accept` takes it (the
 * test's timeout bounds it). Usage counts to now, so reports taken at different moments agree
 * only for a period that ended before both: `end`.
 */
const usageFrom = async (url: string, project: string, accept: (usage: Record<string, unknown>) => boolean = () => true, end = `${day(2)}T00:00:00`) => {
  const query = `start=${day(-1)}T00:00:00&end=${end}`;
  // One token for the whole poll: each `token issue` is a Python process of a second or more.
  const headers = { "x-auth-token": await token() };
  for (;;) {
    const response = await fetch(`${url}/compute/v2.1/os-simple-tenant-usage/${project}?${query}`, { headers });
    if (response.status === 200) {
      const usage = ((await response.json()) as { tenant_usage: Record<string, unknown> }).tenant_usage;
      if (accept(usage)) return usage;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};
const sameTotals = (expected: Record<string, unknown>) => (usage: Record<string, unknown>) => JSON.stringify(totalsOf(usage)) === JSON.stringify(totalsOf(expected));
const totalsOf = (usage: Record<string, unknown>) => ({
  hours: usage.total_hours, vcpus: usage.total_vcpus_usage, ram: usage.total_memory_mb_usage, disk: usage.total_local_gb_usage,
  servers: (usage.server_usages as unknown[] | undefined)?.length,
});

beforeAll(async () => {
  weft = await startWeft();
  meterDataDir = await makeTempDir("weft-e2e-meter-");
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
  const imageFile = join(weft.home, "tiny.img");
  await writeFile(imageFile, Buffer.alloc(64 * 1024, 1));
  await os(["image", "create", "--file", imageFile, "--disk-format", "raw", "--container-format", "bare", "--public", "tiny"]);
  await os(["flavor", "create", "--ram", "256", "--vcpus", "2", "--disk", "1", "m1.metered"]);
}, 120_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home, meterDataDir);
});

describe("openstack usage against weft up", () => {
  it("lists and shows each project's usage from the servers' lives", async () => {
    for (const name of ["metered-1", "metered-2"]) await os(["server", "create", "--flavor", "m1.metered", "--image", "tiny", "--nic", "none", "--wait", name]);
    expect((await run(["server", "delete", "--wait", "metered-2"])).code).toBe(0);

    const listed = await os(["usage", "list", ...period]);
    expect(listed).toHaveLength(1);
    // The period ends the day after tomorrow, but a running server counts to now, as in Nova:
    // both servers lived minutes, at 2 vCPUs each.
    const project = await adminProjectId();
    expect(listed[0].Project).toBe(project);
    expect(listed[0].Servers.map((server: any) => [server.name, server.state])).toEqual([["metered-1", "active"], ["metered-2", "terminated"]]);
    const cpuHours = Number(listed[0]["CPU Hours"]);
    expect(cpuHours).toBeGreaterThan(0);
    expect(cpuHours).toBeLessThan(2 * 2 * 0.5);
    expect(Number(listed[0]["RAM MB-Hours"])).toBeCloseTo(cpuHours * 128, -1);

    const shown = await os(["usage", "show", "--project", "admin", ...period]);
    expect(shown).toMatchObject({ Project: project });
    // Asked a little later, the running server has run a little longer.
    expect(Number(shown["CPU Hours"])).toBeCloseTo(cpuHours, 1);
    expect(shown.Servers).toHaveLength(2);

    // The table names the project and counts its servers.
    const table = await run(["usage", "list", ...period]);
    expect(table.stdout).toContain(`Usage from ${day(-1)} to ${day(2)}`);
    expect(table.stdout).toMatch(/\|\s+admin\s+\|\s+2\s+\|/);
  });

  it("lists the metering API in the catalog and serves it, and /metrics, from weft up", async () => {
    const catalog = await os(["catalog", "show", "metering"]);
    const endpoint = catalog.endpoints.find((entry: any) => entry.interface === "public").url as string;
    expect(endpoint).toBe(`${weft.url}/metering/v1`);
    const headers = { "x-auth-token": await token() };
    const usage = (await (await fetch(`${endpoint}/projects/${await adminProjectId()}/usage?start=${day(-1)}T00:00:00Z`, { headers })).json()) as any;
    expect(usage.usage.flavors.map((flavor: any) => flavor.flavor_name)).toEqual(["m1.metered"]);
    expect(usage.usage.vcpu_hours).toBeGreaterThan(0);
    const metrics = await (await fetch(`${weft.url}/metrics`, { headers })).text();
    expect(metrics).toMatch(/^weft_servers\{status="ACTIVE"\} 1$/m);
  });

  it("refuses a period that ends before it starts with Nova's message", async () => {
    const backwards = await run(["usage", "list", "--start", day(2), "--end", day(-1)]);
    expect(backwards.code).not.toBe(0);
    expect(backwards.stderr).toContain("Invalid start time. The start time cannot occur after the end time.");
  });
});

describe("weft meter on its own", () => {
  it("stops with the reason when the cloud refuses its login", async () => {
    const child = spawnMeter(await freePort(), "wrong-password");
    let output = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(output).toContain("weft meter: the cloud refused the meter: login as admin refused by Keystone (401)");
  });

  it("keeps exact totals across a SIGKILL mid-stream", async () => {
    const project = await adminProjectId();
    const port = await freePort();
    const first = await startMeter(port);
    const settled = novaNow();
    const before = await usageFrom(weft.url, project, () => true, settled);
    expect(totalsOf(await usageFrom(first.url, project, sameTotals(before), settled))).toEqual(totalsOf(before));

    const booting = (async () => {
      for (const name of ["metered-3", "metered-4", "metered-5"]) await os(["server", "create", "--flavor", "m1.metered", "--image", "tiny", "--nic", "none", "--wait", name]);
      expect((await run(["server", "delete", "--wait", "metered-3"])).code).toBe(0);
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await first.kill("SIGKILL");
    expect(existsSync(join(meterDataDir, "meter", meterCheckpointFile))).toBe(true);
    await booting;

    const terminated = (usage: Record<string, unknown>) => (usage.server_usages as Array<Record<string, unknown>>).filter((server) => server.state === "terminated").length;
    await usageFrom(weft.url, project, (usage) => terminated(usage) === 2);
    const done = novaNow();
    const after = await usageFrom(weft.url, project, () => true, done);
    expect(totalsOf(after).servers).toBe(5);
    const second = await startMeter(port);
    expect(totalsOf(await usageFrom(second.url, project, sameTotals(after), done))).toEqual(totalsOf(after));
    // Nothing counted twice: every server once, each with the in-process meter's hours.
    const servers = (usage: Record<string, unknown>) => JSON.stringify((usage.server_usages as Array<Record<string, unknown>>).map((server) => [server.instance_id, server.hours]));
    expect(servers(await usageFrom(second.url, project, () => true, done))).toBe(servers(after));
    await second.kill("SIGTERM");
  });
});
