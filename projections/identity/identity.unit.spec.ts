/**
 * The identity read model: given events (always folded through `foldProjected` with duplicate
 * delivery, see `fixtures.ts`), the expected documents and query answers.
 */
import { describe, expect, it } from "vitest";
import { identityEventTypes, type IdentityEvent } from "@weft/domain/identity";
import { foldProjected } from "../shared/index.ts";
import { at, bootstrapEvents, fold, ids } from "./fixtures.ts";
import {
  effectiveRoleIds,
  findDomainByName,
  findProjectByName,
  findRoleByName,
  findUserByName,
  getDomain,
  getProject,
  getRole,
  getUser,
  identityProjection,
  initialIdentityDocument,
  isTokenRevoked,
  listAssignments,
  listDomains,
  listImpliedRoles,
  listProjects,
  listRoles,
  listUsers,
  tokensInvalidBefore,
} from "./index.ts";

const n = bootstrapEvents.length;
const projectCreated = (projectId: string, name: string, enabled = true, domainId = ids.domain): IdentityEvent =>
  ({ type: "ProjectCreated", data: { projectId, domainId, name, description: "", enabled, tags: [] } });
const userCreated = (userId: string, name: string, enabled = true, domainId = ids.domain): IdentityEvent =>
  ({ type: "UserCreated", data: { userId, domainId, name, passwordHash: "h0", email: "", description: "", enabled, defaultProjectId: "" } });
const granted = (roleId: string, userId: string, projectId: string, system = false): IdentityEvent =>
  ({ type: "RoleAssignmentGranted", data: { roleId, userId, projectId, system } });
const revoked = (roleId: string, userId: string, projectId: string, system = false): IdentityEvent =>
  ({ type: "RoleAssignmentRevoked", data: { roleId, userId, projectId, system } });

describe("a bootstrapped directory", () => {
  const doc = fold(bootstrapEvents);

  it("gives the admin user admin, member and reader on the admin project and on the system", () => {
    expect(effectiveRoleIds(doc, ids.adminUser, { projectId: ids.adminProject })).toEqual([ids.admin, ids.member, ids.reader]);
    expect(effectiveRoleIds(doc, ids.adminUser, { system: true })).toEqual([ids.admin, ids.member, ids.reader]);
    expect(effectiveRoleIds(doc, ids.adminUser, { projectId: "elsewhere" })).toEqual([]);
  });

  it("holds the default domain, the admin project and the admin user", () => {
    expect(listDomains(doc)).toEqual([{ id: ids.domain, name: "Default", description: "The default domain", enabled: true }]);
    expect(findDomainByName(doc, "Default")).toBe(getDomain(doc, ids.domain));
    expect(findProjectByName(doc, ids.domain, "admin")).toEqual({
      id: ids.adminProject, domainId: ids.domain, name: "admin", description: "Bootstrap project for initializing the cloud.", enabled: true, tags: [],
    });
    expect(findUserByName(doc, ids.domain, "admin")).toEqual({
      id: ids.adminUser, domainId: ids.domain, name: "admin", passwordHash: "$argon2id$hash", email: "", description: "",
      enabled: true, defaultProjectId: "", passwordChangedAt: at(8), createdAt: at(8),
    });
    expect(tokensInvalidBefore(doc, ids.adminUser)).toBeUndefined();
  });

  it("lists the roles, their implications and the admin's two assignments", () => {
    expect(listRoles(doc).map((r) => r.name)).toEqual(["admin", "member", "reader"]);
    expect(findRoleByName(doc, "member")).toEqual({ id: ids.member, name: "member", description: "" });
    expect(listImpliedRoles(doc)).toEqual([
      { priorRoleId: ids.admin, impliedRoleId: ids.member },
      { priorRoleId: ids.member, impliedRoleId: ids.reader },
    ]);
    expect(listAssignments(doc)).toEqual([
      { roleId: ids.admin, userId: ids.adminUser, projectId: ids.adminProject, system: false },
      { roleId: ids.admin, userId: ids.adminUser, projectId: "", system: true },
    ]);
  });
});

