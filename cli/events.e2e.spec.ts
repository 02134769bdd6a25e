/**
 * Acceptance of the public event stream: the subscriber client follows `weft up`'s
 * `/events/v1/stream` while the real `openstack` CLI works, through a restart of the whole cloud,
 * and sees every event exactly once (checked by position); the events relay in the same process
 * had published up to the last event and saved its checkpoint there on the way down.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribeEvents, type AnyWeftCloudEvent } from "@weft/infra/events";
import { openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };

let weft: WeftProcess;
let clouds: string;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
}, 60_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

const login = async () => {
  const response = await fetch(`${weft.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: { identity: { methods: ["password"], password: { user: { name: ADMIN.username, domain: { id: "default" }, password: ADMIN.password } } }, scope: { project: { name: ADMIN.project, domain: { id: "default" } } } } }),
  });
  expect(response.status).toBe(201);
  return response.headers.get("x-subject-token")!;
};

/** Polls until `condition` holds on what was received; the test's timeout bounds it. */
const until = async (received: ReadonlyArray<AnyWeftCloudEvent>, condition: (events: ReadonlyArray<AnyWeftCloudEvent>) => boolean) => {
  while (!condition(received)) await new Promise((resolve) => setTimeout(resolve, 20));
};
const projectNamed = (name: string) => (events: ReadonlyArray<AnyWeftCloudEvent>) =>
  events.some((event) => event.type === "weft.identity.ProjectCreated" && event.data.name === name);

describe("the event stream of weft up", () => {
  it("follows the openstack CLI's changes from the first event on, across a restart, missing nothing", async () => {
    const received: Array<AnyWeftCloudEvent> = [];
    const stop = new AbortController();
    const port = new URL(weft.url).port;
    const following = (async () => {
      for await (const event of subscribeEvents({ url: weft.url, token: login, after: 0, signal: stop.signal, reconnectDelayMs: 100, maxReconnectDelayMs: 500 })) {
        received.push(event);
      }
    })();
    await os(["project", "create", "before-restart"]);
    await os(["flavor", "create", "--ram", "512", "--vcpus", "1", "--disk", "1", "ev.tiny"]);
    await until(received, projectNamed("before-restart"));
    await until(received, (events) => events.some((event) => event.type === "weft.compute.FlavorCreated"));
    // The bootstrap is there too, the admin's password hash is not.
    const admin = received.find((event) => event.type === "weft.identity.UserCreated");
    expect(admin?.data).toMatchObject({ name: "admin" });
    expect(JSON.stringify(received)).not.toMatch(/passwordHash|\$scrypt\$/);
    expect(await weft.stop("SIGTERM")).toBe(0);
    const store = new DatabaseSync(join(weft.dataDir, "events.sqlite"), { readOnly: true });
    const { head } = store.prepare("SELECT max(position) AS head FROM events").get() as { head: number };
    store.close();
    const checkpoint = Number(await readFile(join(weft.dataDir, "checkpoints", "event-relay.checkpoint"), "utf8"));
    expect(checkpoint).toBe(head);

    weft = await startWeft({ dataDir: weft.dataDir, home: weft.home, env: { WEFT_HTTP_PORT: port } });
    await os(["project", "create", "after-restart"]);
    await until(received, projectNamed("after-restart"));
    stop.abort();
    await following;

    const positions = received.map((event) => event.weftposition);
    expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
  });
});
