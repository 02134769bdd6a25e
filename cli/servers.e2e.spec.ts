/**
 * Acceptance: the real Debian `openstack` CLI against `weft up` booting servers end to end: the
 * gateway records the request, the scheduler places it, the relay hands it to the all-in-one's
 * fake-driver agent, which boots it and reports back. `server create --wait` must see ACTIVE;
 * list, show, stop, start, reboot, set, event list/show, server groups and `delete --wait` follow.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };

let weft: WeftProcess;
let clouds: string;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);
const run = (args: ReadonlyArray<string>) => openstack(clouds, "weft", args);

/** Polls `server show` until the status is `status` (the CLI's stop and start have no --wait). */
const until = async (server: string, status: string) => {
  for (let i = 0; i < 200; i++) {
    const shown = await os(["server", "show", server]);
    if (shown.status === status) return shown;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server ${server} never reached ${status}`);
};

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
  const imageFile = join(weft.home, "tiny.img");
  await writeFile(imageFile, Buffer.alloc(64 * 1024, 1));
  await os(["image", "create", "--file", imageFile, "--disk-format", "raw", "--container-format", "bare", "--public", "tiny"]);
  await os(["flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "m1.nano"]);
  // It prints the private key, not JSON.
  await run(["keypair", "create", "k1"]);
}, 120_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("openstack server commands against weft up", () => {
  let serverId: string;

  it("creates a server and waits until it is ACTIVE", async () => {
    const created = await os(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--key-name", "k1", "--wait", "web-1"]);
    serverId = created.id;
    expect(created).toMatchObject({ name: "web-1", status: "ACTIVE", key_name: "k1", "OS-EXT-STS:vm_state": "active" });
    // At 2.47+ the flavor is embedded; the CLI prints the power state's number in JSON.
    expect(created.flavor).toMatchObject({ original_name: "m1.nano", vcpus: 1, ram: 256, disk: 1 });
    expect(created.image).toContain("tiny");
    expect(created["OS-EXT-STS:power_state"]).toBe(1);
    expect(created["OS-SRV-USG:launched_at"]).toEqual(expect.any(String));
  });

  it("lists it with --status, --name and --long, and shows it", async () => {
    const listed = await os(["server", "list", "--status", "ACTIVE", "--name", "^web-"]);
    expect(listed.map((server: any) => server.Name)).toEqual(["web-1"]);
    expect(listed[0]).toMatchObject({ ID: serverId, Status: "ACTIVE", Image: "tiny", Flavor: "m1.nano" });
    const long = await os(["server", "list", "--long"]);
    expect(long.find((server: any) => server.ID === serverId)).toMatchObject({ "Power State": 1, "Availability Zone": "nova", "Image Name": "tiny" });
    expect(await os(["server", "list", "--status", "SHUTOFF"])).toEqual([]);
    const shown = await os(["server", "show", "web-1"]);
    expect(shown).toMatchObject({ id: serverId, status: "ACTIVE", "OS-EXT-STS:vm_state": "active" });
    expect(shown["OS-EXT-SRV-ATTR:host"]).toEqual(expect.any(String));
  });

  it("stops, starts and hard-reboots it", async () => {
    expect((await run(["server", "stop", serverId])).code).toBe(0);
    expect((await until(serverId, "SHUTOFF"))["OS-EXT-STS:power_state"]).toBe(4);
    const again = await run(["server", "stop", serverId]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/Cannot 'stop' instance .* while it is in vm_state stopped/);
    expect((await run(["server", "start", serverId])).code).toBe(0);
    await until(serverId, "ACTIVE");
    expect((await run(["server", "reboot", "--hard", "--wait", serverId])).code).toBe(0);
    expect((await os(["server", "show", serverId])).status).toBe("ACTIVE");
  });

  it("sets a property and a new name", async () => {
    expect((await run(["server", "set", "--property", "tier=web", "--name", "web-renamed", serverId])).code).toBe(0);
    const shown = await os(["server", "show", serverId]);
    expect(shown.name).toBe("web-renamed");
    expect(JSON.stringify(shown.properties)).toContain("tier");
  });

  it("lists its events from the log, each with its request id", async () => {
    const events = await os(["server", "event", "list", serverId]);
    expect(events.map((event: any) => event.Action)).toEqual(["reboot", "start", "stop", "create"]);
    for (const event of events) expect(event["Request ID"]).toMatch(/^req-[0-9a-f-]{36}$/);
    const create = events.find((event: any) => event.Action === "create");
    const shown = await os(["server", "event", "show", serverId, create["Request ID"]]);
    expect(shown).toMatchObject({ action: "create", request_id: create["Request ID"] });
    expect(JSON.stringify(shown.events)).toContain("compute__do_build_and_run_instance");
  });

  it("boots into an anti-affinity server group, and a second member on the only host fails with no valid host", async () => {
    const group = await os(["server", "group", "create", "--policy", "anti-affinity", "spread"]);
    const booted = await os(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--hint", `group=${group.id}`, "--wait", "grouped"]);
    expect(booted.status).toBe("ACTIVE");
    const shown = await os(["server", "group", "show", group.id]);
    expect(shown.members).toEqual([booted.id]);
    const second = await run(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--hint", `group=${group.id}`, "--wait", "grouped-2"]);
    // The CLI reports the failure but exits 0 (a bare SystemExit), so its words are what tell.
    expect(second.stdout + second.stderr).toContain("Error creating server");
    const failed = await os(["server", "show", "grouped-2"]);
    expect(failed).toMatchObject({ status: "ERROR", fault: { code: 500, message: "No valid host was found." } });
    for (const name of ["grouped", "grouped-2"]) expect((await run(["server", "delete", "--wait", name])).code).toBe(0);
  });

  it("refuses an unknown flavor, image or key with the API's message", async () => {
    const flavor = await run(["server", "create", "--flavor", "no-such", "--image", "tiny", "--nic", "none", "x"]);
    expect(flavor.code).not.toBe(0);
    const key = await run(["server", "create", "--flavor", "m1.nano", "--image", "tiny", "--nic", "none", "--key-name", "nope", "x"]);
    expect(key.code).not.toBe(0);
    expect(key.stderr).toContain("Invalid key_name provided.");
  });

  it("deletes it and waits until it is gone", async () => {
    expect((await run(["server", "delete", "--wait", serverId])).code).toBe(0);
    const gone = await run(["server", "show", serverId]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/No server with a name or ID/);
  });
});
