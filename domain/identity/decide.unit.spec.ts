/**
 * The identity directory's rules, one given/when/then per rule: bootstrap, Keystone's uniqueness
 * and existence checks, the accepted no-ops, and the delete cascades that revoke assignments first.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../shared/index.ts";
import {
  evolve,
  identityCommandTypes,
  identityDecider,
  impliedRoleClosure,
  initialState,
  type IdentityCommand,
  type IdentityEvent,
  type IdentityState,
} from "./index.ts";

const spec = deciderSpecification(identityDecider);

const ids = {
  domain: "default",
  adminProject: "p-admin",
  adminUser: "u-admin",
  admin: "r-admin",
  member: "r-member",
  reader: "r-reader",
};

const bootstrapCommand: IdentityCommand = {
  type: "BootstrapIdentity",
  data: {
    domainId: ids.domain, domainName: "Default", adminProjectId: ids.adminProject, adminProjectName: "admin",
    adminUserId: ids.adminUser, adminUserName: "admin", adminPasswordHash: "$argon2id$hash",
    adminRoleId: ids.admin, memberRoleId: ids.member, readerRoleId: ids.reader,
  },
};

// Builders keep the proto field order: the specification compares events as JSON.
const projectCreated = (projectId: string, name: string, domainId = ids.domain): IdentityEvent =>
  ({ type: "ProjectCreated", data: { projectId, domainId, name, description: "", enabled: true, tags: [] } });
const userCreated = (userId: string, name: string, defaultProjectId = "", domainId = ids.domain): IdentityEvent =>
  ({ type: "UserCreated", data: { userId, domainId, name, passwordHash: "h", email: "", description: "", enabled: true, defaultProjectId } });
const roleCreated = (roleId: string, name: string): IdentityEvent => ({ type: "RoleCreated", data: { roleId, name, description: "" } });
const granted = (roleId: string, userId: string, projectId: string, system = false): IdentityEvent =>
  ({ type: "RoleAssignmentGranted", data: { roleId, userId, projectId, system } });
const revoked = (roleId: string, userId: string, projectId: string, system = false): IdentityEvent =>
  ({ type: "RoleAssignmentRevoked", data: { roleId, userId, projectId, system } });
const domainCreated = (domainId: string, name: string): IdentityEvent =>
  ({ type: "DomainCreated", data: { domainId, name, description: "", enabled: true } });

const bootstrapped: ReadonlyArray<IdentityEvent> = [
  { type: "DomainCreated", data: { domainId: ids.domain, name: "Default", description: "The default domain", enabled: true } },
  roleCreated(ids.admin, "admin"),
  roleCreated(ids.member, "member"),
  roleCreated(ids.reader, "reader"),
  { type: "RoleImplied", data: { priorRoleId: ids.admin, impliedRoleId: ids.member } },
  { type: "RoleImplied", data: { priorRoleId: ids.member, impliedRoleId: ids.reader } },
  {
    type: "ProjectCreated",
    data: {
      projectId: ids.adminProject, domainId: ids.domain, name: "admin",
      description: "Bootstrap project for initializing the cloud.", enabled: true, tags: [],
    },
  },
  {
    type: "UserCreated",
    data: {
      userId: ids.adminUser, domainId: ids.domain, name: "admin", passwordHash: "$argon2id$hash",
      email: "", description: "", enabled: true, defaultProjectId: "",
    },
  },
  granted(ids.admin, ids.adminUser, ids.adminProject),
  granted(ids.admin, ids.adminUser, "", true),
];

/** A directory with project p1, user u1 (in p1) and role r1 besides the bootstrap. */
const populated: ReadonlyArray<IdentityEvent> = [
  ...bootstrapped,
  projectCreated("p1", "web"),
  userCreated("u1", "alice"),
  roleCreated("r1", "operator"),
];

