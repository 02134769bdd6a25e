/**
 * Metering bench: 10,000 servers over 30 simulated days, as CloudEvents fed to the pure fold
 * (projections/metering), with churn: creation times spread over the month before and the month
 * metered, lifetimes of hours (40%), days (40%) or the whole month (20%), a third of them stopped
 * and started again, 100 projects of skewed sizes (the biggest holds about a tenth of the
 * servers). Then a project-month usage query, Nova's `GET /compute/v2.1/os-simple-tenant-usage/
 * {project}` (every server detailed, as `openstack usage show` asks) through the metering routes
 * in-process (`app.request`, the token check stubbed), and the same query as a function call;
 * the admin list of every project over the month; and the checkpoint (msgpack) size and write.
 * Deterministic (seeded). Run from the repository root: `node_modules/.bin/node bench/metering.bench.ts`.
 */
import { Packr } from "msgpackr";
import { foldMetering, initialMeteringDocument, meteringToSnapshot, usageForPeriod, type MeteredEvent } from "@weft/projections/metering";
import { meterApp } from "../gateways/metering/routes.ts";
import { report, Samples } from "./stats.ts";

const SERVERS = 10_000;
const PROJECTS = 100;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const QUERIES = 2_000;
const monthStart = Date.UTC(2030, 0, 1);
const monthEnd = monthStart + 30 * DAY;

// mulberry32: the same cloud on every run.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const exponential = (mean: number) => -Math.log(1 - random()) * mean;
const hex = () => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");

const flavors = [
  { flavorId: "1", name: "m1.tiny", vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
  { flavorId: "2", name: "m1.small", vcpus: 1, ramMb: 2048, diskGb: 20, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
  { flavorId: "3", name: "m1.medium", vcpus: 2, ramMb: 4096, diskGb: 40, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
  { flavorId: "4", name: "m1.large", vcpus: 4, ramMb: 8192, diskGb: 80, ephemeralGb: 10, swapMb: 0, extraSpecs: {} },
];
const projects = Array.from({ length: PROJECTS }, hex);

interface Timed { readonly at: number; readonly type: string; readonly serverId: string; readonly data: object }
const timeline: Timed[] = [];
for (let index = 0; index < SERVERS; index += 1) {
  const serverId = crypto.randomUUID();
  // Skewed: project 0 gets about a tenth of the servers, the tail a handful each.
  const projectId = projects[Math.floor(PROJECTS * random() ** 2.5)]!;
  const flavor = flavors[Math.floor(random() * flavors.length)]!;
  const created = monthStart - 30 * DAY + random() * 60 * DAY;
  const spawned = created + 20_000 + random() * 40_000;
  const kind = random();
  const lifetime = kind < 0.4 ? exponential(6 * HOUR) : kind < 0.8 ? exponential(5 * DAY) : Number.POSITIVE_INFINITY;
  const deleted = spawned + lifetime;
  timeline.push({ at: created, type: "ServerBuildRequested", serverId, data: { projectId, userId: hex(), name: `vm-${index}`, flavor, requestedAt: new Date(created).toISOString() } });
  timeline.push({ at: created + 1_000, type: "ServerScheduled", serverId, data: { host: "host-1", providerId: "rp", availabilityZone: "nova" } });
  timeline.push({ at: spawned, type: "ServerSpawned", serverId, data: {} });
  if (random() < 1 / 3) {
    const stopped = spawned + random() * Math.min(lifetime, 10 * DAY);
    const started = stopped + exponential(12 * HOUR);
    if (started < Math.min(deleted, monthEnd)) {
      timeline.push({ at: stopped, type: "ServerStopped", serverId, data: {} });
      timeline.push({ at: started, type: "ServerStarted", serverId, data: {} });
    }
  }
  if (deleted < monthEnd) timeline.push({ at: deleted, type: "ServerDeleted", serverId, data: { projectId, providerId: "rp" } });
}
timeline.sort((a, b) => a.at - b.at);
const events: MeteredEvent[] = timeline.map((event, index) => ({
  type: `weft.compute.${event.type}`,
  subject: event.serverId,
  time: new Date(event.at).toISOString(),
  weftposition: index + 1,
  data: { serverId: event.serverId, ...event.data },
}));

const heapBefore = process.memoryUsage().heapUsed;
const foldStart = performance.now();
const doc = foldMetering(initialMeteringDocument(), events);
const foldMs = performance.now() - foldStart;
globalThis.gc?.();
report("metering_servers", SERVERS);
report("metering_events", events.length);
report("metering_fold_ms", foldMs, 1);
report("metering_fold_events_per_s", events.length / (foldMs / 1000));
report("metering_document_heap_mb", (process.memoryUsage().heapUsed - heapBefore) / 1e6, 1);

const sizes = projects.map((projectId) => [projectId, doc.usage.get(projectId)?.size ?? 0] as const).sort((a, b) => b[1] - a[1]);
const [biggest, biggestSize] = sizes[0]!;
const median = sizes[Math.floor(sizes.length / 2)]!;
report("metering_biggest_project_servers", biggestSize);
report("metering_median_project_servers", median[1]);
const month = { start: monthStart, end: monthEnd };
report("metering_biggest_project_month_servers_billed", usageForPeriod(doc, month, { projectId: biggest }).servers.length);

const app = meterApp({
  publicUrl: "http://bench",
  meter: () => doc,
  now: () => monthEnd,
  authenticate: () => ({ userId: "bench", projectId: biggest, roleNames: ["admin"] }),
});
const novaTime = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const headers = { "x-auth-token": "bench", "openstack-api-version": "compute 2.79" };

const measure = async (name: string, operation: () => unknown) => {
  for (let i = 0; i < 200; i += 1) await operation();
  const samples = new Samples(QUERIES);
  for (let i = 0; i < QUERIES; i += 1) {
    const start = performance.now();
    await operation();
    samples.add(performance.now() - start);
  }
  report(`${name}_p50_ms`, samples.percentile(50), 3);
  report(`${name}_p99_ms`, samples.percentile(99), 3);
};

const showPath = (projectId: string) => `/compute/v2.1/os-simple-tenant-usage/${projectId}?start=${novaTime(monthStart)}&end=${novaTime(monthEnd)}`;
const show = async (projectId: string) => {
  const response = await app.request(showPath(projectId), { headers });
  if (response.status !== 200) throw new Error(`usage show answered ${response.status}`);
  return response.json();
};
await measure("metering_project_month_http_biggest", () => show(biggest));
await measure("metering_project_month_http_median", () => show(median[0]));
await measure("metering_project_month_function_biggest", () => usageForPeriod(doc, month, { projectId: biggest }));
await measure("metering_all_projects_month_http", async () => {
  const response = await app.request(`/compute/v2.1/os-simple-tenant-usage?start=${novaTime(monthStart)}&end=${novaTime(monthEnd)}`, { headers });
  return response.json();
});

const packStart = performance.now();
const bytes = new Packr({ useRecords: true }).pack({ position: doc.position, snapshot: meteringToSnapshot(doc) });
report("metering_checkpoint_encode_ms", performance.now() - packStart, 1);
report("metering_checkpoint_mb", bytes.length / 1e6, 2);
