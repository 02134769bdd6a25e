/**
 * Replay of a 1,000,000-event log into every read model, and `weft verify` on it. The log is the
 * mix the compute bench's cloud records, written fast: every event encoded with the real codecs
 * and metadata as the command handler writes it, inserted straight into a sqlite store in a temp
 * dir (the store's own schema, created by opening it; rows as its append writes them), not
 * driven through HTTP. The history: the identity bootstrap, 100 projects and users with grants,
 * 10 flavors, 5 images, 100 hosts, then ~97,000 servers, 50 at a time in flight, each built
 * (quota reserved, build requested, allocation claimed, scheduled, spawned), half stopped and
 * started, a fifth given metadata, a tenth rebooted, and 70% deleted (allocation and quota given
 * back). Then: the median of three replays of all six read models (events/s; compute in this
 * thread, the others in a second one, as `weft replay` runs them; CPU time counts both), a
 * read-only pass and a read-and-decode pass for the breakdown, and `weft verify` spawned on a data
 * dir whose snapshots were written as `weft up` writes them (wall time, its CPU time and its main
 * thread's, exit code).
 * Run from the repository root: `node_modules/.bin/node bench/replay.bench.ts [events]`.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import { Packr } from "msgpackr";
import { computeEventCodec, identityEventCodec, imageEventCodec, placementEventCodec } from "@weft/infra/contexts";
import { EventStore, sqliteEventStoreLayer } from "@weft/infra/eventStore";
import { DEFAULT_REPLAY_PAGE, eventCodecByType, readModels, replay, type ReplayResult } from "@weft/infra/replay";
import { projectedMetadataOf, snapshotPath } from "@weft/infra/runtime";
import { eventMetadataCodec, type EventMetadata, type PayloadCodec } from "@weft/proto";
import type { Message } from "@weft/domain/shared";
import { report } from "./stats.ts";

const TARGET = Number(process.argv[2] ?? 1_000_000);
const IN_FLIGHT = 50;
const mainTs = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

type Data = Record<string, unknown>;
interface Planned {
  readonly stream: string;
  readonly type: string;
  readonly data: Data;
  readonly actor: EventMetadata["actor"];
  readonly command: string;
}

const uuid = () => randomUUID();
const hex = () => randomUUID().replaceAll("-", "");
const codecs: ReadonlyArray<PayloadCodec<Message>> = [identityEventCodec, imageEventCodec, computeEventCodec, placementEventCodec];
const codecOf = (type: string) => codecs.find((codec) => codec.has(type))!;

const IDENTITY = "identity-00000000-0000-4000-8000-000000000001";
const FLAVORS = "flavors-00000000-0000-4000-8000-000000000002";
const system = { userId: "", userName: "weft", projectId: "", domainId: "", roles: ["admin"], systemScope: true };

/** The cloud before the servers: identity, flavors, images, hosts. */
const setUp = () => {
  const events: Array<Planned> = [];
  const add = (stream: string, type: string, data: Data, command: string, actor = system) => events.push({ stream, type, data, actor, command });
  const roles = { admin: hex(), member: hex(), reader: hex() };
  const adminProject = hex();
  const adminUser = hex();
  add(IDENTITY, "DomainCreated", { domainId: "default", name: "Default", description: "", enabled: true }, "BootstrapIdentity");
  for (const [name, roleId] of Object.entries(roles)) add(IDENTITY, "RoleCreated", { roleId, name, description: "" }, "BootstrapIdentity");
  add(IDENTITY, "ProjectCreated", { projectId: adminProject, domainId: "default", name: "admin", description: "", enabled: true, tags: [] }, "BootstrapIdentity");
  add(IDENTITY, "UserCreated", { userId: adminUser, domainId: "default", name: "admin", passwordHash: "$scrypt$bench", email: "", description: "", enabled: true, defaultProjectId: "" }, "BootstrapIdentity");
  add(IDENTITY, "RoleAssignmentGranted", { roleId: roles.admin, userId: adminUser, projectId: adminProject, system: false }, "BootstrapIdentity");
  const admin = { userId: adminUser, userName: "admin", projectId: adminProject, domainId: "default", roles: ["admin", "member", "reader"], systemScope: false };
  const tenants = Array.from({ length: 100 }, (_, i) => {
    const projectId = hex();
    const userId = hex();
    add(IDENTITY, "ProjectCreated", { projectId, domainId: "default", name: `project-${i}`, description: "", enabled: true, tags: [] }, "CreateProject", admin);
    add(IDENTITY, "UserCreated", { userId, domainId: "default", name: `user-${i}`, passwordHash: "$scrypt$bench", email: "", description: "", enabled: true, defaultProjectId: projectId }, "CreateUser", admin);
    add(IDENTITY, "RoleAssignmentGranted", { roleId: roles.member, userId, projectId, system: false }, "GrantRole", admin);
    const actor = { userId, userName: `user-${i}`, projectId, domainId: "default", roles: ["member", "reader"], systemScope: false };
    add(`quota-${uuidOf(projectId)}`, "QuotaLimitsSet", { projectId, instances: 100_000, cores: 200_000, ramMb: 1 << 30 }, "SetQuotaLimits", admin);
    return { projectId, userId, actor };
  });
  const flavors = Array.from({ length: 10 }, (_, i) => {
    const flavor = { flavorId: uuid(), name: `m1.f${i}`, vcpus: 1 + (i % 4), ramMb: 512 * (1 + (i % 4)), diskGb: 1 + i, ephemeralGb: 0, swapMb: 0, isPublic: true, description: "" };
    add(FLAVORS, "FlavorCreated", flavor, "CreateFlavor", admin);
    return flavor;
  });
  const images = Array.from({ length: 5 }, (_, i) => {
    const imageId = uuid();
    const stream = `image-${imageId}`;
    add(stream, "ImageCreated", {
      imageId, owner: adminProject, name: `image-${i}`, diskFormat: "qcow2", containerFormat: "bare", visibility: "public", protected: false,
      minDiskGb: 0, minRamMb: 0, tags: [], properties: { os_distro: "cirros" },
    }, "CreateImage", admin);
    add(stream, "ImageUploadStaged", { imageId }, "StageImageUpload", admin);
    add(stream, "ImageUploadCompleted", { imageId, sizeBytes: 16_777_216, checksum: "0".repeat(32), osHashAlgo: "sha512", osHashValue: "0".repeat(128), location: `images/${imageId}` }, "CompleteImageUpload", admin);
    return { imageId, name: `image-${i}`, minDiskGb: 0, minRamMb: 0 };
  });
  const hosts = Array.from({ length: 100 }, (_, i) => {
    const providerId = uuid();
    const host = `host-${i}`;
    const stream = `resourceProvider-${providerId}`;
    add(stream, "ResourceProviderCreated", { providerId, name: host, host, availabilityZone: "nova", traits: ["COMPUTE_STATUS_ENABLED"] }, "CreateResourceProvider");
    const inventory = (resourceClass: string, total: number, allocationRatio: number) => ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio });
    add(stream, "InventorySet", { providerId, inventories: [inventory("VCPU", 4096, 16), inventory("MEMORY_MB", 1 << 22, 1.5), inventory("DISK_GB", 100_000, 1)] }, "SetInventory");
    return { providerId, host, stream };
  });
  return { events, tenants, flavors, images, hosts };
};