const createProject = (projectId: string, name: string, domainId = ids.domain): IdentityCommand =>
  ({ type: "CreateProject", data: { projectId, domainId, name, description: "", enabled: true, tags: [] } });
const createUser = (userId: string, name: string, defaultProjectId = "", domainId = ids.domain): IdentityCommand =>
  ({ type: "CreateUser", data: { userId, domainId, name, passwordHash: "h", email: "", description: "", enabled: true, defaultProjectId } });
const grant = (roleId: string, userId: string, projectId: string, system = false): IdentityCommand =>
  ({ type: "GrantRole", data: { roleId, userId, projectId, system } });
const revoke = (roleId: string, userId: string, projectId: string, system = false): IdentityCommand =>
  ({ type: "RevokeRoleAssignment", data: { roleId, userId, projectId, system } });

describe("BootstrapIdentity", () => {
  it("creates the default domain, the three roles and their implications, the admin project, user and grants", () =>
    spec.given([]).when(bootstrapCommand).then(bootstrapped));

  it("is refused once bootstrapped", () => spec.given(bootstrapped).when(bootstrapCommand).thenRejects("AlreadyBootstrapped"));

  const others: ReadonlyArray<IdentityCommand> = [
    createProject("p1", "web"),
    { type: "UpdateProject", data: { projectId: "p1", name: "x" } },
    { type: "DeleteProject", data: { projectId: "p1" } },
    createUser("u1", "alice"),
    { type: "UpdateUser", data: { userId: "u1", email: "a@example.org" } },
    { type: "DeleteUser", data: { userId: "u1" } },
    { type: "CreateRole", data: { roleId: "r1", name: "operator", description: "" } },
    { type: "DeleteRole", data: { roleId: "r1" } },
    grant("r1", "u1", "p1"),
    revoke("r1", "u1", "p1"),
    { type: "RevokeToken", data: { auditId: "a1", userId: "u1", expiresAt: "2030-01-01T00:00:00Z" } },
  ];
  it("lists every other command below", () =>
    expect(new Set(others.map((c) => c.type))).toEqual(new Set(identityCommandTypes.filter((t) => t !== "BootstrapIdentity"))));
  it.each(others)("refuses $type before bootstrap", (command) => spec.given([]).when(command).thenRejects("IdentityNotBootstrapped"));
});

describe("CreateProject", () => {
  it("creates a project in an existing domain", () => spec.given(bootstrapped).when(createProject("p1", "web")).then([projectCreated("p1", "web")]));
  it("copies description, enabled and tags", () =>
    spec.given(bootstrapped)
      .when({ type: "CreateProject", data: { projectId: "p1", domainId: ids.domain, name: "web", description: "d", enabled: false, tags: ["a", "b"] } })
      .then([{ type: "ProjectCreated", data: { projectId: "p1", domainId: ids.domain, name: "web", description: "d", enabled: false, tags: ["a", "b"] } }]));
  it("needs the domain", () => spec.given(bootstrapped).when(createProject("p1", "web", "nowhere")).thenRejects("DomainNotFound"));
  it("refuses a name taken in the same domain", () => spec.given(populated).when(createProject("p2", "web")).thenRejects("ProjectNameTaken"));
  it("matches names exactly", () => spec.given(populated).when(createProject("p2", "Web")).then([projectCreated("p2", "Web")]));
  it("allows the same name in another domain", () =>
    spec.given([...populated, domainCreated("d2", "other")]).when(createProject("p2", "web", "d2")).then([projectCreated("p2", "web", "d2")]));
  it("refuses an id in use", () => spec.given(populated).when(createProject("p1", "other")).thenRejects("ProjectIdTaken"));
  it("frees the name of a deleted project", () =>
    spec.given([...populated, { type: "ProjectDeleted", data: { projectId: "p1" } }]).when(createProject("p2", "web")).then([projectCreated("p2", "web")]));
  it("words the name conflict as Keystone does", () => {
    const decision = identityDecider.decide(createProject("p2", "web"), populated.reduce(evolve, initialState()));
    expect(decision).toEqual({
      _tag: "ProjectNameTaken",
      message: "Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : web.",
    });
  });
});

