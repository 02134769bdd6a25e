/**
 * Acceptance: the audit trail of a server that the real `openstack` CLI created, stopped and
 * deleted against `weft up`. `weft audit <server id>` lists each step with the user, the request
 * id the CLI's requests got and the command that caused it, both while the cloud runs and after
 * it stopped, and the same as the gateway's `/audit/v1` (found in the catalog) answers;
 * `weft audit --user <admin id> --since <t>` lists what the admin did since then.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "@weft/infra/audit";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type CliResult, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };
const mainTs = fileURLToPath(new URL("main.ts", import.meta.url));

let weft: WeftProcess;
let clouds: string;
let adminId: string;
let serverId: string;
let since: string;
const requestIds: Record<string, string> = {};
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);

/** `weft <args>` against the cloud's data dir, as an operator would run it. */
const weftCommand = (args: ReadonlyArray<string>) =>
  new Promise<CliResult>((resolve) => {
    execFile(process.execPath, [mainTs, ...args], { env: { ...process.env, WEFT_DATA_DIR: weft.dataDir, WEFT_EVENT_STORE: "" }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
    );
  });

const auditJson = async (args: ReadonlyArray<string>) => {
  const result = await weftCommand(["audit", ...args, "--format", "json"]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as AuditRecord);
};

const until = async (server: string, status: string) => {
  for (let i = 0; i < 200; i++) {
    if ((await os(["server", "show", server])).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server ${server} never reached ${status}`);
};

/** The server's life as the audit trail tells it: event, command, who and which request. */
const steps = (records: ReadonlyArray<AuditRecord>) =>
  records
    .filter((record) => record.weft.stream === `server-${serverId}`)
    .map((record) => [record.weft.eventType.replace("weft.compute.", ""), record.weft.commandType, record.initiator.id, record.weft.requestId?.startsWith("req-")]);

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
  adminId = (await os(["token", "issue"])).user_id;
  const imageFile = join(weft.home, "tiny.img");
  await writeFile(imageFile, Buffer.alloc(64 * 1024, 1));
  await os(["image", "create", "--file", imageFile, "--disk-format", "raw", "--container-format", "bare", "--public", "tiny"]);
  await os(["flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "m1.nano"]);

  since = new Date().toISOString();
  serverId = (await os(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--wait", "audited"])).id;
  const stopped = await openstack(clouds, "weft", ["server", "stop", serverId]);
  expect(stopped.code, stopped.stderr).toBe(0);
  await until(serverId, "SHUTOFF");
  for (const action of await os(["server", "event", "list", serverId])) requestIds[action.Action] = action["Request ID"];
  const deleted = await openstack(clouds, "weft", ["server", "delete", "--wait", serverId]);
  expect(deleted.code, deleted.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

const lifecycle = () => [
  ["ServerBuildRequested", "RequestServerBuild", adminId, true],
  ["ServerScheduled", "ScheduleServer", "weft", true],
  ["ServerSpawned", "ReportServerSpawned", "weft", true],
  ["ServerStopRequested", "StopServer", adminId, true],
  ["ServerStopped", "ReportServerStopped", "weft", true],
  ["ServerDeletionRequested", "DeleteServer", adminId, true],
  ["ServerDeleted", "ReportServerDestroyed", "weft", true],
];

describe("weft audit", () => {
  it("lists every step of the server with who asked, the request and the command, beside a running cloud", async () => {
    const records = await auditJson([serverId]);
    expect(steps(records)).toEqual(lifecycle());
    const byCommand = new Map(records.map((record) => [record.weft.commandType, record]));
    expect(byCommand.get("RequestServerBuild")).toMatchObject({
      typeURI: "http://schemas.dmtf.org/cloud/audit/1.0/event",
      action: "create",
      outcome: "pending",
      initiator: { typeURI: "service/security/account/user", id: adminId, name: "admin", roles: expect.arrayContaining(["admin"]) },
      target: { typeURI: "compute/machine", id: serverId, name: "audited" },
      weft: { requestId: requestIds.create },
    });
    expect(byCommand.get("StopServer")?.weft.requestId).toBe(requestIds.stop);
    expect(byCommand.get("DeleteServer")?.weft.requestId).toMatch(/^req-/);
    // The agent reports as the fabric, for the request that asked.
    expect(byCommand.get("ReportServerStopped")?.initiator).toMatchObject({ typeURI: "service", id: "weft" });
  });

  it("prints a readable table by default", async () => {
    const result = await weftCommand(["audit", serverId]);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^POSITION\s+TIME\s+EVENT\s+ACTION\s+OUTCOME\s+TARGET\s+USER\s+PROJECT\s+ROLES\s+REQUEST\s+COMMAND$/);
    const stop = rows.find((row) => row.includes("ServerStopRequested"));
    expect(stop).toContain(`admin ${adminId}`);
    expect(stop).toContain(requestIds.stop);
    expect(stop).toMatch(/\bstop\s+pending\b.*StopServer$/);
  });

  it("lists what the admin did since a time", async () => {
    const records = await auditJson(["--user", adminId, "--since", since]);
    expect(records.every((record) => record.initiator.id === adminId && Date.parse(record.eventTime) >= Date.parse(since))).toBe(true);
    expect(records.filter((record) => record.weft.stream === `server-${serverId}`).map((record) => record.weft.commandType)).toEqual(["RequestServerBuild", "StopServer", "DeleteServer"]);
    // Image and flavor were made before `since`: not listed.
    expect(records.some((record) => record.weft.eventType.startsWith("weft.image."))).toBe(false);
  });

  it("is in the catalog, and the gateway's /audit/v1 answers the same records", async () => {
    const service = await os(["catalog", "show", "audit"]);
    const endpoint = service.endpoints.find((entry: { interface: string }) => entry.interface === "public").url as string;
    expect(endpoint).toBe(`${weft.url}/audit/v1`);
    const token = (await os(["token", "issue"])).id as string;
    const response = await fetch(`${endpoint}/resources/${serverId}/history`, { headers: { "x-auth-token": token } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { records: Array<AuditRecord> }).records).toEqual(await auditJson([serverId]));
  });

  it("reads the same history after the cloud stopped", async () => {
    const running = await auditJson([serverId]);
    expect(await weft.stop()).toBe(0);
    expect(await auditJson([serverId])).toEqual(running);
  });

  it("refuses bad arguments with the usage, and says when nothing is recorded", async () => {
    for (const args of [[], ["--since", "yesterday", serverId], [serverId, "--format", "xml"], [serverId, "--user", adminId]]) {
      const result = await weftCommand(["audit", ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("usage: weft");
    }
    const none = await weftCommand(["audit", "00000000-0000-4000-8000-00000000beef"]);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(none.stderr).toContain("no events of 00000000-0000-4000-8000-00000000beef");
  });
});
