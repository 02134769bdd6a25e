/**
 * The meter against a real control plane (nats-server, sqlite, the handlers, the gateway): servers
 * are created through Nova's API and played through their lives with the commands the scheduler
 * and agents send; the meter follows the public event stream as any outside program would, and is
 * served as a standalone `weft meter` is (its own app, tokens validated by Keystone over HTTP).
 * Its totals are checked against a brute-force count straight from the store's `$all`, across a
 * stop mid-stream and a restart from a stale checkpoint (a crash), and its HTTP faults are Nova's.
 * The blocks after the first read the servers its workload leaves behind, so they run in order.
 */
import { randomUUID } from "node:crypto";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Deferred, Effect, Fiber } from "effect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EventStore, sqliteEventStoreLayer } from "@weft/infra/eventStore";
import { decodePayload } from "@weft/infra/events";
import { keystoneTokenValidator, meterCheckpointFile, MeterRefused, runMeter, type MeterOptions, type RunningMeter } from "@weft/infra/metering";
import { eventMetadataCodec } from "@weft/proto";
import type { MeteringDocument } from "@weft/projections/metering";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";
import { meterApp } from "./routes.ts";

let cloud: TestCloud;
let alice: ProjectCaller;
let bob: ProjectCaller;
let aliceReader: ProjectCaller;
let flavors: { tiny: string; big: string };
let imageId: string;
let meterDir: string;

const V = "/compute/v2.1";
const HOUR = 3_600_000;
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });
const fetchIn = (url: string, init: RequestInit) => Promise.resolve(cloud.gateway.app.request(url, init));

const system = async (type: string, data: object) => {
  const reply = await cloud.system("compute", { type, data });
  expect(reply.outcome).toBe("accepted");
};

const createServer = async (caller: ProjectCaller, flavorRef: string) => {
  const response = await json(await cloud.request(`${V}/servers`, {
    method: "POST", token: caller.token, json: { server: { name: `vm-${randomUUID().slice(0, 6)}`, imageRef: imageId, flavorRef, networks: "none" } },
  }));
  expect(response.status).toBe(202);
  return response.body.server.id as string;
};

/** One server's whole life as the scheduler and its agent play it; `steps` after it spawned. */
const live = async (caller: ProjectCaller, flavorRef: string, steps: ReadonlyArray<"stop" | "start" | "delete">) => {
  const serverId = await createServer(caller, flavorRef);
  await system("ScheduleServer", { serverId, host: "host-1", providerId: randomUUID(), availabilityZone: "nova" });
  await system("ReportServerSpawned", { serverId });
  for (const step of steps) {
    if (step === "stop" || step === "start") {
      const action = await cloud.request(`${V}/servers/${serverId}/action`, { method: "POST", token: caller.token, json: { [`os-${step}`]: null } });
      expect(action.status).toBe(202);
      await system(step === "stop" ? "ReportServerStopped" : "ReportServerStarted", { serverId });
    }
    if (step === "delete") {
      expect((await cloud.request(`${V}/servers/${serverId}`, { method: "DELETE", token: caller.token })).status).toBe(204);
      await system("ReportServerDestroyed", { serverId });
    }
  }
  return serverId;
};

/** A meter in its own scope: `stop` closes it as SIGTERM would (final checkpoint written). */
const startMeter = async (stream: Partial<MeterOptions["stream"]> = {}, dir = meterDir) => {
  const ready = Deferred.makeUnsafe<RunningMeter>();
  const fiber = Effect.runFork(
    Effect.scoped(
      Effect.gen(function* () {
        const meter = yield* runMeter({ stream: { url: cloud.gateway.url, fetch: fetchIn, token: cloud.adminToken, reconnectDelayMs: 50, ...stream }, dir, checkpointEveryMs: 20 });
        Deferred.doneUnsafe(ready, Effect.succeed(meter));
        return yield* Effect.never;
      }),
    ),
  );
  const meter = await Effect.runPromise(Deferred.await(ready));
  return { meter, stop: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined) };
};

const caughtUp = async (meter: RunningMeter) => {
  expect(await meter.waitFor(await cloud.head())).toBe(true);
  return meter.current();
};

interface Totals { hours: number; vcpus: number; ram: number; disk: number }