describe("UpdateProject", () => {
  const update = (data: Omit<Extract<IdentityCommand, { type: "UpdateProject" }>["data"], "projectId">): IdentityCommand =>
    ({ type: "UpdateProject", data: { projectId: "p1", ...data } });
  it("needs the project", () =>
    spec.given(populated).when({ type: "UpdateProject", data: { projectId: "nope", name: "x" } }).thenRejects("ProjectNotFound"));
  it("renames", () => spec.given(populated).when(update({ name: "api" })).then([{ type: "ProjectRenamed", data: { projectId: "p1", name: "api" } }]));
  it("refuses a name taken in the domain", () => spec.given(populated).when(update({ name: "admin" })).thenRejects("ProjectNameTaken"));
  it("frees the old name after a rename", () =>
    spec.given([...populated, { type: "ProjectRenamed", data: { projectId: "p1", name: "api" } }])
      .when(createProject("p2", "web")).then([projectCreated("p2", "web")]));
  it("changes the description", () =>
    spec.given(populated).when(update({ description: "new" })).then([{ type: "ProjectDescriptionChanged", data: { projectId: "p1", description: "new" } }]));
  it("disables and enables", () => {
    spec.given(populated).when(update({ enabled: false })).then([{ type: "ProjectDisabled", data: { projectId: "p1" } }]);
    spec.given([...populated, { type: "ProjectDisabled", data: { projectId: "p1" } }])
      .when(update({ enabled: true })).then([{ type: "ProjectEnabled", data: { projectId: "p1" } }]);
  });
  it("records only what differs", () =>
    spec.given(populated).when(update({ name: "web", description: "", enabled: false })).then([{ type: "ProjectDisabled", data: { projectId: "p1" } }]));
  it("accepts an update that changes nothing, with no events", () => {
    spec.given(populated).when(update({})).then([]);
    spec.given(populated).when(update({ name: "web", description: "", enabled: true })).then([]);
  });
  it("records every change at once, in a stable order", () =>
    spec.given(populated).when(update({ enabled: false, description: "d", name: "api" })).then([
      { type: "ProjectRenamed", data: { projectId: "p1", name: "api" } },
      { type: "ProjectDescriptionChanged", data: { projectId: "p1", description: "d" } },
      { type: "ProjectDisabled", data: { projectId: "p1" } },
    ]));
});

describe("DeleteProject", () => {
  it("needs the project", () => spec.given(populated).when({ type: "DeleteProject", data: { projectId: "nope" } }).thenRejects("ProjectNotFound"));
  it("deletes a project without assignments", () =>
    spec.given(populated).when({ type: "DeleteProject", data: { projectId: "p1" } }).then([{ type: "ProjectDeleted", data: { projectId: "p1" } }]));
  it("revokes the assignments on the project first, leaving system and other projects' ones", () =>
    spec.given([
      ...populated,
      granted("r1", "u1", "p1"),
      granted(ids.member, "u1", ids.adminProject),
      granted(ids.reader, "u1", "", true),
      granted(ids.reader, ids.adminUser, "p1"),
    ]).when({ type: "DeleteProject", data: { projectId: "p1" } }).then([
      revoked("r1", "u1", "p1"),
      revoked(ids.reader, ids.adminUser, "p1"),
      { type: "ProjectDeleted", data: { projectId: "p1" } },
    ]));
  it("is gone afterwards", () =>
    spec.given([...populated, { type: "ProjectDeleted", data: { projectId: "p1" } }])
      .when({ type: "DeleteProject", data: { projectId: "p1" } }).thenRejects("ProjectNotFound"));
});

