/**
 * Nothing acknowledged is lost: `kill -9` of the all-in-one while creates are in flight, then a
 * restart on the same data dir (its orphaned private nats-server is cleaned up) must show every
 * project whose create was answered 201, exactly once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { removeDirs, startWeft, type WeftProcess } from "./testing/weftProcess.ts";

const PASSWORD = "crash-admin-password";
let weft: WeftProcess | undefined;
const dirs: Array<string> = [];

afterAll(async () => {
  await weft?.stop("SIGTERM");
  await removeDirs(...dirs);
});

const adminToken = async (url: string) => {
  const response = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: PASSWORD } } },
        scope: { project: { name: "admin", domain: { id: "default" } } },
      },
    }),
  });
  expect(response.status).toBe(201);
  return response.headers.get("x-subject-token")!;
};

describe("kill -9 of the all-in-one", () => {
  it("loses no acknowledged command", async () => {
    weft = await startWeft({ adminPassword: PASSWORD });
    dirs.push(weft.dataDir, weft.home);
    const token = await adminToken(weft.url);
    const acknowledged: Array<string> = [];
    const first = weft;

    const creates = Array.from({ length: 600 }, (_, index) => `crash-${index}`);
    let next = 0;
    const worker = async () => {
      while (next < creates.length) {
        const name = creates[next++]!;
        try {
          const response = await fetch(`${first.url}/identity/v3/projects`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-auth-token": token },
            body: JSON.stringify({ project: { name } }),
          });
          if (response.status === 201) acknowledged.push(name);
        } catch {
          return; // the server is gone
        }
        if (acknowledged.length === 150) first.child.kill("SIGKILL");
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await first.exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(acknowledged.length).toBeLessThan(creates.length);

    weft = await startWeft({ dataDir: first.dataDir, home: first.home, adminPassword: PASSWORD });
    const listed = await fetch(`${weft.url}/identity/v3/projects`, { headers: { "x-auth-token": await adminToken(weft.url) } });
    const names = ((await listed.json()) as { projects: Array<{ name: string }> }).projects.map((project) => project.name);
    expect(names).toEqual(expect.arrayContaining(acknowledged));
    expect(new Set(names).size).toBe(names.length);
  }, 120_000);
});
