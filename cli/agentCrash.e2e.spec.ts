/**
 * Fault acceptance of the host agent with real processes: `kill -9` of a `weft agent` while it
 * boots a server. Restarted on the same host and data dir, it must finish that boot exactly once
 * (one create action, one instance in the fake hypervisor, even after JetStream redelivers the
 * instruction the killed agent never acknowledged); never restarted, the build timeout must put
 * the server in ERROR with Nova's fault rather than leave it in BUILD.
 *
 * The agent's host is in a zone of its own, so `server create --availability-zone` puts the server
 * on it and not on the all-in-one's own host. "Mid-boot" is read from the host's JetStream
 * consumer: the spawn instruction delivered and not yet acknowledged, while the boot delay holds
 * the fake hypervisor.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { Nats } from "@weft/infra/bus";
import { agentConsumerName, hostStreamName } from "@weft/infra/host";
import { makeTempDir, openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const mainTs = fileURLToPath(new URL("main.ts", import.meta.url));
const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };
const HOST = "crashy";
const ZONE = "crash-zone";
// Long enough to kill the agent inside it on a loaded machine; short enough for a quick restart.
const BOOT_DELAY_MS = 4_000;
// Room for the kill on a loaded machine before it runs out; the second case waits it out.
const BUILD_TIMEOUT_MS = 10_000;
const BUILD_TIMEOUT_FAULT = "Instance build timed out. Set to error state.";

interface AgentProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

const wefts: Array<WeftProcess> = [];
const agents: Array<AgentProcess> = [];
const dirs: Array<string> = [];

afterAll(async () => {
  for (const agent of agents) if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
  await Promise.all(agents.map((agent) => agent.exited));
  await Promise.all(wefts.map((weft) => weft.stop()));
  await removeDirs(...dirs);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value; the last value it saw goes into the error. */
const eventually = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> => {
  let last: unknown;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const value = await check().catch((error: unknown) => ((last = error), undefined));
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting until ${what}; last seen: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
};

interface Cloud {
  readonly weft: WeftProcess;
  readonly natsUrl: string;
  readonly os: (args: ReadonlyArray<string>) => Promise<any>;
  readonly run: (args: ReadonlyArray<string>) => ReturnType<typeof openstack>;
}

const startCloud = async (env: Readonly<Record<string, string>> = {}): Promise<Cloud> => {
  const weft = await startWeft({ adminPassword: ADMIN.password, env });
  wefts.push(weft);
  dirs.push(weft.dataDir, weft.home);
  const natsUrl = /NATS:\s+(nats:\/\/\S+)/.exec(weft.output())?.[1];
  if (natsUrl === undefined) throw new Error(`no NATS URL in the output of weft up:\n${weft.output()}`);
  const clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
  const cloud: Cloud = { weft, natsUrl, os: (args) => openstackJson<any>(clouds, "weft", args), run: (args) => openstack(clouds, "weft", args) };
  const imageFile = join(weft.home, "tiny.img");
  await writeFile(imageFile, Buffer.alloc(64 * 1024, 1));
  await cloud.os(["image", "create", "--file", imageFile, "--disk-format", "raw", "--container-format", "bare", "--public", "tiny"]);
  await cloud.os(["flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "m1.nano"]);
  return cloud;
};

const startAgent = (cloud: Cloud, dataDir: string): AgentProcess => {
  const args = ["--host", HOST, "--fake", "--boot-delay-ms", String(BOOT_DELAY_MS), "--availability-zone", ZONE];
  const child = spawn(process.execPath, [mainTs, "agent", ...args], {
    env: { ...process.env, WEFT_DATA_DIR: dataDir, WEFT_NATS_URL: cloud.natsUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const agent = { child, output: () => output, exited: new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))) };
  agents.push(agent);
  return agent;
};

/** Registered, heartbeating and in its zone as the API shows it: the scheduler can choose it. */
const agentReady = async (cloud: Cloud, agent: AgentProcess) => {
  await eventually(`agent ${HOST} is consuming`, async () => {
    if (agent.child.exitCode !== null) throw new Error(`the agent exited ${agent.child.exitCode}:\n${agent.output()}`);
    return agent.output().includes("consuming instructions") || undefined;
  });
  await eventually(`${HOST} is up in ${ZONE}`, async () => {
    const services: Array<any> = await cloud.os(["compute", "service", "list"]);
    const service = services.find((s) => s.Host === HOST && s.Binary === "nova-compute");
    const hypervisors: Array<any> = await cloud.os(["hypervisor", "list"]);
    const ready = service?.State === "up" && service?.Zone === ZONE && hypervisors.some((h) => h["Hypervisor Hostname"] === HOST);
    return ready || undefined;
  });
};

interface ConsumerInfo {
  readonly num_pending: number;
  readonly num_ack_pending: number;
  readonly delivered: { readonly consumer_seq: number; readonly stream_seq: number };
  readonly ack_floor: { readonly consumer_seq: number; readonly stream_seq: number };
  readonly error?: { readonly description: string };
}

/** The host's durable consumer as JetStream reports it (its JSON API, over the cloud's NATS). */
const hostConsumer = (cloud: Cloud) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const { connection } = yield* Nats;
      const reply = yield* Effect.promise(() => connection.request(`$JS.API.CONSUMER.INFO.${hostStreamName()}.${agentConsumerName(HOST)}`, "", { timeout: 10_000 }));
      const info = reply.json<ConsumerInfo>();
      if (info.error !== undefined) return yield* Effect.die(new Error(`consumer info: ${info.error.description}`));
      return info;
    }).pipe(Effect.provide(Nats.layer(cloud.natsUrl))),
  );