describe("CreateUser", () => {
  it("creates a user", () => spec.given(bootstrapped).when(createUser("u1", "alice")).then([userCreated("u1", "alice")]));
  it("copies every field", () =>
    spec.given(populated)
      .when({ type: "CreateUser", data: { userId: "u2", domainId: ids.domain, name: "bob", passwordHash: "x", email: "b@example.org", description: "d", enabled: false, defaultProjectId: "p1" } })
      .then([{ type: "UserCreated", data: { userId: "u2", domainId: ids.domain, name: "bob", passwordHash: "x", email: "b@example.org", description: "d", enabled: false, defaultProjectId: "p1" } }]));
  it("needs the domain", () => spec.given(bootstrapped).when(createUser("u1", "alice", "", "nowhere")).thenRejects("DomainNotFound"));
  it("refuses a name taken in the domain", () => spec.given(populated).when(createUser("u2", "alice")).thenRejects("UserNameTaken"));
  it("allows the same name in another domain", () =>
    spec.given([...populated, domainCreated("d2", "other")]).when(createUser("u2", "alice", "", "d2")).then([userCreated("u2", "alice", "", "d2")]));
  it("refuses an id in use", () => spec.given(populated).when(createUser("u1", "bob")).thenRejects("UserIdTaken"));
  it("needs the default project when one is given", () => spec.given(populated).when(createUser("u2", "bob", "nope")).thenRejects("ProjectNotFound"));
  it("frees the name of a deleted user", () =>
    spec.given([...populated, { type: "UserDeleted", data: { userId: "u1" } }]).when(createUser("u2", "alice")).then([userCreated("u2", "alice")]));
});

describe("UpdateUser", () => {
  const update = (data: Omit<Extract<IdentityCommand, { type: "UpdateUser" }>["data"], "userId">): IdentityCommand =>
    ({ type: "UpdateUser", data: { userId: "u1", ...data } });
  it("needs the user", () => spec.given(populated).when({ type: "UpdateUser", data: { userId: "nope" } }).thenRejects("UserNotFound"));
  it("renames, keeping names unique in the domain", () => {
    spec.given(populated).when(update({ name: "carol" })).then([{ type: "UserRenamed", data: { userId: "u1", name: "carol" } }]);
    spec.given(populated).when(update({ name: "admin" })).thenRejects("UserNameTaken");
  });
  it("records a password change even when the hash is the same", () =>
    spec.given(populated).when(update({ passwordHash: "h" })).then([{ type: "UserPasswordChanged", data: { userId: "u1", passwordHash: "h" } }]));
  it("changes email and description", () =>
    spec.given(populated).when(update({ email: "a@example.org", description: "d" })).then([
      { type: "UserEmailChanged", data: { userId: "u1", email: "a@example.org" } },
      { type: "UserDescriptionChanged", data: { userId: "u1", description: "d" } },
    ]));
  it("changes the default project to an existing one, or clears it", () => {
    spec.given(populated).when(update({ defaultProjectId: "p1" })).then([{ type: "UserDefaultProjectChanged", data: { userId: "u1", defaultProjectId: "p1" } }]);
    spec.given(populated).when(update({ defaultProjectId: "nope" })).thenRejects("ProjectNotFound");
    spec.given([...populated, { type: "UserDefaultProjectChanged", data: { userId: "u1", defaultProjectId: "p1" } }])
      .when(update({ defaultProjectId: "" })).then([{ type: "UserDefaultProjectChanged", data: { userId: "u1", defaultProjectId: "" } }]);
  });
  it("disables and enables", () => {
    spec.given(populated).when(update({ enabled: false })).then([{ type: "UserDisabled", data: { userId: "u1" } }]);
    spec.given([...populated, { type: "UserDisabled", data: { userId: "u1" } }]).when(update({ enabled: true })).then([{ type: "UserEnabled", data: { userId: "u1" } }]);
  });
  it("accepts an update that changes nothing, with no events", () =>
    spec.given(populated).when(update({ name: "alice", email: "", description: "", enabled: true, defaultProjectId: "" })).then([]));
  it("records every change at once, in a stable order", () =>
    spec.given(populated).when(update({ enabled: false, defaultProjectId: "p1", description: "d", email: "e", passwordHash: "p", name: "al" })).then([
      { type: "UserRenamed", data: { userId: "u1", name: "al" } },
      { type: "UserPasswordChanged", data: { userId: "u1", passwordHash: "p" } },
      { type: "UserEmailChanged", data: { userId: "u1", email: "e" } },
      { type: "UserDescriptionChanged", data: { userId: "u1", description: "d" } },
      { type: "UserDefaultProjectChanged", data: { userId: "u1", defaultProjectId: "p1" } },
      { type: "UserDisabled", data: { userId: "u1" } },
    ]));
});

