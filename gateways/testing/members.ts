/**
 * Test callers for gateway specs: a fresh project and a user holding one role on it, logged in
 * with a token scoped to that project. Test-only, over the cloud's own Keystone API.
 */
import { randomUUID } from "node:crypto";
import type { TestCloud } from "./testCloud.ts";

export interface ProjectCaller {
  readonly projectId: string;
  readonly userId: string;
  readonly token: string;
}

const created = async (response: Response, what: string) => {
  if (response.status !== 201) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, { id: string }>;
};

/** A user with `role` on `projectId`, or on a new project when none is given. */
export const projectCaller = async (cloud: TestCloud, role: "admin" | "member" | "reader", projectId?: string): Promise<ProjectCaller> => {
  const admin = { token: cloud.adminToken };
  const suffix = randomUUID().slice(0, 8);
  const project = projectId ?? (await created(await cloud.request("/identity/v3/projects", { ...admin, method: "POST", json: { project: { name: `p-${suffix}` } } }), "project")).project!.id;
  const password = `pw-${suffix}`;
  const user = (await created(await cloud.request("/identity/v3/users", { ...admin, method: "POST", json: { user: { name: `u-${suffix}`, password } } }), "user")).user!;
  const roles = (await (await cloud.request(`/identity/v3/roles?name=${role}`, admin)).json()) as { roles: Array<{ id: string }> };
  const granted = await cloud.request(`/identity/v3/projects/${project}/users/${user.id}/roles/${roles.roles[0]!.id}`, { ...admin, method: "PUT" });
  if (granted.status !== 204) throw new Error(`grant: ${granted.status}`);
  const issued = await cloud.request("/identity/v3/auth/tokens", {
    method: "POST",
    json: { auth: { identity: { methods: ["password"], password: { user: { id: user.id, password } } }, scope: { project: { id: project } } } },
  });
  const token = issued.headers.get("x-subject-token");
  if (token === null) throw new Error(`login: ${issued.status} ${await issued.text()}`);
  return { projectId: project, userId: user.id, token };
};