/** The instances the fake hypervisor of HOST holds, from its state file (none before its first write). */
const fakeInstances = (agentDataDir: string): Array<{ readonly info: { readonly serverId: string } }> => {
  const stateFile = join(agentDataDir, "fake", `${HOST}.json`);
  return existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")).instances : [];
};

/** Boots a server into the agent's zone and kills the agent (-9) while it is booting it. */
const bootAndKillMidBoot = async (cloud: Cloud, agent: AgentProcess, agentDataDir: string, name: string) => {
  const created = await cloud.os(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--availability-zone", ZONE, name]);
  const serverId: string = created.id;
  await eventually(`the agent received the spawn of ${name}`, async () => {
    const consumer = await hostConsumer(cloud);
    return consumer.num_ack_pending > 0 || undefined;
  });
  agent.child.kill("SIGKILL");
  await agent.exited;
  expect(agent.child.signalCode).toBe("SIGKILL");
  // The boot was cut short: the fake hypervisor records an instance before it reports it.
  expect(fakeInstances(agentDataDir)).toEqual([]);
  return serverId;
};

/** Polls `server show` until `status`; any status but BUILD on the way fails. */
const untilStatus = (cloud: Cloud, serverId: string, status: string) =>
  eventually(`server ${serverId} is ${status}`, async () => {
    const shown = await cloud.os(["server", "show", serverId]);
    if (shown.status !== status && shown.status !== "BUILD") throw new Error(`server ${serverId} went ${shown.status}: ${JSON.stringify(shown.fault)}`);
    return shown.status === status ? shown : undefined;
  });

describe("kill -9 of a host agent mid-boot", () => {
  it("restarted on the same host and data dir, it boots the server to ACTIVE exactly once", async () => {
    const cloud = await startCloud();
    const agentDataDir = await makeTempDir("weft-e2e-agent-");
    dirs.push(agentDataDir);
    const first = startAgent(cloud, agentDataDir);
    await agentReady(cloud, first);

    const serverId = await bootAndKillMidBoot(cloud, first, agentDataDir, "survivor");
    const building = await cloud.os(["server", "show", serverId]);
    expect(building).toMatchObject({ status: "BUILD", "OS-EXT-STS:task_state": "spawning", "OS-EXT-SRV-ATTR:host": HOST, "OS-EXT-AZ:availability_zone": ZONE });

    const second = startAgent(cloud, agentDataDir);
    const active = await untilStatus(cloud, serverId, "ACTIVE");
    expect(active).toMatchObject({ "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": 1, "OS-EXT-SRV-ATTR:host": HOST });

    // The killed agent's delivery comes again once JetStream's ack wait runs out; the restarted
    // agent must find the instance and report it, not boot a second one. Settled means acknowledged.
    const settled = await eventually("the host's instructions are all acknowledged", async () => {
      const consumer = await hostConsumer(cloud);
      return consumer.num_ack_pending === 0 && consumer.num_pending === 0 ? consumer : undefined;
    });
    expect(settled.ack_floor.stream_seq).toBe(settled.delivered.stream_seq);
    // Its one instruction was delivered more than once: the redelivery was carried out, as a report.
    expect(settled.delivered.consumer_seq).toBeGreaterThan(1);
    expect(second.child.exitCode).toBeNull();

    expect(fakeInstances(agentDataDir).map((instance) => instance.info.serverId)).toEqual([serverId]);
    const actions: Array<any> = await cloud.os(["server", "event", "list", serverId]);
    expect(actions.map((action) => action.Action)).toEqual(["create"]);
    const create = await cloud.os(["server", "event", "show", serverId, actions[0]["Request ID"]]);
    expect(create.events.map((event: any) => [event.event, event.result])).toEqual([
      ["conductor_schedule_and_build_instances", "Success"],
      ["compute__do_build_and_run_instance", "Success"],
    ]);
    expect((await cloud.os(["server", "show", serverId])).status).toBe("ACTIVE");
  });

  it("never restarted, the build times out: ERROR with Nova's fault, not BUILD forever", async () => {
    const cloud = await startCloud({ WEFT_BUILD_TIMEOUT_MS: String(BUILD_TIMEOUT_MS) });
    const agentDataDir = await makeTempDir("weft-e2e-agent-");
    dirs.push(agentDataDir);
    const agent = startAgent(cloud, agentDataDir);
    await agentReady(cloud, agent);

    const serverId = await bootAndKillMidBoot(cloud, agent, agentDataDir, "orphaned");

    const failed = await untilStatus(cloud, serverId, "ERROR");
    expect(failed).toMatchObject({ "OS-EXT-STS:vm_state": "error", "OS-EXT-SRV-ATTR:host": HOST, fault: { code: 500, message: BUILD_TIMEOUT_FAULT } });
    const actions: Array<any> = await cloud.os(["server", "event", "list", serverId]);
    expect(actions.map((action) => action.Action)).toEqual(["create"]);
    const create = await cloud.os(["server", "event", "show", serverId, actions[0]["Request ID"]]);
    expect(create.message).toBe("Error");
    expect(create.events.find((event: any) => event.event === "compute__do_build_and_run_instance")?.result).toBe("Error");
    expect(fakeInstances(agentDataDir)).toEqual([]);
  });
});
