/**
 * Acceptance: the real Debian `openstack` CLI (with osc-placement) against `weft up` through
 * Nova's quota, limits, host and server group commands and Placement's provider commands.
 *
 * A compute host is registered and kept alive the way a host agent does it (a resource provider
 * and its inventory sent on the cloud's NATS, heartbeats on it), so the capacity is the spec's
 * own whichever agents `weft up` starts: assertions name this host, and any other registered
 * host (the all-in-one's own agent's) may be listed beside it.
 */
import { randomUUID } from "node:crypto";
import { Effect, Fiber, Layer } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlacementCommand } from "@weft/domain/placement";
import { CommandBus, Nats, natsCommandBusLayer } from "@weft/infra/bus";
import { placementCommandCodec } from "@weft/infra/contexts";
import { publishHeartbeats } from "@weft/infra/host";
import { systemActor } from "@weft/proto";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };
const MEMBER = { username: "e2e-member", password: "e2e-member-password", project: "e2e-project" };
const HOST = "e2e-host";

let weft: WeftProcess;
let clouds: string;
let providerId: string;
let heartbeats: Fiber.Fiber<never, unknown> | undefined;
const os = (args: ReadonlyArray<string>, cloud = "weft") => openstackJson<any>(clouds, cloud, args);
const run = (args: ReadonlyArray<string>, cloud = "weft") => openstack(clouds, cloud, args);

/** As a host agent registers its host: a provider named after the host, then its inventory. */
const registerHost = async (natsUrl: string, host: string) => {
  const id = randomUUID();
  const inventory = (resourceClass: string, total: number, reserved: number, allocationRatio: number) =>
    ({ resourceClass, total, reserved, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio });
  const commands: ReadonlyArray<PlacementCommand> = [
    { type: "CreateResourceProvider", data: { providerId: id, name: host, host, availabilityZone: "", traits: [] } },
    { type: "SetInventory", data: { providerId: id, inventories: [inventory("VCPU", 4, 0, 16), inventory("MEMORY_MB", 8192, 512, 1.5), inventory("DISK_GB", 40, 0, 1)] } },
  ];
  await Effect.runPromise(
    Effect.gen(function* () {
      const bus = yield* CommandBus;
      for (const command of commands) {
        const commandId = randomUUID();
        const reply = yield* bus.send("placement", {
          commandId, requestId: `req-${commandId}`, actor: systemActor, issuedAt: new Date().toISOString(),
          type: command.type, payload: placementCommandCodec.encode(command), correlationId: commandId, causationId: "",
        });
        if (reply.outcome !== "accepted") return yield* Effect.die(new Error(`${command.type}: ${JSON.stringify(reply)}`));
      }
    }).pipe(Effect.provide(natsCommandBusLayer().pipe(Layer.provide(Nats.layer(natsUrl))))),
  );
  return id;
};

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN, member: MEMBER });
  const natsUrl = /NATS:\s+(\S+)/.exec(weft.output())?.[1];
  if (natsUrl === undefined) throw new Error(`no NATS URL in the output of weft up:\n${weft.output()}`);
  providerId = await registerHost(natsUrl, HOST);
  heartbeats = Effect.runFork(
    Effect.gen(function* () {
      yield* publishHeartbeats({ host: HOST });
      return yield* Effect.never;
    }).pipe(Effect.scoped, Effect.provide(Nats.layer(natsUrl))),
  );
  await os(["project", "create", MEMBER.project]);
  await os(["user", "create", "--password", MEMBER.password, MEMBER.username]);
  const granted = await run(["role", "add", "--project", MEMBER.project, "--user", MEMBER.username, "member"]);
  if (granted.code !== 0) throw new Error(granted.stderr);
}, 120_000);