/** The brute force: every event of `$all` read from the sqlite file, each server's hours counted by hand. */
const bruteForce = async (start: number, end: number): Promise<Map<string, Totals>> => {
  const events = await Effect.runPromise(
    Effect.scoped(Effect.gen(function* () {
      const store = yield* EventStore;
      return yield* store.readAll(0, 1_000_000);
    })).pipe(Effect.provide(sqliteEventStoreLayer(join(cloud.dataDir, "events.sqlite")))),
  );
  const servers = new Map<string, { project: string; vcpus: number; ram: number; disk: number; from?: number; to?: number }>();
  for (const recorded of events) {
    if (!recorded.stream.startsWith("server-")) continue;
    const at = Date.parse(eventMetadataCodec.decode(recorded.metadata).occurredAt);
    const event = decodePayload(recorded) as { type: string; data: any };
    const id = recorded.stream.slice("server-".length);
    if (event.type === "ServerBuildRequested") {
      const flavor = event.data.flavor;
      servers.set(id, { project: event.data.projectId, vcpus: flavor.vcpus, ram: flavor.ramMb, disk: flavor.diskGb + flavor.ephemeralGb });
    }
    const server = servers.get(id)!;
    if (event.type === "ServerSpawned" && server.from === undefined) server.from = at;
    if (event.type === "ServerDeleted") server.to = at;
  }
  const totals = new Map<string, Totals>();
  for (const server of servers.values()) {
    if (server.from === undefined) continue;
    const hours = Math.max(0, Math.min(server.to ?? end, end) - Math.max(server.from, start)) / HOUR;
    const sum = totals.get(server.project) ?? { hours: 0, vcpus: 0, ram: 0, disk: 0 };
    totals.set(server.project, { hours: sum.hours + hours, vcpus: sum.vcpus + hours * server.vcpus, ram: sum.ram + hours * server.ram, disk: sum.disk + hours * server.disk });
  }
  return totals;
};

/** Nova's datetime text for a query. */
const novaTime = (ms: number) => new Date(ms).toISOString().slice(0, 23);