describe("projects", () => {
  const doc = fold([
    ...bootstrapEvents,
    projectCreated("p2", "web"),
    { type: "ProjectCreated", data: { projectId: "p1", domainId: ids.domain, name: "www", description: "", enabled: true, tags: ["x"] } },
    { type: "ProjectRenamed", data: { projectId: "p1", name: "api" } },
    { type: "ProjectDescriptionChanged", data: { projectId: "p1", description: "the api" } },
    { type: "ProjectDisabled", data: { projectId: "p1" } },
    projectCreated("p3", "batch", false),
    { type: "ProjectEnabled", data: { projectId: "p3" } },
    projectCreated("p4", "gone"),
    { type: "ProjectDeleted", data: { projectId: "p4" } },
  ]);

  it("applies renames, description and enabled changes", () => {
    expect(getProject(doc, "p1")).toEqual({ id: "p1", domainId: ids.domain, name: "api", description: "the api", enabled: false, tags: ["x"] });
    expect(findProjectByName(doc, ids.domain, "api")?.id).toBe("p1");
    expect(findProjectByName(doc, ids.domain, "www")).toBeUndefined();
    expect(findProjectByName(doc, ids.domain, "web")?.id).toBe("p2");
    expect(getProject(doc, "p3")?.enabled).toBe(true);
  });

  it("forgets a deleted project and its name", () => {
    expect(getProject(doc, "p4")).toBeUndefined();
    expect(findProjectByName(doc, ids.domain, "gone")).toBeUndefined();
  });

  it("lists by name, then id, with filters", () => {
    expect(listProjects(doc).map((p) => p.name)).toEqual(["admin", "api", "batch", "web"]);
    expect(listProjects(doc, { enabled: false }).map((p) => p.id)).toEqual(["p1"]);
    expect(listProjects(doc, { name: "web", domainId: ids.domain }).map((p) => p.id)).toEqual(["p2"]);
    expect(listProjects(doc, { domainId: "other" })).toEqual([]);
  });
});

describe("users", () => {
  const doc = fold([
    ...bootstrapEvents,
    userCreated("u1", "alice"),
    { type: "UserRenamed", data: { userId: "u1", name: "alicia" } },
    { type: "UserEmailChanged", data: { userId: "u1", email: "a@example.org" } },
    { type: "UserDescriptionChanged", data: { userId: "u1", description: "ops" } },
    { type: "UserDefaultProjectChanged", data: { userId: "u1", defaultProjectId: ids.adminProject } },
    { type: "UserPasswordChanged", data: { userId: "u1", passwordHash: "h1" } },
    userCreated("u2", "bob"),
    { type: "UserDisabled", data: { userId: "u2" } },
    { type: "UserEnabled", data: { userId: "u2" } },
    userCreated("u3", "carol"),
    granted(ids.reader, "u3", ids.adminProject),
    { type: "UserDeleted", data: { userId: "u3" } },
  ]);

  it("applies every change, stamping the password change", () =>
    expect(getUser(doc, "u1")).toEqual({
      id: "u1", domainId: ids.domain, name: "alicia", passwordHash: "h1", email: "a@example.org", description: "ops",
      enabled: true, defaultProjectId: ids.adminProject, passwordChangedAt: at(n + 6), createdAt: at(n + 1),
    }));

  it("invalidates earlier tokens on a password change or a disable, not on enable", () => {
    expect(tokensInvalidBefore(doc, "u1")).toBe(at(n + 6));
    expect(tokensInvalidBefore(doc, "u2")).toBe(at(n + 8));
    expect(getUser(doc, "u2")?.enabled).toBe(true);
  });

  it("forgets a deleted user, its name and its assignments", () => {
    expect(getUser(doc, "u3")).toBeUndefined();
    expect(findUserByName(doc, ids.domain, "carol")).toBeUndefined();
    expect(listAssignments(doc, { userId: "u3" })).toEqual([]);
    expect(effectiveRoleIds(doc, "u3", { projectId: ids.adminProject })).toEqual([]);
  });

  it("finds by new name only, and lists with filters", () => {
    expect(findUserByName(doc, ids.domain, "alice")).toBeUndefined();
    expect(findUserByName(doc, ids.domain, "alicia")?.id).toBe("u1");
    expect(listUsers(doc).map((u) => u.name)).toEqual(["admin", "alicia", "bob"]);
    expect(listUsers(doc, { name: "bob" }).map((u) => u.id)).toEqual(["u2"]);
    expect(listUsers(doc, { enabled: false })).toEqual([]);
    expect(listUsers(doc, { domainId: "other" })).toEqual([]);
  });
});

