/**
 * The scheduler's decision with 1,000 hosts (issue target: p99 <= 5 ms): the view folded from
 * the events a cloud of that size has, then `placeServer` (candidates from the view, filters,
 * weighers, ranking) timed per build, after a warm-up. Pure code, no I/O: this is the part of
 * scheduling that grows with the number of hosts. Prints `name: value` lines.
 * Run from the repo root: `npx node bench/scheduler.bench.ts`.
 */
import type { ServerBuildRequested } from "../domain/compute/index.ts";
import type { Inventory } from "../domain/placement/index.ts";
import { evolveSchedulerView, initialSchedulerView, placeServer, type SchedulerEvent } from "../domain/scheduler/index.ts";
import { report, Samples } from "./stats.ts";

const HOSTS = Number(process.env.WEFT_BENCH_HOSTS ?? 1_000);
const DECISIONS = Number(process.env.WEFT_BENCH_DECISIONS ?? 5_000);
const WARMUP = 500;

const inventory = (resourceClass: string, total: number): Inventory =>
  ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio: 1 });

const build = (serverId: string, availabilityZone: string): ServerBuildRequested => ({
  serverId, projectId: "p1", userId: "u1", name: serverId,
  flavor: { flavorId: "f1", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 10, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
  image: { imageId: "i1", name: "cirros", minDiskGb: 0, minRamMb: 0 },
  keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone, metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
});

// Each host runs one server of a different size, so free RAM differs and many hosts still tie.
let view = initialSchedulerView();
for (let i = 0; i < HOSTS; i++) {
  const host = `compute-${String(i).padStart(5, "0")}`;
  const providerId = `rp-${host}`;
  const events: ReadonlyArray<SchedulerEvent> = [
    { type: "ResourceProviderCreated", data: { providerId, name: host, host, availabilityZone: i % 2 === 0 ? "az1" : "az2", traits: [] } },
    { type: "InventorySet", data: { providerId, inventories: [inventory("VCPU", 64), inventory("MEMORY_MB", 262_144), inventory("DISK_GB", 2_000)] } },
    { type: "ServerBuildRequested", data: build(`s-${i}`, "") },
    { type: "AllocationClaimed", data: { providerId, consumerId: `s-${i}`, projectId: "p1", userId: "u1", resources: { VCPU: 2, MEMORY_MB: (i % 64) * 2048 } } },
  ];
  view = events.reduce(evolveSchedulerView, view);
}

const decide = (i: number) => {
  const { hosts } = placeServer(view, build(`new-${i}`, i % 3 === 0 ? "az2" : ""), () => true);
  if (hosts.length === 0) throw new Error("no valid host in a cloud with room");
};

for (let i = 0; i < WARMUP; i++) decide(i);
const samples = new Samples(DECISIONS);
const cpu = process.cpuUsage();
for (let i = 0; i < DECISIONS; i++) {
  const start = performance.now();
  decide(i);
  samples.add(performance.now() - start);
}
const used = process.cpuUsage(cpu);
report(`scheduler.place.hosts${HOSTS}.p50_ms`, samples.percentile(50), 3);
report(`scheduler.place.hosts${HOSTS}.p99_ms`, samples.percentile(99), 3);
// Wall-clock percentiles include the time other processes hold the CPU; this is the code's own cost.
report(`scheduler.place.hosts${HOSTS}.cpu_us_per_decision`, (used.user + used.system) / DECISIONS);