const usageList = async (app: ReturnType<typeof meterApp>, start: number, end: number) => {
  const response = await app.request(`${V}/os-simple-tenant-usage?start=${novaTime(start)}&end=${novaTime(end)}&detailed=1`, {
    headers: { "x-auth-token": cloud.adminToken, "openstack-api-version": "compute 2.79" },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { tenant_usages: Array<Record<string, any>> };
  return new Map(body.tenant_usages.map((usage) => [usage.tenant_id as string, usage]));
};

/** os-simple-tenant-usage against the raw log, for an app whose clock reads `now`: Nova counts no further than now. */
const expectAgrees = async (app: ReturnType<typeof meterApp>, start: number, end: number, now: number) => {
  const expected = await bruteForce(start, Math.min(end, now));
  const served = await usageList(app, start, end);
  expect([...served.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [project, totals] of expected) {
    const usage = served.get(project)!;
    expect(usage.total_hours).toBeCloseTo(totals.hours, 9);
    expect(usage.total_vcpus_usage).toBeCloseTo(totals.vcpus, 9);
    expect(usage.total_memory_mb_usage).toBeCloseTo(totals.ram, 6);
    expect(usage.total_local_gb_usage).toBeCloseTo(totals.disk, 9);
  }
  expect(expected.size).toBeGreaterThan(0);
};

/** The meter served as `weft meter` serves it: tokens checked by Keystone (here the gateway) over HTTP. */
const appFor = (doc: () => MeteringDocument | undefined, now = () => Date.now()) =>
  meterApp({
    publicUrl: "http://meter.test",
    meter: doc,
    now,
    authenticate: keystoneTokenValidator({ authUrl: cloud.gateway.url, serviceToken: async () => cloud.adminToken, fetch: fetchIn }),
  });

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  meterDir = await mkdtemp(join(tmpdir(), "weft-meter-"));
  [alice, bob] = await Promise.all([projectCaller(cloud, "member"), projectCaller(cloud, "member")]);
  aliceReader = await projectCaller(cloud, "reader", alice.projectId);
  const flavor = async (name: string, vcpus: number, ram: number, disk: number) =>
    (await json(await cloud.request(`${V}/flavors`, { method: "POST", token: cloud.adminToken, json: { flavor: { name, ram, vcpus, disk, "OS-FLV-EXT-DATA:ephemeral": 1 } } }))).body.flavor.id as string;
  flavors = { tiny: await flavor("m1.meter", 1, 512, 1), big: await flavor("m2.meter", 4, 8192, 40) };
  const image = await json(await cloud.request("/image/v2/images", {
    method: "POST", token: cloud.adminToken, json: { name: "cirros", disk_format: "raw", container_format: "bare", visibility: "public" },
  }));
  imageId = image.body.id;
  await cloud.request(`/image/v2/images/${imageId}/file`, { method: "PUT", token: cloud.adminToken, headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(64) });
});
afterAll(async () => {
  await cloud?.close();
  if (meterDir !== undefined) await rm(meterDir, { recursive: true, force: true });
});

describe("metering from the public event stream", () => {
  it("agrees with a brute-force count of the log, across a stop mid-stream and a restart from a stale checkpoint", async () => {
    const began = Date.now();
    const first = await startMeter();
    await live(alice, flavors.tiny, ["stop", "start", "delete"]);
    await live(alice, flavors.big, []);
    await live(bob, flavors.big, ["delete"]);
    await caughtUp(first.meter);
    await copyFile(join(meterDir, meterCheckpointFile), join(meterDir, "stale"));

    // Stopped while servers are still being played: it is behind when it stops.
    const more = Promise.all([live(alice, flavors.tiny, ["delete"]), live(bob, flavors.tiny, ["stop"]), live(bob, flavors.big, ["stop", "start", "delete"])]);
    const before = first.meter.current().position;
    expect(await first.meter.waitFor(before + 1)).toBe(true);
    await first.stop();
    const stoppedAt = first.meter.current().position;
    await more;
    await live(alice, flavors.big, ["stop"]);
    expect(stoppedAt).toBeGreaterThan(before);
    expect(stoppedAt).toBeLessThan(await cloud.head());

    const second = await startMeter();
    const resumed = await caughtUp(second.meter);
    const now = Date.now();
    const app = appFor(() => second.meter.current(), () => now);
    await expectAgrees(app, began - HOUR, now + HOUR, now);
    await expectAgrees(app, Math.floor(began + (now - began) / 2), now, now);
    await second.stop();

    // A crash: the checkpoint on disk is an old one, so events it already counted come again.
    await copyFile(join(meterDir, "stale"), join(meterDir, meterCheckpointFile));
    const third = await startMeter();
    const replayed = await caughtUp(third.meter);
    expect(replayed.position).toBe(resumed.position);
    await expectAgrees(appFor(() => third.meter.current(), () => now), began - HOUR, now + HOUR, now);
    expect(replayed.eventCounts.toJS()).toEqual(resumed.eventCounts.toJS());
    await third.stop();
  });
});

describe("the meter's connection to the stream", () => {
  it("waits out a gateway it cannot reach, its login included, then catches up", async () => {
    let failures = 0;
    const flaky = (url: string, init: RequestInit) => (failures++ < 2 ? Promise.reject(new Error("connect ECONNREFUSED")) : fetchIn(url, init));
    let logins = 0;
    const login = () => (logins++ < 2 ? Promise.reject(new Error("login: connect ECONNREFUSED")) : Promise.resolve(cloud.adminToken));
    const dir = await mkdtemp(join(tmpdir(), "weft-meter-flaky-"));
    const { meter, stop } = await startMeter({ fetch: flaky, token: login }, dir);
    expect((await caughtUp(meter)).position).toBe(await cloud.head());
    expect(failures).toBeGreaterThan(2);
    expect(logins).toBe(3);
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("stops with MeterRefused when the gateway refuses its token", async () => {
    const dir = await mkdtemp(join(tmpdir(), "weft-meter-refused-"));
    const { meter, stop } = await startMeter({ token: "not-a-token" }, dir);
    const stopped = await Effect.runPromise(Effect.flip(meter.stopped));
    expect(stopped).toBeInstanceOf(MeterRefused);
    expect(stopped.message).toMatch(/refused \(401\)/);
    await stop();
    await rm(dir, { recursive: true, force: true });
  });
});

describe("os-simple-tenant-usage", () => {
  let meter: Awaited<ReturnType<typeof startMeter>>;
  let app: ReturnType<typeof meterApp>;
  const opened = Date.now();
  const period = () => `start=${novaTime(opened - HOUR)}&end=${novaTime(opened + HOUR)}`;
  const get = (path: string, token: string | undefined, version = "2.79") =>
    app.request(`${V}/os-simple-tenant-usage${path}`, { headers: { ...(token === undefined ? {} : { "x-auth-token": token }), "openstack-api-version": `compute ${version}` } });

  beforeAll(async () => {
    meter = await startMeter();
    await caughtUp(meter.meter);
    // One clock for every request: Nova counts to now, and pages are compared with the whole.
    const now = Date.now();
    app = appFor(() => meter.meter.current(), () => now);
  });
  afterAll(() => meter?.stop());

  it("shows a project to its reader in Nova's shape, every server detailed", async () => {
    const { status, body } = await json(await get(`/${alice.projectId}?${period()}`, aliceReader.token));
    expect(status).toBe(200);
    const usage = body.tenant_usage;
    expect(Object.keys(usage).sort()).toEqual(["server_usages", "start", "stop", "tenant_id", "total_hours", "total_local_gb_usage", "total_memory_mb_usage", "total_vcpus_usage"]);
    expect(usage.tenant_id).toBe(alice.projectId);
    expect(usage.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    const running = usage.server_usages.find((server: any) => server.ended_at === null);
    expect(running).toMatchObject({ flavor: "m2.meter", vcpus: 4, memory_mb: 8192, local_gb: 41, state: "active", tenant_id: alice.projectId });
    expect(Object.keys(running).sort()).toEqual(["ended_at", "flavor", "hours", "instance_id", "local_gb", "memory_mb", "name", "started_at", "state", "tenant_id", "uptime", "vcpus"]);
    expect(usage.server_usages.filter((server: any) => server.state === "terminated")).toHaveLength(2);
  });

  it("pages the list by server at 2.40 with a next link, and not before", async () => {
    const first = await json(await get(`?${period()}&limit=2&detailed=1`, cloud.adminToken));
    expect(first.status).toBe(200);
    const servers = first.body.tenant_usages.reduce((count: number, usage: any) => count + usage.server_usages.length, 0);
    expect(servers).toBe(2);
    const next = first.body.tenant_usages_links[0];
    expect(next.rel).toBe("next");
    expect(next.href).toMatch(/^http:\/\/meter\.test\/compute\/v2\.1\/os-simple-tenant-usage\?.*marker=/);
    const all = await json(await get(`?${period()}`, cloud.adminToken, "2.1"));
    expect(all.body.tenant_usages_links).toBeUndefined();
    const marker = new URL(next.href).searchParams.get("marker")!;
    const rest = await json(await get(`?${period()}&marker=${marker}&detailed=1`, cloud.adminToken));
    const hours = (body: any) => body.tenant_usages.reduce((sum: number, usage: any) => sum + usage.total_hours, 0);
    expect(hours(first.body) + hours(rest.body)).toBeCloseTo(hours(all.body), 9);
  });

  it("answers an unknown project with an empty usage, as Nova does", async () => {
    const { status, body } = await json(await get(`/${randomUUID().replaceAll("-", "")}?${period()}`, cloud.adminToken));
    expect(status).toBe(200);
    expect(body).toEqual({ tenant_usage: {} });
  });

  it("refuses with Nova's faults: no token, other projects, the list for a member, bad times and markers", async () => {
    const refusal = async (response: Response, status: number, name: string) => {
      const { status: actual, body } = await json(response);
      expect(actual).toBe(status);
      expect(Object.keys(body)).toEqual([name]);
      expect(body[name].code).toBe(status);
      return body[name].message as string;
    };
    await refusal(await get(`?${period()}`, undefined), 401, "unauthorized");
    expect(await refusal(await get(`?${period()}`, alice.token), 403, "forbidden")).toBe("Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed.");
    await refusal(await get(`/${bob.projectId}?${period()}`, alice.token), 403, "forbidden");
    expect(await refusal(await get(`?start=yesterday`, cloud.adminToken), 400, "badRequest")).toBe("Invalid datetime string: Datetime is in invalid format");
    expect(await refusal(await get(`?start=2030-01-02T00:00:00&end=2030-01-01T00:00:00`, cloud.adminToken), 400, "badRequest")).toMatch(/^Invalid start time/);
    await refusal(await get(`?start=2030-02-30T00:00:00`, cloud.adminToken), 400, "badRequest");
    await refusal(await get(`?${period()}&limit=-1`, cloud.adminToken), 400, "badRequest");
    expect(await refusal(await get(`?${period()}&marker=nope`, cloud.adminToken), 400, "badRequest")).toBe("marker [nope] not found");
    await refusal(await get(`?${period()}&colour=blue`, cloud.adminToken), 400, "badRequest");
    await refusal(await get(`?${period()}`, cloud.adminToken, "2.999"), 406, "notAcceptable");
  });
});

describe("/metering/v1 and /metrics", () => {
  let meter: Awaited<ReturnType<typeof startMeter>>;
  let app: ReturnType<typeof meterApp>;
  const get = (path: string, token: string) => app.request(path, { headers: { "x-auth-token": token } });

  beforeAll(async () => {
    meter = await startMeter();
    await caughtUp(meter.meter);
    app = appFor(() => meter.meter.current());
  });
  afterAll(() => meter?.stop());

  it("gives a project's totals, per flavor, per resource and as a series that add up", async () => {
    const start = new Date(Date.now() - HOUR).toISOString();
    const end = new Date(Date.now() + HOUR).toISOString();
    const usage = (await json(await get(`/metering/v1/projects/${bob.projectId}/usage?start=${start}&end=${end}`, bob.token))).body.usage;
    expect(usage.project_id).toBe(bob.projectId);
    expect(Date.parse(usage.counted_until)).toBeLessThanOrEqual(Date.now());
    const perFlavor = usage.flavors.reduce((sum: number, flavor: any) => sum + flavor.vcpu_hours, 0);
    expect(perFlavor).toBeCloseTo(usage.vcpu_hours, 9);
    expect(usage.flavors.map((flavor: any) => flavor.flavor_name).sort()).toEqual(["m1.meter", "m2.meter"]);

    const resources = (await json(await get(`/metering/v1/projects/${bob.projectId}/resources?start=${start}&end=${end}`, bob.token))).body.resources;
    expect(resources.length).toBe(3);
    expect(resources[0]).toMatchObject({ resource_type: "server", flavor_name: "m2.meter", ended_at: expect.any(String) });

    const series = (await json(await get(`/metering/v1/projects/${bob.projectId}/series?start=${start}&end=${end}&step=60`, bob.token))).body;
    expect(series.points.length).toBeGreaterThan(50);
    expect(series.points.reduce((sum: number, point: any) => sum + point.instance_hours, 0)).toBeGreaterThan(0);

    const all = (await json(await get(`/metering/v1/usage?start=${start}&end=${end}`, cloud.adminToken))).body.usages;
    expect(all.map((entry: any) => entry.project_id)).toEqual(expect.arrayContaining([alice.projectId, bob.projectId]));
  });

  it("refuses bad periods and other projects with 400 and 403", async () => {
    const status = async (path: string, token: string) => (await get(path, token)).status;
    expect(await status(`/metering/v1/projects/${bob.projectId}/usage`, bob.token)).toBe(400);
    expect(await status(`/metering/v1/projects/${bob.projectId}/usage?start=2030-01-01`, bob.token)).toBe(400);
    expect(await status(`/metering/v1/projects/${bob.projectId}/usage?start=2030-01-02T00:00:00Z&end=2030-01-01T00:00:00Z`, bob.token)).toBe(400);
    expect(await status(`/metering/v1/projects/${bob.projectId}/series?start=2030-01-01T00:00:00Z&end=2031-01-01T00:00:00Z&step=1`, bob.token)).toBe(400);
    expect(await status(`/metering/v1/projects/${alice.projectId}/usage?start=2030-01-01T00:00:00Z`, bob.token)).toBe(403);
    expect(await status(`/metering/v1/usage?start=2030-01-01T00:00:00Z`, bob.token)).toBe(403);
  });

  it("exposes fabric gauges and counters in the Prometheus text format, to admins", async () => {
    const response = await get("/metrics", cloud.adminToken);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    const sample = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    expect(text).toContain("# TYPE weft_servers gauge");
    expect(sample('weft_servers{status="ACTIVE"}')).toBe(1);
    expect(sample('weft_servers{status="SHUTOFF"}')).toBe(2);
    expect(sample('weft_events_total{type="weft.compute.ServerSpawned"}')).toBe(7);
    expect(sample("weft_meter_position")).toBe(await cloud.head());
    expect(sample("weft_vcpu_hours_total")).toBeGreaterThan(0);
    expect((await get("/metrics", bob.token)).status).toBe(403);
  });
});
