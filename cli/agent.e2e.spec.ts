/**
 * Acceptance of `weft agent`: a separate process of fake hosts joins `weft up` through its NATS,
 * the real `openstack` CLI sees them as compute services and hypervisors, and a host whose agent
 * stops is shown down once its heartbeats are missed. Bad arguments stop it with a clear message.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const mainTs = fileURLToPath(new URL("main.ts", import.meta.url));

interface AgentProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

const startAgent = (args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>): AgentProcess => {
  const child = spawn(process.execPath, [mainTs, "agent", ...args], { env: { ...process.env, WEFT_NATS_URL: undefined, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  return { child, output: () => output, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
};

const eventually = async (condition: () => Promise<boolean>, what: string, timeoutMs = 60_000) => {
  for (const deadline = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

let weft: WeftProcess;
let clouds: string;
let natsUrl: string;
const agents: Array<AgentProcess> = [];
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: { username: "admin", password: "e2e-admin-password", project: "admin" } });
  natsUrl = /NATS:\s+(nats:\/\/\S+)/.exec(weft.output())![1]!;
}, 60_000);

afterAll(async () => {
  for (const agent of agents) if (agent.child.exitCode === null) agent.child.kill("SIGKILL");
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("weft agent", () => {
  it("refuses to start without WEFT_NATS_URL or with a host name that is no NATS subject token", async () => {
    const noNats = startAgent(["--host", "sim", "--fake"], { WEFT_DATA_DIR: weft.dataDir });
    expect(await noNats.exited).toBe(2);
    expect(noNats.output()).toContain("WEFT_NATS_URL is not set");
    const badName = startAgent(["--host", "sim.1", "--fake"], { WEFT_DATA_DIR: weft.dataDir, WEFT_NATS_URL: natsUrl });
    expect(await badName.exited).toBe(2);
    expect(badName.output()).toContain(`invalid host name "sim.1"`);
  });

  it("joins fake hosts to the cloud, shown up, and down once their agent stops", async () => {
    const agent = startAgent(["--host", "sim", "--fake", "--count", "2"], { WEFT_DATA_DIR: weft.dataDir, WEFT_NATS_URL: natsUrl });
    agents.push(agent);
    await eventually(async () => agent.output().includes("registered with the fake driver"), "the agent is up");

    const services = await os(["compute", "service", "list"]);
    const state = (host: string) => services.find((service: any) => service.Host === host)?.State;
    expect(state("sim-1")).toBe("up");
    expect(state("sim-2")).toBe("up");
    const hypervisors = (await os(["hypervisor", "list"])).map((h: any) => [h["Hypervisor Hostname"], h["Hypervisor Type"]]);
    expect(hypervisors).toEqual(expect.arrayContaining([["sim-1", "fake"], ["sim-2", "fake"]]));

    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    await eventually(async () => {
      const after = await os(["compute", "service", "list"]);
      return after.filter((service: any) => service.Host.startsWith("sim-")).every((service: any) => service.State === "down");
    }, "both fake hosts are shown down");
  });
});