describe("DeleteUser", () => {
  it("needs the user", () => spec.given(populated).when({ type: "DeleteUser", data: { userId: "nope" } }).thenRejects("UserNotFound"));
  it("revokes the user's assignments first, project and system alike", () =>
    spec.given([...populated, granted("r1", "u1", "p1"), granted(ids.reader, "u1", "", true), granted("r1", ids.adminUser, "p1")])
      .when({ type: "DeleteUser", data: { userId: "u1" } })
      .then([revoked("r1", "u1", "p1"), revoked(ids.reader, "u1", "", true), { type: "UserDeleted", data: { userId: "u1" } }]));
});

describe("CreateRole and DeleteRole", () => {
  const createRole = (roleId: string, name: string): IdentityCommand => ({ type: "CreateRole", data: { roleId, name, description: "" } });
  it("creates a role", () => spec.given(bootstrapped).when(createRole("r1", "operator")).then([roleCreated("r1", "operator")]));
  it("keeps role names unique across the cloud", () => spec.given(populated).when(createRole("r2", "member")).thenRejects("RoleNameTaken"));
  it("refuses an id in use", () => spec.given(populated).when(createRole("r1", "auditor")).thenRejects("RoleIdTaken"));
  it("needs the role to delete it", () => spec.given(populated).when({ type: "DeleteRole", data: { roleId: "nope" } }).thenRejects("RoleNotFound"));
  it("revokes the role's assignments first", () =>
    spec.given([...populated, granted("r1", "u1", "p1"), granted("r1", ids.adminUser, "", true), granted(ids.reader, "u1", "p1")])
      .when({ type: "DeleteRole", data: { roleId: "r1" } })
      .then([revoked("r1", "u1", "p1"), revoked("r1", ids.adminUser, "", true), { type: "RoleDeleted", data: { roleId: "r1" } }]));
  it("frees the name of a deleted role", () =>
    spec.given([...populated, { type: "RoleDeleted", data: { roleId: "r1" } }]).when(createRole("r2", "operator")).then([roleCreated("r2", "operator")]));
});