afterAll(async () => {
  if (heartbeats !== undefined) await Effect.runPromise(Fiber.interrupt(heartbeats));
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("openstack quota and limits against weft up", () => {
  it("shows Nova's default compute quota for a project", async () => {
    const shown = await os(["quota", "show", MEMBER.project]);
    expect(shown).toMatchObject({ instances: 10, cores: 20, ram: 51200, "key-pairs": 100, "server-groups": 10, "server-group-members": 10, project_name: MEMBER.project });
  });

  it("sets instances, cores and RAM as an admin", async () => {
    const set = await run(["quota", "set", "--instances", "5", "--cores", "10", "--ram", "2048", MEMBER.project]);
    expect(set.code, set.stderr).toBe(0);
    expect(await os(["quota", "show", MEMBER.project])).toMatchObject({ instances: 5, cores: 10, ram: 2048 });
    const detail = await os(["quota", "list", "--compute", "--detail", "--project", MEMBER.project]);
    expect(detail).toEqual(expect.arrayContaining([{ Resource: "instances", "In Use": 0, Reserved: 0, Limit: 5 }]));
  });

  it("refuses a limit below -1 and a member setting quotas", async () => {
    const negative = await run(["quota", "set", "--instances", "-2", MEMBER.project]);
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toContain("less than the minimum of -1");
    // By id: a member may not list projects, so the CLI could not resolve the name.
    const { id: projectId } = await os(["project", "show", MEMBER.project]);
    const member = await run(["quota", "set", "--instances", "50", projectId], "member");
    expect(member.code).not.toBe(0);
    expect(member.stderr).toContain("os_compute_api:os-quota-sets:update");
    expect((await os(["quota", "show", MEMBER.project])).instances).toBe(5);
  });

  it("shows the absolute limits the quota sets, to the project's member and to admins", async () => {
    const rows = await os(["limits", "show", "--absolute"], "member");
    const limits = Object.fromEntries(rows.map((row: { Name: string; Value: number }) => [row.Name, row.Value]));
    expect(limits).toMatchObject({ maxTotalInstances: 5, maxTotalCores: 10, maxTotalRAMSize: 2048, totalInstancesUsed: 0, totalCoresUsed: 0, totalRAMUsed: 0, maxServerGroups: 10 });
    const other = await os(["limits", "show", "--absolute", "--project", MEMBER.project]);
    expect(other).toEqual(expect.arrayContaining([{ Name: "maxTotalInstances", Value: 5 }]));
  });
});

describe("openstack compute host commands against weft up", () => {
  it("lists the host's nova-compute service, up", async () => {
    const services = await os(["compute", "service", "list"]);
    expect(services).toEqual(expect.arrayContaining([expect.objectContaining({ Binary: "nova-compute", Host: HOST, Zone: "nova", Status: "enabled", State: "up" })]));
    expect(services.every((service: { Binary: string }) => service.Binary === "nova-compute")).toBe(true);
    const refused = await run(["compute", "service", "list"], "member");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("os_compute_api:os-services:list");
  });

  it("lists the host's zone", async () => {
    const zones = await os(["availability", "zone", "list", "--compute"]);
    expect(zones).toEqual(expect.arrayContaining([{ "Zone Name": "nova", "Zone Status": "available" }]));
    // Members may not see the detail; the CLI falls back to the summary.
    expect(await os(["availability", "zone", "list", "--compute"], "member")).toEqual(expect.arrayContaining([{ "Zone Name": "nova", "Zone Status": "available" }]));
  });

  it("lists and shows the hypervisor with its placement capacity", async () => {
    const listed = await os(["hypervisor", "list", "--long"]);
    const mine = listed.find((hypervisor: { "Hypervisor Hostname": string }) => hypervisor["Hypervisor Hostname"] === HOST);
    expect(mine).toMatchObject({ "Hypervisor Type": "fake", "Host IP": null, State: "up", "vCPUs Used": 0, vCPUs: 4, "Memory MB Used": 512, "Memory MB": 8192 });
    // The node's uuid from compute microversion 2.53 (the clouds.yaml asks for more), an integer before.
    if (typeof mine.ID === "number") expect(mine.ID).toBeGreaterThan(0);
    else expect(mine.ID).toBe(providerId);
    const shown = await os(["hypervisor", "show", HOST]);
    expect(shown).toMatchObject({
      id: mine.ID, hypervisor_hostname: HOST, service_host: HOST, state: "up", status: "enabled", aggregates: [],
      vcpus: 4, memory_mb: 8192, local_gb: 40, running_vms: 0, free_ram_mb: 7680, free_disk_gb: 40,
    });
  });
});

describe("openstack server group commands against weft up", () => {
  let id: string;

  it("creates an anti-affinity group", async () => {
    const created = await os(["server", "group", "create", "--policy", "anti-affinity", "G"], "member");
    expect(created).toMatchObject({ name: "G", policy: "anti-affinity", members: [], rules: {} });
    id = created.id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("lists and shows it", async () => {
    expect(await os(["server", "group", "list"], "member")).toEqual([{ ID: id, Name: "G", Policy: "anti-affinity" }]);
    expect(await os(["server", "group", "show", "G"], "member")).toMatchObject({ id, name: "G", policy: "anti-affinity" });
    expect(await os(["server", "group", "list"])).toEqual([]);
  });

  it("deletes it", async () => {
    const deleted = await run(["server", "group", "delete", "G"], "member");
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await os(["server", "group", "list"], "member")).toEqual([]);
  });
});

describe("openstack resource provider commands (osc-placement) against weft up", () => {
  it("finds placement in the catalog", async () => {
    const catalog = await os(["catalog", "list"]);
    const placement = catalog.find((entry: any) => entry.Type === "placement");
    expect(placement.Endpoints.map((endpoint: any) => endpoint.url)).toContain(`${weft.url}/placement`);
  });

  it("lists the host's provider", async () => {
    const providers = await os(["resource", "provider", "list"]);
    expect(providers).toEqual(expect.arrayContaining([{ uuid: providerId, name: HOST, generation: 1, root_provider_uuid: providerId, parent_provider_uuid: null }]));
    expect(await os(["resource", "provider", "list", "--name", HOST])).toHaveLength(1);
  });

  it("lists its inventory with what is used", async () => {
    const inventory = await os(["resource", "provider", "inventory", "list", providerId]);
    expect(inventory).toEqual(expect.arrayContaining([
      { resource_class: "VCPU", allocation_ratio: 16, min_unit: 1, max_unit: 4, reserved: 0, step_size: 1, total: 4, used: 0 },
      { resource_class: "MEMORY_MB", allocation_ratio: 1.5, min_unit: 1, max_unit: 8192, reserved: 512, step_size: 1, total: 8192, used: 0 },
    ]));
    expect(inventory).toHaveLength(3);
  });

  it("refuses an unknown provider with Placement's 404, and members", async () => {
    const missing = await run(["resource", "provider", "show", randomUUID()]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("No resource provider with uuid");
    const member = await run(["resource", "provider", "list"], "member");
    expect(member.code).not.toBe(0);
    expect(member.stderr).toContain("placement:resource_providers:list");
  });
});
