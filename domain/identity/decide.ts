/**
 * What the identity directory decides: one small function per command, each checking Keystone's
 * rules (names unique within their scope, references that must exist) against the directory and
 * returning the events to record or a rejection. Deletes cascade as explicit RoleAssignmentRevoked
 * events first, so every subscriber sees the assignments go.
 */
import { assertNever, type Decision } from "../shared/index.ts";
import type {
  BootstrapIdentity,
  CreateProject,
  CreateRole,
  CreateUser,
  DeleteProject,
  DeleteRole,
  DeleteUser,
  GrantRole,
  IdentityCommand,
  RevokeRoleAssignment,
  RevokeToken,
  UpdateProject,
  UpdateUser,
} from "./commands.ts";
import type { IdentityEvent } from "./events.ts";
import {
  alreadyBootstrapped,
  domainNotFound,
  identityNotBootstrapped,
  projectIdTaken,
  projectNameTaken,
  projectNotFound,
  roleAssignmentNotFound,
  roleIdTaken,
  roleNameTaken,
  roleNotFound,
  userIdTaken,
  userNameTaken,
  userNotFound,
  type IdentityRejection,
} from "./rejections.ts";
import { assignmentKey, assignmentOf, nameOwner, type Directory, type IdentityState, type RoleAssignment } from "./state.ts";

type IdentityDecision = Decision<IdentityEvent, IdentityRejection>;

// Keystone's own descriptions for what `keystone-manage bootstrap` creates.
const DEFAULT_DOMAIN_DESCRIPTION = "The default domain";
const ADMIN_PROJECT_DESCRIPTION = "Bootstrap project for initializing the cloud.";

const bootstrap = (c: BootstrapIdentity): IdentityDecision => [
  { type: "DomainCreated", data: { domainId: c.domainId, name: c.domainName, description: DEFAULT_DOMAIN_DESCRIPTION, enabled: true } },
  { type: "RoleCreated", data: { roleId: c.adminRoleId, name: "admin", description: "" } },
  { type: "RoleCreated", data: { roleId: c.memberRoleId, name: "member", description: "" } },
  { type: "RoleCreated", data: { roleId: c.readerRoleId, name: "reader", description: "" } },
  { type: "RoleImplied", data: { priorRoleId: c.adminRoleId, impliedRoleId: c.memberRoleId } },
  { type: "RoleImplied", data: { priorRoleId: c.memberRoleId, impliedRoleId: c.readerRoleId } },
  {
    type: "ProjectCreated",
    data: { projectId: c.adminProjectId, domainId: c.domainId, name: c.adminProjectName, description: ADMIN_PROJECT_DESCRIPTION, enabled: true, tags: [] },
  },
  {
    type: "UserCreated",
    data: {
      userId: c.adminUserId, domainId: c.domainId, name: c.adminUserName, passwordHash: c.adminPasswordHash,
      email: "", description: "", enabled: true, defaultProjectId: "",
    },
  },
  { type: "RoleAssignmentGranted", data: { roleId: c.adminRoleId, userId: c.adminUserId, projectId: c.adminProjectId, system: false } },
  { type: "RoleAssignmentGranted", data: { roleId: c.adminRoleId, userId: c.adminUserId, projectId: "", system: true } },
];

const revocations = (d: Directory, matches: (a: RoleAssignment) => boolean): ReadonlyArray<IdentityEvent> =>
  d.assignments
    .valueSeq()
    .filter(matches)
    .map((a): IdentityEvent => ({ type: "RoleAssignmentRevoked", data: assignmentOf(a) }))
    .toArray();

const createProject = (c: CreateProject, d: Directory): IdentityDecision => {
  if (!d.domains.has(c.domainId)) return domainNotFound(c.domainId);
  if (nameOwner(d.projectNames, c.domainId, c.name) !== undefined) return projectNameTaken(c.name);
  if (d.projects.has(c.projectId)) return projectIdTaken(c.projectId);
  return [{
    type: "ProjectCreated",
    data: { projectId: c.projectId, domainId: c.domainId, name: c.name, description: c.description, enabled: c.enabled, tags: [...c.tags] },
  }];
};

const updateProject = (c: UpdateProject, d: Directory): IdentityDecision => {
  const { projectId } = c;
  const project = d.projects.get(projectId);
  if (project === undefined) return projectNotFound(projectId);
  const events: Array<IdentityEvent> = [];
  if (c.name !== undefined && c.name !== project.name) {
    if (nameOwner(d.projectNames, project.domainId, c.name) !== undefined) return projectNameTaken(c.name);
    events.push({ type: "ProjectRenamed", data: { projectId, name: c.name } });
  }
  if (c.description !== undefined && c.description !== project.description)
    events.push({ type: "ProjectDescriptionChanged", data: { projectId, description: c.description } });
  if (c.enabled !== undefined && c.enabled !== project.enabled)
    events.push(c.enabled ? { type: "ProjectEnabled", data: { projectId } } : { type: "ProjectDisabled", data: { projectId } });
  return events;
};

const deleteProject = ({ projectId }: DeleteProject, d: Directory): IdentityDecision => {
  if (!d.projects.has(projectId)) return projectNotFound(projectId);
  return [
    ...revocations(d, (a) => !a.system && a.projectId === projectId),
    { type: "ProjectDeleted", data: { projectId } },
  ];
};

/** The empty default project means "none"; any other must exist. */
const checkDefaultProject = (projectId: string, d: Directory): IdentityRejection | undefined =>
  projectId === "" || d.projects.has(projectId) ? undefined : projectNotFound(projectId);