describe("GrantRole and RevokeRoleAssignment", () => {
  it("grants a role on a project", () => spec.given(populated).when(grant("r1", "u1", "p1")).then([granted("r1", "u1", "p1")]));
  it("grants a role on the system, recording no project", () => {
    spec.given(populated).when(grant("r1", "u1", "", true)).then([granted("r1", "u1", "", true)]);
    spec.given(populated).when(grant("r1", "u1", "stray", true)).then([granted("r1", "u1", "", true)]);
  });
  it("needs the role, the user and the project", () => {
    spec.given(populated).when(grant("nope", "u1", "p1")).thenRejects("RoleNotFound");
    spec.given(populated).when(grant("r1", "nope", "p1")).thenRejects("UserNotFound");
    spec.given(populated).when(grant("r1", "u1", "nope")).thenRejects("ProjectNotFound");
    spec.given(populated).when(grant("r1", "u1", "")).thenRejects("ProjectNotFound");
  });
  it("accepts granting what is already held, with no events", () => {
    spec.given([...populated, granted("r1", "u1", "p1")]).when(grant("r1", "u1", "p1")).then([]);
    spec.given([...populated, granted("r1", "u1", "", true)]).when(grant("r1", "u1", "", true)).then([]);
  });
  it("keeps project and system grants apart", () =>
    spec.given([...populated, granted("r1", "u1", "p1")]).when(grant("r1", "u1", "", true)).then([granted("r1", "u1", "", true)]));
  it("revokes a held assignment", () => {
    spec.given([...populated, granted("r1", "u1", "p1")]).when(revoke("r1", "u1", "p1")).then([revoked("r1", "u1", "p1")]);
    spec.given([...populated, granted("r1", "u1", "", true)]).when(revoke("r1", "u1", "", true)).then([revoked("r1", "u1", "", true)]);
  });
  it("refuses to revoke what is not held", () => {
    spec.given(populated).when(revoke("r1", "u1", "p1")).thenRejects("RoleAssignmentNotFound");
    spec.given([...populated, granted("r1", "u1", "p1")]).when(revoke("r1", "u1", "", true)).thenRejects("RoleAssignmentNotFound");
    spec.given([...populated, granted("r1", "u1", "p1"), revoked("r1", "u1", "p1")]).when(revoke("r1", "u1", "p1")).thenRejects("RoleAssignmentNotFound");
  });
});

describe("RevokeToken", () => {
  it("always records the revocation", () =>
    spec.given(populated)
      .when({ type: "RevokeToken", data: { auditId: "a1", userId: "u1", expiresAt: "2030-01-01T00:00:00Z" } })
      .then([{ type: "TokenRevoked", data: { auditId: "a1", userId: "u1", expiresAt: "2030-01-01T00:00:00Z" } }]));
});

describe("evolve", () => {
  const fold = (events: ReadonlyArray<IdentityEvent>): IdentityState => events.reduce(evolve, initialState());

  it("ignores events about ids it does not know", () => {
    const before = fold(populated);
    const after = fold([
      ...populated,
      { type: "ProjectRenamed", data: { projectId: "ghost", name: "x" } },
      { type: "ProjectDeleted", data: { projectId: "ghost" } },
      { type: "UserDisabled", data: { userId: "ghost" } },
      { type: "UserDeleted", data: { userId: "ghost" } },
      { type: "RoleDeleted", data: { roleId: "ghost" } },
      revoked("r1", "ghost", "p1"),
    ]);
    expect(after).toEqual(before);
  });

  it("drops a deleted role's implication rules", () => {
    const state = fold([...bootstrapped, { type: "RoleDeleted", data: { roleId: ids.member } }]);
    if (state.status !== "bootstrapped") throw new Error("not bootstrapped");
    expect(impliedRoleClosure(state.impliedRoles, [ids.admin])).toEqual(new Set([ids.admin]));
  });

  // A quadratic evolve (copying collections per event) would take minutes here, not seconds.
  it("folds a 100,000-event directory in linearithmic time", () => {
    const events: Array<IdentityEvent> = [...bootstrapped];
    for (let i = 0; i < 50_000; i++) events.push(projectCreated(`p${i}`, `project-${i}`), granted(ids.reader, ids.adminUser, `p${i}`));
    const state = fold(events);
    expect(state.status === "bootstrapped" && state.projects.size).toBe(50_001);
  }, 30_000);
});

describe("impliedRoleClosure", () => {
  const rules = new Map([["admin", ["member"]], ["member", ["reader"]], ["reader", ["admin"]]]);
  it("follows implications transitively and survives cycles", () =>
    expect(impliedRoleClosure(rules, ["admin"])).toEqual(new Set(["admin", "member", "reader"])));
  it("keeps the roots even without rules", () => expect(impliedRoleClosure(rules, ["other"])).toEqual(new Set(["other"])));
});