const uuidOf = (id: string) => (id.length === 32 ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}` : id);

/** One server's life, event by event, as the gateway, scheduler and agent record it. */
function* serverLife(index: number, cloud: ReturnType<typeof setUp>): Generator<Planned> {
  const tenant = cloud.tenants[index % cloud.tenants.length]!;
  const flavor = cloud.flavors[index % cloud.flavors.length]!;
  const host = cloud.hosts[(index * 7) % cloud.hosts.length]!;
  const serverId = uuid();
  const server = `server-${serverId}`;
  const quota = `quota-${uuidOf(tenant.projectId)}`;
  const reserved = { projectId: tenant.projectId, serverId, instances: 1, cores: flavor.vcpus, ramMb: flavor.ramMb };
  const claim = { VCPU: flavor.vcpus, MEMORY_MB: flavor.ramMb, DISK_GB: flavor.diskGb };
  const user = (stream: string, type: string, data: Data, command: string): Planned => ({ stream, type, data, actor: tenant.actor, command });
  const fabric = (stream: string, type: string, data: Data, command: string): Planned => ({ stream, type, data, actor: system, command });
  yield user(quota, "ServerResourcesReserved", reserved, "ReserveServerResources");
  yield user(server, "ServerBuildRequested", {
    serverId, projectId: tenant.projectId, userId: tenant.userId, name: `server-${index}`, flavor: { ...flavor, extraSpecs: {} },
    image: cloud.images[index % cloud.images.length], keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone: "", metadata: {},
    requestedAt: new Date().toISOString(),
  }, "CreateServer");
  yield fabric(host.stream, "AllocationClaimed", { providerId: host.providerId, consumerId: serverId, projectId: tenant.projectId, userId: tenant.userId, resources: claim }, "ClaimAllocation");
  yield fabric(server, "ServerScheduled", { serverId, host: host.host, providerId: host.providerId, availabilityZone: "nova" }, "ScheduleServer");
  yield fabric(server, "ServerSpawned", { serverId }, "ReportServerSpawned");
  if (index % 2 === 0) {
    yield user(server, "ServerStopRequested", { serverId, host: host.host }, "StopServer");
    yield fabric(server, "ServerStopped", { serverId }, "ReportServerStopped");
    yield user(server, "ServerStartRequested", { serverId, host: host.host }, "StartServer");
    yield fabric(server, "ServerStarted", { serverId }, "ReportServerStarted");
  }
  if (index % 5 === 0) yield user(server, "ServerMetadataSet", { serverId, items: { role: "web", index: String(index) } }, "SetServerMetadata");
  if (index % 10 === 1) {
    yield user(server, "ServerRebootRequested", { serverId, host: host.host, hard: false }, "RebootServer");
    yield fabric(server, "ServerRebooted", { serverId }, "ReportServerRebooted");
  }
  if (index % 10 < 7) {
    yield user(server, "ServerDeletionRequested", { serverId, host: host.host }, "DeleteServer");
    yield fabric(server, "ServerDeleted", { serverId, projectId: tenant.projectId, providerId: host.providerId }, "ReportServerDeleted");
    yield fabric(host.stream, "AllocationReleased", { providerId: host.providerId, consumerId: serverId, resources: claim }, "ReleaseAllocation");
    yield fabric(quota, "ServerResourcesReleased", reserved, "ReleaseServerResources");
  }
}

/** Every planned event in log order: the set-up, then server lives interleaved, IN_FLIGHT at a time. */
function* history(cloud: ReturnType<typeof setUp>): Generator<Planned> {
  yield* cloud.events;
  let emitted = cloud.events.length;
  let next = 0;
  const flying: Array<Generator<Planned>> = [];
  let turn = 0;
  while (emitted < TARGET) {
    while (flying.length < IN_FLIGHT) flying.push(serverLife(next++, cloud));
    turn = (turn + 1) % flying.length;
    const step = flying[turn]!.next();
    if (step.done === true) {
      flying.splice(turn, 1);
      continue;
    }
    emitted += 1;
    yield step.value;
  }
}

/** Writes the history into a fresh store at `path`: rows as the sqlite adapter's append writes them, 10,000 per transaction. */
const writeLog = async (path: string) => {
  // Opening it through the adapter creates the file with the adapter's own schema and pragmas.
  await Effect.runPromise(Effect.gen(function* () {
    yield* (yield* EventStore).head;
  }).pipe(Effect.provide(sqliteEventStoreLayer(path))));
  const db = new DatabaseSync(path);
  const insert = db.prepare("INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  const revisions = new Map<string, number>();
  const start = Date.now() - TARGET * 10;
  let count = 0;
  db.exec("BEGIN");
  for (const planned of history(setUp())) {
    const revision = (revisions.get(planned.stream) ?? -1) + 1;
    revisions.set(planned.stream, revision);
    const occurredAt = start + count * 10;
    const commandId = uuid();
    const metadata = eventMetadataCodec.encode({
      commandId, requestId: `req-${uuid()}`, correlationId: commandId, causationId: commandId, actor: planned.actor,
      occurredAt: new Date(occurredAt).toISOString(), commandType: planned.command,
    } as EventMetadata);
    insert.run(uuid(), planned.stream, revision, planned.type, codecOf(planned.type).encode({ type: planned.type, data: planned.data }), metadata, occurredAt);
    count += 1;
    if (count % 10_000 === 0) db.exec("COMMIT; BEGIN");
  }
  db.exec("COMMIT");
  db.close();
  return count;
};

/** utime + stime of a /proc stat file in ms (Linux's 100 ticks a second), undefined once it is gone. */
const cpuMsOf = (path: string): number | undefined => {
  try {
    const fields = readFileSync(path, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), "weft-replay-bench-"));
try {
  const path = join(dir, "events.sqlite");
  const writing = performance.now();
  // REPLAY_BENCH_LOG=<file> keeps the log there and reuses it on the next run (profiling).
  const kept = process.env.REPLAY_BENCH_LOG;
  if (kept !== undefined && !existsSync(kept)) await writeLog(kept);
  if (kept !== undefined) await copyFile(kept, path);
  const written = kept === undefined ? await writeLog(path) : TARGET;
  report("replay.log.events", written);
  report("replay.log.write_ms", performance.now() - writing);
  // The log's ~570 MB just written are dirty pages: without this the kernel writes them back
  // during the replays, which then ran ~40% slower (9.4-9.9 s against 6.5-8.5 s).
  execFileSync("sync");

  const results = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* EventStore;
        // Wall time, and this process's CPU time, which other work on the machine disturbs less.
        const timeOf = <A>(effect: Effect.Effect<A, unknown>) =>
          Effect.gen(function* () {
            const started = performance.now();
            const cpu = process.cpuUsage();
            const value = yield* effect;
            const used = process.cpuUsage(cpu);
            return { value, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
          });
        // The breakdown first: reading alone, then reading and decoding every event.
        const readOnly = yield* timeOf(Effect.gen(function* () {
          let after = 0;
          for (;;) {
            const page = yield* store.readAll(after, DEFAULT_REPLAY_PAGE);
            if (page.length === 0) return;
            after = page.at(-1)!.position;
          }
        }));
        const decoded = yield* timeOf(Effect.gen(function* () {
          let after = 0;
          for (;;) {
            const page = yield* store.readAll(after, DEFAULT_REPLAY_PAGE);
            if (page.length === 0) return;
            for (const event of page) {
              projectedMetadataOf(event.metadata);
              eventCodecByType.get(event.type)?.decode(event.type, event.data);
            }
            after = page.at(-1)!.position;
          }
        }));
        // Only the last run's documents are kept (for the snapshots): three 1M-event cloud states at
        // once would make the later runs pay the first ones' garbage collection. They are held by
        // `kept` alone: a run's own binding would still hold the previous documents during the next
        // run (the generator keeps the slot): 10.3 s for the first run, then 14.5 and 15.7 s.
        const runs: Array<{ readonly ms: number; readonly cpuMs: number }> = [];
        const kept: { last?: ReplayResult } = {};
        for (let i = 0; i < 3; i++) {
          delete kept.last;
          const replayed = replay(store, readModels.map((model) => ({ model })), { kind: "head" }, undefined, { thread: { eventStore: `sqlite:${path}` } });
          const run = yield* timeOf(Effect.map(replayed, (value) => void (kept.last = value)));
          runs.push({ ms: run.ms, cpuMs: run.cpuMs });
        }
        return { readOnly, decoded, runs, last: kept.last! };
      }),
    ).pipe(Effect.provide(sqliteEventStoreLayer(path))),
  );
  const last = results.last;
  const events = last.events;
  report("replay.read_only.events_per_s", (events / results.readOnly.ms) * 1000);
  report("replay.read_decode.events_per_s", (events / results.decoded.ms) * 1000);
  const ms = results.runs.map((run) => run.ms);
  report("replay.runs_ms", ms.map((value) => value.toFixed(0)).join(" / "));
  report("replay.1m.events_per_s", (events / median(ms)) * 1000);
  report("replay.1m.cpu_events_per_s", (events / median(results.runs.map((run) => run.cpuMs))) * 1000);
  for (const model of last.models) report(`replay.folded.${model.model.name}`, model.folded);

  // The data dir `weft up` would leave: every gateway read model snapshotted at the head.
  const snapshots = join(dir, "snapshots");
  await mkdir(snapshots, { recursive: true });
  for (const { model, doc, position } of last.models) {
    if (model.projection === undefined) continue;
    await writeFile(snapshotPath(snapshots, model.projection), new Packr({ useRecords: true }).pack({ position, snapshot: model.projection.toSnapshot(doc) }));
  }
  const verifying = performance.now();
  // Its CPU time, all threads and the main thread's (the replay and the replayed documents' hashes,
  // verify's longest path), read from /proc while it runs: on a loaded machine the wall time is an
  // upper bound.
  const cpu = { processMs: Number.NaN, mainMs: Number.NaN };
  const code = await new Promise<number>((resolve) => {
    // Started as `weft verify` ends up running: started with weftNodeOptions it starts again
    // without them (cli/nodeOptions.ts), so it is started without them here, and the process whose
    // CPU time is read is the one doing the work.
    const child = spawn(process.execPath, [mainTs, "verify"], { env: { ...process.env, WEFT_DATA_DIR: dir }, stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.resume();
    const sampling = setInterval(() => {
      const processMs = cpuMsOf(`/proc/${child.pid}/stat`);
      const mainMs = cpuMsOf(`/proc/${child.pid}/task/${child.pid}/stat`);
      if (processMs !== undefined && mainMs !== undefined) Object.assign(cpu, { processMs, mainMs });
    }, 50);
    child.once("exit", (exitCode) => {
      clearInterval(sampling);
      resolve(exitCode ?? 1);
    });
  });
  report("verify.1m.wall_ms", performance.now() - verifying);
  report("verify.1m.cpu_ms", cpu.processMs);
  report("verify.1m.main_thread_cpu_ms", cpu.mainMs);
  report("verify.1m.exit_code", code);
} finally {
  await rm(dir, { recursive: true, force: true });
}
