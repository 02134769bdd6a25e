/**
 * Servers end to end on the all-in-one: `node cli/main.ts up` is spawned on a fresh data dir (its
 * fake-driver agent boots with zero delay), with `weft agent --fake --count 9` beside it so ten
 * default-sized fake hosts hold the 10,000 servers, and driven over HTTP as a client would, with
 * an admin token and an unlimited quota.
 *
 * - `POST /servers` → 202 latency under 50 concurrent clients (p50, p99);
 * - a burst of 1,000 creates, 50 in flight: time until every one is ACTIVE, then 1,000 deletes
 *   until every one is gone;
 * - with 10,000 servers present: `GET /servers/detail?limit=1000` latency (p50, p99), and the
 *   resident memory of the weft process (the private nats-server is its own process and listed apart).
 *
 * Run from the repository root: `node_modules/.bin/node bench/servers.bench.ts` (SERVERS_TOTAL
 * changes the 10,000; SERVERS_STOP_AFTER=paced stops after the two POST phases). The paced phase
 * also reports the cores each process used, and weft up's gateway thread alone.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { report, Samples, timed } from "./stats.ts";
import { weftNodeOptions } from "../cli/nodeOptions.ts";

const TOTAL = Number(process.env.SERVERS_TOTAL ?? 10_000);
class StopAfterPaced extends Error {}
const CLIENTS = 50;
const BURST = 1_000;
const PASSWORD = "bench-admin-password";
const mainTs = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

// A run before this one leaves hundreds of MB of dirty pages (its 10,000 servers' log and
// JetStream files, deleted or not); their writeback during this run's paced phase stalled NATS
// and turned its p99 from ~20 ms into ~80 ms. Flushed first, so each run measures only itself.
execFileSync("sync");
const dataDir = await mkdtemp(join(tmpdir(), "weft-bench-servers-"));
const port = await freePort();
const child = spawn(process.execPath, [...weftNodeOptions, mainTs, "up"], {
  env: { ...process.env, HOME: dataDir, WEFT_DATA_DIR: join(dataDir, "data"), WEFT_HTTP_PORT: String(port), WEFT_ADMIN_PASSWORD: PASSWORD },
  stdio: ["ignore", "pipe", "inherit"],
});
let output = "";
child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
const started = performance.now();
while (!output.includes("Weft is up")) {
  if (child.exitCode !== null || performance.now() - started > 60_000) throw new Error(`weft up did not start:\n${output}`);
  await new Promise((resolve) => setTimeout(resolve, 25));
}
const base = `http://127.0.0.1:${port}`;
const natsUrl = /NATS:\s+(\S+)/.exec(output)?.[1];
if (natsUrl === undefined) throw new Error(`no NATS URL in:\n${output}`);
const agents = spawn(process.execPath, [...weftNodeOptions, mainTs, "agent", "--host", "bench", "--fake", "--count", "9"], {
  env: { ...process.env, WEFT_NATS_URL: natsUrl, WEFT_DATA_DIR: join(dataDir, "agents") },
  stdio: ["ignore", "inherit", "inherit"],
});

const call = async (method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { "x-auth-token": token }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      "openstack-api-version": "compute 2.79",
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  return response;
};

const expectStatus = async (response: Response, status: number, what: string) => {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
};

try {
  const login = await call("POST", "/identity/v3/auth/tokens", undefined, {
    auth: { identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: PASSWORD } } }, scope: { project: { name: "admin", domain: { id: "default" } } } },
  });
  await expectStatus(login, 201, "login");
  const token = login.headers.get("x-subject-token")!;
  const { token: claims } = (await login.json()) as { token: { project: { id: string } } };
  const projectId = claims.project.id;

  await expectStatus(await call("PUT", `/compute/v2.1/os-quota-sets/${projectId}`, token, { quota_set: { instances: -1, cores: -1, ram: -1 } }), 200, "quota");
  const flavor = (await (await expectStatus(await call("POST", "/compute/v2.1/flavors", token, { flavor: { name: "bench.nano", ram: 64, vcpus: 1, disk: 0 } }), 200, "flavor")).json()) as { flavor: { id: string } };
  const image = (await (await expectStatus(await call("POST", "/image/v2/images", token, { name: "bench", disk_format: "raw", container_format: "bare" }), 201, "image")).json()) as { id: string };
  await expectStatus(await call("PUT", `/image/v2/images/${image.id}/file`, token, new Uint8Array(4096), { "content-type": "application/octet-stream" }), 204, "upload");

  const waitUntil = async (predicate: () => Promise<boolean>, what: string, limitMs = 120_000) => {
    const from = performance.now();
    while (!(await predicate())) {
      if (performance.now() - from > limitMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return performance.now() - from;
  };
  await waitUntil(async () => {
    const { services } = (await (await call("GET", "/compute/v2.1/os-services", token)).json()) as { services: Array<{ binary: string; state: string }> };
    return services.filter((service) => service.binary === "nova-compute" && service.state === "up").length === 10;
  }, "ten compute hosts up");
  // Wait for the agent's host to be up in the scheduler's eyes: one server must boot.
  const boot = { server: { name: "bench", flavorRef: flavor.flavor.id, imageRef: image.id, networks: "none" } };
  interface Page {
    readonly servers: ReadonlyArray<unknown>;
    readonly servers_links?: ReadonlyArray<{ readonly href: string }>;
  }
  /** How many servers a filtered list holds, following every page. */
  const countWith = async (query: string) => {
    let path = `/compute/v2.1/servers?limit=1000&${query}`;
    let count = 0;
    for (;;) {
      const page = (await (await call("GET", path, token)).json()) as Page;
      count += page.servers.length;
      const next = page.servers_links?.[0];
      if (next === undefined) return count;
      const url = new URL(next.href);
      path = `${url.pathname}${url.search}`;
    }
  };

  const create = async () => {
    const response = await call("POST", "/compute/v2.1/servers", token, boot);
    await expectStatus(response, 202, "create");
    return ((await response.json()) as { server: { id: string } }).server.id;
  };
  const first = await create();
  await waitUntil(async () => ((await (await call("GET", `/compute/v2.1/servers/${first}`, token)).json()) as { server: { status: string } }).server.status === "ACTIVE", "the first server");

  /** Runs `count` operations with `inFlight` at a time. */
  const pool = async (count: number, inFlight: number, operation: (index: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) await operation(next++);
    }));
  };

  // POST latency under 50 concurrent clients: first closed-loop (each sends its next request as
  // soon as its last is answered, so the latency is the queue the cloud's throughput makes),
  // then paced at 100 creates/s in all (2/s each), the rate the burst figure asks to sustain.
  const closed = new Samples(2_000);
  const closedStart = performance.now();
  await pool(1_000, CLIENTS, async () => {
    const { ms } = await timed(create);
    closed.add(ms);
  });
  report("servers_post_202_50_clients_closed_loop_per_s", (1_000 / (performance.now() - closedStart)) * 1_000);
  report("servers_post_202_50_clients_closed_loop_p50_ms", closed.percentile(50), 2);
  report("servers_post_202_50_clients_closed_loop_p99_ms", closed.percentile(99), 2);
  await waitUntil(async () => (await countWith("status=ACTIVE")) === 1_001, "the closed-loop round to be ACTIVE");
  // Cores used during the paced phase, per process, and by weft up's gateway thread alone
  // (its main thread: the task whose id is the process's).
  const cpuMsOf = (stat: string) => {
    const fields = readFileSync(stat, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const natsPid = Number(readFileSync(join(dataDir, "data", "nats-server.pid"), "utf8").trim());
  const stats = {
    weft_up: `/proc/${child.pid}/stat`,
    weft_up_gateway_thread: `/proc/${child.pid}/task/${child.pid}/stat`,
    agents: `/proc/${agents.pid}/stat`,
    nats_server: `/proc/${natsPid}/stat`,
  };
  const cpuBefore = Object.fromEntries(Object.entries(stats).map(([name, stat]) => [name, cpuMsOf(stat)]));
  const pacedFrom = performance.now();
  const paced = new Samples(2_000);
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    await new Promise((resolve) => setTimeout(resolve, (client * 500) / CLIENTS));
    for (let i = 0; i < 20; i++) {
      const due = performance.now() + 500;
      const { ms } = await timed(create);
      paced.add(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
  }));
  const pacedMs = performance.now() - pacedFrom;
  for (const [name, stat] of Object.entries(stats)) report(`servers_paced_cpu_cores_${name}`, (cpuMsOf(stat) - cpuBefore[name]!) / pacedMs, 3);
  report("servers_post_202_50_clients_100_per_s_p50_ms", paced.percentile(50), 2);
  report("servers_post_202_50_clients_100_per_s_p99_ms", paced.percentile(99), 2);
  await waitUntil(async () => (await countWith("status=ACTIVE")) === 2_001, "the paced round to be ACTIVE");
  // SERVERS_STOP_AFTER=paced: the two POST phases alone (a minute instead of several).
  if (process.env.SERVERS_STOP_AFTER === "paced") throw new StopAfterPaced();

  // Burst: 1,000 creates until ACTIVE, then 1,000 deletes until gone.
  const before = await countWith("status=ACTIVE");
  const ids: Array<string> = [];
  const burstStart = performance.now();
  await pool(BURST, CLIENTS, async () => void ids.push(await create()));
  const accepted = performance.now() - burstStart;
  await waitUntil(async () => (await countWith("status=ACTIVE")) === before + BURST, "the burst to be ACTIVE");
  const allActive = performance.now() - burstStart;
  report("servers_burst_1000_accepted_ms", accepted);
  report("servers_burst_1000_all_active_ms", allActive);
  report("servers_burst_active_per_s", (BURST / allActive) * 1_000);
  const deleteStart = performance.now();
  await pool(ids.length, CLIENTS, async (i) => void (await expectStatus(await call("DELETE", `/compute/v2.1/servers/${ids[i]}`, token), 204, "delete")));
  await waitUntil(async () => (await countWith("")) === before, "the burst to be gone");
  report("servers_burst_1000_all_deleted_ms", performance.now() - deleteStart);

  // Fill to TOTAL and read big pages.
  const present = await countWith("");
  await pool(TOTAL - present, CLIENTS, async () => void (await create()));
  await waitUntil(async () => (await countWith("status=ACTIVE")) >= TOTAL, `${TOTAL} servers ACTIVE`, 600_000);
  const pages = new Samples(100);
  for (let i = 0; i < 30; i++) {
    const { ms, value } = await timed(async () => {
      const response = await call("GET", "/compute/v2.1/servers/detail?limit=1000", token);
      return ((await response.json()) as { servers: Array<unknown> }).servers.length;
    });
    if (value !== 1_000) throw new Error(`a page held ${value} servers`);
    pages.add(ms);
  }
  report(`servers_detail_limit_1000_of_${TOTAL}_p50_ms`, pages.percentile(50), 1);
  report(`servers_detail_limit_1000_of_${TOTAL}_p99_ms`, pages.percentile(99), 1);
  const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
  report(`weft_up_rss_with_${TOTAL}_servers_mb`, rss(child.pid!));
  if (Number.isInteger(natsPid)) report(`nats_server_rss_with_${TOTAL}_servers_mb`, rss(natsPid));
} catch (error) {
  if (!(error instanceof StopAfterPaced)) throw error;
} finally {
  agents.kill("SIGTERM");
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  await rm(dataDir, { recursive: true, force: true });
}