describe("roles and assignments", () => {
  const doc = fold([
    ...bootstrapEvents,
    { type: "RoleCreated", data: { roleId: "r1", name: "operator", description: "runs things" } },
    { type: "RoleCreated", data: { roleId: "r2", name: "auditor", description: "" } },
    projectCreated("p1", "web"),
    userCreated("u1", "alice"),
    granted(ids.member, "u1", "p1"),
    granted("r1", "u1", "p1"),
    granted("r1", "u1", ids.adminProject),
    granted(ids.reader, "u1", "", true),
    granted("r2", "u1", "p1"),
    revoked("r2", "u1", "p1"),
    revoked("r1", "u1", ids.adminProject),
    { type: "RoleDeleted", data: { roleId: "r2" } },
  ]);

  it("expands implied roles per scope", () => {
    expect(effectiveRoleIds(doc, "u1", { projectId: "p1" })).toEqual(["r-member", "r-reader", "r1"]);
    expect(effectiveRoleIds(doc, "u1", { system: true })).toEqual([ids.reader]);
    expect(effectiveRoleIds(doc, "u1", { projectId: ids.adminProject })).toEqual([]);
  });

  it("lists assignments with filters", () => {
    expect(listAssignments(doc, { userId: "u1" })).toEqual([
      { roleId: "r-member", userId: "u1", projectId: "p1", system: false },
      { roleId: "r-reader", userId: "u1", projectId: "", system: true },
      { roleId: "r1", userId: "u1", projectId: "p1", system: false },
    ]);
    expect(listAssignments(doc, { projectId: "p1" }).map((a) => a.roleId)).toEqual(["r-member", "r1"]);
    expect(listAssignments(doc, { roleId: "r1" }).map((a) => a.projectId)).toEqual(["p1"]);
    expect(listAssignments(doc, { system: true }).map((a) => a.userId)).toEqual([ids.adminUser, "u1"]);
    expect(listAssignments(doc, { system: false, userId: ids.adminUser }).map((a) => a.projectId)).toEqual([ids.adminProject]);
  });

  it("finds and lists roles, forgetting a deleted one", () => {
    expect(getRole(doc, "r1")).toEqual({ id: "r1", name: "operator", description: "runs things" });
    expect(getRole(doc, "r2")).toBeUndefined();
    expect(findRoleByName(doc, "auditor")).toBeUndefined();
    expect(listRoles(doc, { name: "operator" }).map((r) => r.id)).toEqual(["r1"]);
  });

  it("drops a deleted role from the implication chain", () => {
    const withoutMember = fold([...bootstrapEvents, revoked(ids.admin, ids.adminUser, "", true), { type: "RoleDeleted", data: { roleId: ids.member } }]);
    expect(effectiveRoleIds(withoutMember, ids.adminUser, { projectId: ids.adminProject })).toEqual([ids.admin]);
    expect(listImpliedRoles(withoutMember)).toEqual([]);
  });
});

describe("tokens", () => {
  const doc = fold([...bootstrapEvents, { type: "TokenRevoked", data: { auditId: "a1", userId: ids.adminUser, expiresAt: "2030-01-01T00:00:00Z" } }]);
  it("knows revoked audit ids and when they expire", () => {
    expect(isTokenRevoked(doc, "a1")).toBe(true);
    expect(isTokenRevoked(doc, "a2")).toBe(false);
    expect(doc.revokedTokens.get("a1")).toBe("2030-01-01T00:00:00Z");
  });
});

describe("identityProjection", () => {
  it("folds every identity event type", () => expect(identityProjection.eventTypes).toEqual(new Set(identityEventTypes)));

  it("ignores events about ids it does not hold", () => {
    const doc = fold([
      ...bootstrapEvents,
      { type: "ProjectRenamed", data: { projectId: "ghost", name: "x" } },
      { type: "UserPasswordChanged", data: { userId: "ghost", passwordHash: "x" } },
      { type: "UserDisabled", data: { userId: "ghost" } },
      { type: "UserDeleted", data: { userId: "ghost" } },
      { type: "RoleDeleted", data: { roleId: "ghost" } },
      revoked(ids.admin, "ghost", ids.adminProject),
    ]);
    expect(doc).toEqual(fold(bootstrapEvents));
  });

  it("leaves the document alone for a foreign event type but advances the position", () => {
    const foreign = { event: { type: "ServerCreated", data: {} }, stream: "compute-1", position: 5, occurredAt: at(5) };
    const state = foldProjected(identityProjection, { position: 4, doc: initialIdentityDocument() }, foreign as never);
    expect(state).toEqual({ position: 5, doc: initialIdentityDocument() });
  });
});

describe("a large directory", () => {
  // A quadratic fold (copying collections per event) would take minutes here, not seconds.
  it("folds 100,000 events in linearithmic time", () => {
    const events: Array<IdentityEvent> = [...bootstrapEvents];
    for (let i = 0; i < 50_000; i++) events.push(projectCreated(`p${i}`, `project-${i}`), granted(ids.reader, ids.adminUser, `p${i}`));
    const doc = events.reduce(
      (d, event, index) => identityProjection.evolve(d, { event, stream: "identity-x", position: index + 1, occurredAt: at(index + 1) }),
      identityProjection.initial(),
    );
    expect(listAssignments(doc, { userId: ids.adminUser })).toHaveLength(50_002);
    expect(effectiveRoleIds(doc, ids.adminUser, { projectId: "p49999" })).toEqual([ids.reader]);
  }, 30_000);
});
