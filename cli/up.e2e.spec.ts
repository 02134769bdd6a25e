/**
 * Acceptance: the real Debian `openstack` CLI against `weft up` (a child process with a private
 * nats-server and the sqlite store), through the identity workflow of issue #2, then a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openstack, openstackJson, removeDirs, startWeft, writeCloudsYaml, type WeftProcess } from "./testing/weftProcess.ts";

const ADMIN = { username: "admin", password: "e2e-admin-password", project: "admin" };
const USER = { username: "e2e-user", password: "second-password", project: "e2e-project" };

let weft: WeftProcess;
let clouds: string;
const os = (args: ReadonlyArray<string>) => openstackJson<any>(clouds, "weft", args);

beforeAll(async () => {
  weft = await startWeft();
  clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN, "weft-user": USER });
}, 60_000);

afterAll(async () => {
  await weft?.stop();
  await removeDirs(weft.dataDir, weft.home);
});

describe("openstack CLI against weft up", () => {
  it("issues a token and lists the catalog", async () => {
    const token = await os(["token", "issue"]);
    expect(token.id).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(token.project_id).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(token.expires)).toBeGreaterThan(Date.now());
    const catalog = await os(["catalog", "list"]);
    const identity = catalog.find((entry: any) => entry.Type === "identity");
    expect(identity.Name).toBe("keystone");
    expect(identity.Endpoints.map((endpoint: any) => endpoint.url)).toContain(`${weft.url}/identity`);
  });

  it("manages projects, users and role assignments, and the new user logs in to its project", async () => {
    const project = await os(["project", "create", "--description", "made by e2e", USER.project]);
    expect(project).toMatchObject({ name: USER.project, description: "made by e2e", enabled: true, domain_id: "default" });
    expect((await os(["project", "list"])).map((p: any) => p.Name)).toEqual(expect.arrayContaining(["admin", USER.project]));
    expect((await os(["project", "show", USER.project])).id).toBe(project.id);

    const user = await os(["user", "create", "--password", "first-password", "--email", "e2e@example.org", USER.username]);
    expect(user).toMatchObject({ name: USER.username, email: "e2e@example.org", enabled: true });
    expect((await os(["user", "list"])).map((u: any) => u.Name)).toEqual(expect.arrayContaining(["admin", USER.username]));
    expect((await openstack(clouds, "weft", ["user", "set", "--password", USER.password, USER.username])).code).toBe(0);

    expect((await os(["role", "list"])).map((r: any) => r.Name).sort()).toEqual(["admin", "member", "reader"]);
    expect((await openstack(clouds, "weft", ["role", "add", "--user", USER.username, "--project", USER.project, "member"])).code).toBe(0);
    const assignments = await os(["role", "assignment", "list", "--user", USER.username, "--project", USER.project, "--names"]);
    expect(assignments).toEqual([expect.objectContaining({ Role: "member", User: `${USER.username}@Default`, Project: `${USER.project}@Default` })]);

    const userToken = await openstackJson<any>(clouds, "weft-user", ["token", "issue"]);
    expect(userToken.project_id).toBe(project.id);
    expect(userToken.user_id).toBe(user.id);
  });

  it("refuses the old password and keeps a member out of identity administration", async () => {
    const stale = await writeCloudsYaml(weft.home, weft.authUrl, { stale: { ...USER, password: "first-password" } });
    const refused = await openstack(stale, "stale", ["token", "issue"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/HTTP 401/);
    await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN, "weft-user": USER });
    const forbidden = await openstack(clouds, "weft-user", ["project", "create", "not-allowed"]);
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toMatch(/HTTP 403/);
  });

  it("deletes the user and the project", async () => {
    expect((await openstack(clouds, "weft", ["user", "delete", USER.username])).code).toBe(0);
    expect((await openstack(clouds, "weft", ["project", "delete", USER.project])).code).toBe(0);
    expect((await os(["project", "list"])).map((p: any) => p.Name)).not.toContain(USER.project);
    expect((await os(["user", "list"])).map((u: any) => u.Name)).not.toContain(USER.username);
    const gone = await openstack(clouds, "weft-user", ["token", "issue"]);
    expect(gone.stderr).toMatch(/HTTP 401/);
  });

  it("shuts down cleanly on SIGTERM and keeps every change across a restart", async () => {
    await os(["project", "create", "survivor"]);
    expect(await weft.stop("SIGTERM")).toBe(0);
    weft = await startWeft({ dataDir: weft.dataDir, home: weft.home });
    clouds = await writeCloudsYaml(weft.home, weft.authUrl, { weft: ADMIN });
    const names = (await os(["project", "list"])).map((p: any) => p.Name);
    expect(names).toContain("survivor");
    expect(names).not.toContain(USER.project);
    expect(weft.output()).not.toMatch(/identity bootstrapped/);
  });
});