const createUser = (c: CreateUser, d: Directory): IdentityDecision => {
  if (!d.domains.has(c.domainId)) return domainNotFound(c.domainId);
  if (nameOwner(d.userNames, c.domainId, c.name) !== undefined) return userNameTaken(c.name, c.domainId);
  if (d.users.has(c.userId)) return userIdTaken(c.userId);
  const badProject = checkDefaultProject(c.defaultProjectId, d);
  if (badProject !== undefined) return badProject;
  return [{
    type: "UserCreated",
    data: {
      userId: c.userId, domainId: c.domainId, name: c.name, passwordHash: c.passwordHash,
      email: c.email, description: c.description, enabled: c.enabled, defaultProjectId: c.defaultProjectId,
    },
  }];
};

const updateUser = (c: UpdateUser, d: Directory): IdentityDecision => {
  const { userId } = c;
  const user = d.users.get(userId);
  if (user === undefined) return userNotFound(userId);
  const events: Array<IdentityEvent> = [];
  if (c.name !== undefined && c.name !== user.name) {
    if (nameOwner(d.userNames, user.domainId, c.name) !== undefined) return userNameTaken(c.name, user.domainId);
    events.push({ type: "UserRenamed", data: { userId, name: c.name } });
  }
  // Always recorded, even when equal: a password change is also "log out everywhere".
  if (c.passwordHash !== undefined) events.push({ type: "UserPasswordChanged", data: { userId, passwordHash: c.passwordHash } });
  if (c.email !== undefined && c.email !== user.email) events.push({ type: "UserEmailChanged", data: { userId, email: c.email } });
  if (c.description !== undefined && c.description !== user.description)
    events.push({ type: "UserDescriptionChanged", data: { userId, description: c.description } });
  if (c.defaultProjectId !== undefined && c.defaultProjectId !== user.defaultProjectId) {
    const badProject = checkDefaultProject(c.defaultProjectId, d);
    if (badProject !== undefined) return badProject;
    events.push({ type: "UserDefaultProjectChanged", data: { userId, defaultProjectId: c.defaultProjectId } });
  }
  if (c.enabled !== undefined && c.enabled !== user.enabled)
    events.push(c.enabled ? { type: "UserEnabled", data: { userId } } : { type: "UserDisabled", data: { userId } });
  return events;
};

const deleteUser = ({ userId }: DeleteUser, d: Directory): IdentityDecision => {
  if (!d.users.has(userId)) return userNotFound(userId);
  return [...revocations(d, (a) => a.userId === userId), { type: "UserDeleted", data: { userId } }];
};

const createRole = (c: CreateRole, d: Directory): IdentityDecision => {
  if (d.roleNames.has(c.name)) return roleNameTaken(c.name);
  if (d.roles.has(c.roleId)) return roleIdTaken(c.roleId);
  return [{ type: "RoleCreated", data: { roleId: c.roleId, name: c.name, description: c.description } }];
};

const deleteRole = ({ roleId }: DeleteRole, d: Directory): IdentityDecision => {
  if (!d.roles.has(roleId)) return roleNotFound(roleId);
  return [...revocations(d, (a) => a.roleId === roleId), { type: "RoleDeleted", data: { roleId } }];
};

const grantRole = (c: GrantRole, d: Directory): IdentityDecision => {
  if (!d.roles.has(c.roleId)) return roleNotFound(c.roleId);
  if (!d.users.has(c.userId)) return userNotFound(c.userId);
  if (!c.system && !d.projects.has(c.projectId)) return projectNotFound(c.projectId);
  // Granting what is already held succeeds without a new fact, like Keystone's idempotent PUT.
  if (d.assignments.has(assignmentKey(c))) return [];
  return [{ type: "RoleAssignmentGranted", data: assignmentOf(c) }];
};

const revokeRoleAssignment = (c: RevokeRoleAssignment, d: Directory): IdentityDecision => {
  const held = d.assignments.get(assignmentKey(c));
  if (held === undefined) return roleAssignmentNotFound(c.roleId, c.userId, c.system ? "system" : c.projectId);
  return [{ type: "RoleAssignmentRevoked", data: assignmentOf(held) }];
};

const revokeToken = (c: RevokeToken): IdentityDecision => [
  { type: "TokenRevoked", data: { auditId: c.auditId, userId: c.userId, expiresAt: c.expiresAt } },
];

export const decide = (command: IdentityCommand, state: IdentityState): IdentityDecision => {
  if (command.type === "BootstrapIdentity") return state.status === "empty" ? bootstrap(command.data) : alreadyBootstrapped();
  if (state.status === "empty") return identityNotBootstrapped();
  switch (command.type) {
    case "CreateProject":
      return createProject(command.data, state);
    case "UpdateProject":
      return updateProject(command.data, state);
    case "DeleteProject":
      return deleteProject(command.data, state);
    case "CreateUser":
      return createUser(command.data, state);
    case "UpdateUser":
      return updateUser(command.data, state);
    case "DeleteUser":
      return deleteUser(command.data, state);
    case "CreateRole":
      return createRole(command.data, state);
    case "DeleteRole":
      return deleteRole(command.data, state);
    case "GrantRole":
      return grantRole(command.data, state);
    case "RevokeRoleAssignment":
      return revokeRoleAssignment(command.data, state);
    case "RevokeToken":
      return revokeToken(command.data);
    default:
      return assertNever(command);
  }
};
