/**
 * The identity read model the Keystone gateway answers from: every domain, project, user, role,
 * implication rule and assignment with the fields Keystone shows, plus what token validation needs
 * (revoked audit ids, and per user the instant before which its tokens stopped counting).
 * `evolveIdentity` is a pure fold over immutable collections: O(log n) per event.
 */
import { Map as ImmutableMap, Set as ImmutableSet } from "immutable";
import {
  assignmentKey,
  assignmentOf,
  claimName,
  releaseName,
  type IdentityEvent,
  type RoleAssignment,
  type ScopedNames,
} from "@weft/domain/identity";
import type { ProjectedEvent } from "../shared/index.ts";

export type { RoleAssignment } from "@weft/domain/identity";

export interface Domain {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
}

export interface Project {
  readonly id: string;
  readonly domainId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly tags: ReadonlyArray<string>;
}

export interface User {
  readonly id: string;
  readonly domainId: string;
  readonly name: string;
  /** A PHC string; never shown to API users. */
  readonly passwordHash: string;
  readonly email: string;
  readonly description: string;
  readonly enabled: boolean;
  /** Empty when the user has none. */
  readonly defaultProjectId: string;
  /** RFC 3339: when the current password was set (Keystone's `password_expires_at` counts from it). */
  readonly passwordChangedAt: string;
  readonly createdAt: string;
}

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export interface IdentityDocument {
  readonly domains: ImmutableMap<string, Domain>;
  readonly domainNames: ImmutableMap<string, string>;
  readonly projects: ImmutableMap<string, Project>;
  /** domainId -> name -> projectId. */
  readonly projectNames: ScopedNames;
  readonly users: ImmutableMap<string, User>;
  /** domainId -> name -> userId. */
  readonly userNames: ScopedNames;
  readonly roles: ImmutableMap<string, Role>;
  readonly roleNames: ImmutableMap<string, string>;
  /** prior role id -> the role ids it directly implies. */
  readonly impliedRoles: ImmutableMap<string, ImmutableSet<string>>;
  /** userId -> assignmentKey -> assignment: token issue and validation look up by user. */
  readonly assignments: ImmutableMap<string, ImmutableMap<string, RoleAssignment>>;
  /** Revoked token audit id -> the token's expiry (RFC 3339). */
  readonly revokedTokens: ImmutableMap<string, string>;
  /** userId -> RFC 3339 instant: tokens issued before it are invalid (password change, disable). */
  readonly tokensInvalidBefore: ImmutableMap<string, string>;
}

export const initialIdentityDocument = (): IdentityDocument => ({
  domains: ImmutableMap(),
  domainNames: ImmutableMap(),
  projects: ImmutableMap(),
  projectNames: ImmutableMap(),
  users: ImmutableMap(),
  userNames: ImmutableMap(),
  roles: ImmutableMap(),
  roleNames: ImmutableMap(),
  impliedRoles: ImmutableMap(),
  assignments: ImmutableMap(),
  revokedTokens: ImmutableMap(),
  tokensInvalidBefore: ImmutableMap(),
});

/** Drops `name -> id` only if `id` holds it, so a stale event cannot evict another entry's name. */
const releaseGlobalName = (names: ImmutableMap<string, string>, name: string, id: string) =>
  names.get(name) === id ? names.delete(name) : names;

export const withAssignment = (doc: IdentityDocument, assignment: RoleAssignment): IdentityDocument => {
  const clean = assignmentOf(assignment);
  const held = doc.assignments.get(clean.userId) ?? ImmutableMap<string, RoleAssignment>();
  return { ...doc, assignments: doc.assignments.set(clean.userId, held.set(assignmentKey(clean), clean)) };
};

const withoutAssignment = (doc: IdentityDocument, assignment: RoleAssignment): IdentityDocument => {
  const held = doc.assignments.get(assignment.userId);
  if (held === undefined) return doc;
  const rest = held.delete(assignmentKey(assignment));
  // Empty entries are dropped so a document rebuilt from a snapshot compares equal.
  return { ...doc, assignments: rest.isEmpty() ? doc.assignments.delete(assignment.userId) : doc.assignments.set(assignment.userId, rest) };
};

export const withImplication = (doc: IdentityDocument, priorRoleId: string, impliedRoleId: string): IdentityDocument => ({
  ...doc,
  impliedRoles: doc.impliedRoles.set(priorRoleId, (doc.impliedRoles.get(priorRoleId) ?? ImmutableSet<string>()).add(impliedRoleId)),
});

export const withDomain = (doc: IdentityDocument, domain: Domain): IdentityDocument => {
  const previous = doc.domains.get(domain.id);
  const names = previous === undefined ? doc.domainNames : releaseGlobalName(doc.domainNames, previous.name, domain.id);
  return { ...doc, domains: doc.domains.set(domain.id, domain), domainNames: names.set(domain.name, domain.id) };
};

export const withRole = (doc: IdentityDocument, role: Role): IdentityDocument => {
  const previous = doc.roles.get(role.id);
  const names = previous === undefined ? doc.roleNames : releaseGlobalName(doc.roleNames, previous.name, role.id);
  return { ...doc, roles: doc.roles.set(role.id, role), roleNames: names.set(role.name, role.id) };
};

export const withProject = (doc: IdentityDocument, project: Project): IdentityDocument => {
  const previous = doc.projects.get(project.id);
  const names = previous === undefined ? doc.projectNames : releaseName(doc.projectNames, previous.domainId, previous.name, project.id);
  return { ...doc, projects: doc.projects.set(project.id, project), projectNames: claimName(names, project.domainId, project.name, project.id) };
};

export const withUser = (doc: IdentityDocument, user: User): IdentityDocument => {
  const previous = doc.users.get(user.id);
  const names = previous === undefined ? doc.userNames : releaseName(doc.userNames, previous.domainId, previous.name, user.id);
  return { ...doc, users: doc.users.set(user.id, user), userNames: claimName(names, user.domainId, user.name, user.id) };
};

const updateProject = (doc: IdentityDocument, id: string, change: (project: Project) => Project) => {
  const project = doc.projects.get(id);
  return project === undefined ? doc : withProject(doc, change(project));
};

const updateUser = (doc: IdentityDocument, id: string, change: (user: User) => User) => {
  const user = doc.users.get(id);
  return user === undefined ? doc : withUser(doc, change(user));
};

const deleteRole = (doc: IdentityDocument, roleId: string): IdentityDocument => {
  const role = doc.roles.get(roleId);
  if (role === undefined) return doc;
  return {
    ...doc,
    roles: doc.roles.delete(roleId),
    roleNames: releaseGlobalName(doc.roleNames, role.name, roleId),
    // No event removes implication rules: they go with the role, as in Keystone. Its assignments
    // went with the RoleAssignmentRevoked events recorded just before.
    impliedRoles: doc.impliedRoles
      .delete(roleId)
      .map((implied) => implied.delete(roleId))
      .filter((implied) => !implied.isEmpty()),
  };
};

/** Total and never throwing: an event about an id the document does not hold changes nothing. */
export const evolveIdentity = (doc: IdentityDocument, { event, occurredAt }: ProjectedEvent<IdentityEvent>): IdentityDocument => {
  switch (event.type) {
    case "DomainCreated": {
      const { domainId, name, description, enabled } = event.data;
      return withDomain(doc, { id: domainId, name, description, enabled });
    }
    case "RoleCreated": {
      const { roleId, name, description } = event.data;
      return withRole(doc, { id: roleId, name, description });
    }
    case "RoleImplied":
      return withImplication(doc, event.data.priorRoleId, event.data.impliedRoleId);
    case "RoleDeleted":
      return deleteRole(doc, event.data.roleId);
    case "ProjectCreated": {
      const { projectId, domainId, name, description, enabled, tags } = event.data;
      return withProject(doc, { id: projectId, domainId, name, description, enabled, tags: [...tags] });
    }
    case "ProjectRenamed":
      return updateProject(doc, event.data.projectId, (p) => ({ ...p, name: event.data.name }));
    case "ProjectDescriptionChanged":
      return updateProject(doc, event.data.projectId, (p) => ({ ...p, description: event.data.description }));
    case "ProjectEnabled":
      return updateProject(doc, event.data.projectId, (p) => ({ ...p, enabled: true }));
    case "ProjectDisabled":
      return updateProject(doc, event.data.projectId, (p) => ({ ...p, enabled: false }));
    case "ProjectDeleted": {
      const project = doc.projects.get(event.data.projectId);
      if (project === undefined) return doc;
      // Its assignments went with the RoleAssignmentRevoked events recorded just before.
      return {
        ...doc,
        projects: doc.projects.delete(project.id),
        projectNames: releaseName(doc.projectNames, project.domainId, project.name, project.id),
      };
    }
    case "UserCreated": {
      const { userId, domainId, name, passwordHash, email, description, enabled, defaultProjectId } = event.data;
      return withUser(doc, {
        id: userId, domainId, name, passwordHash, email, description, enabled, defaultProjectId,
        passwordChangedAt: occurredAt, createdAt: occurredAt,
      });
    }
    case "UserRenamed":
      return updateUser(doc, event.data.userId, (u) => ({ ...u, name: event.data.name }));
    case "UserPasswordChanged": {
      const { userId, passwordHash } = event.data;
      if (!doc.users.has(userId)) return doc;
      const changed = updateUser(doc, userId, (u) => ({ ...u, passwordHash, passwordChangedAt: occurredAt }));
      return { ...changed, tokensInvalidBefore: changed.tokensInvalidBefore.set(userId, occurredAt) };
    }
    case "UserEmailChanged":
      return updateUser(doc, event.data.userId, (u) => ({ ...u, email: event.data.email }));
    case "UserDescriptionChanged":
      return updateUser(doc, event.data.userId, (u) => ({ ...u, description: event.data.description }));
    case "UserDefaultProjectChanged":
      return updateUser(doc, event.data.userId, (u) => ({ ...u, defaultProjectId: event.data.defaultProjectId }));
    case "UserEnabled":
      return updateUser(doc, event.data.userId, (u) => ({ ...u, enabled: true }));
    case "UserDisabled": {
      const { userId } = event.data;
      if (!doc.users.has(userId)) return doc;
      const disabled = updateUser(doc, userId, (u) => ({ ...u, enabled: false }));
      return { ...disabled, tokensInvalidBefore: disabled.tokensInvalidBefore.set(userId, occurredAt) };
    }
    case "UserDeleted": {
      const user = doc.users.get(event.data.userId);
      if (user === undefined) return doc;
      // A deleted user's tokens fail on the missing user, so nothing of it needs to stay.
      return {
        ...doc,
        users: doc.users.delete(user.id),
        userNames: releaseName(doc.userNames, user.domainId, user.name, user.id),
        assignments: doc.assignments.delete(user.id),
        tokensInvalidBefore: doc.tokensInvalidBefore.delete(user.id),
      };
    }
    case "RoleAssignmentGranted":
      return withAssignment(doc, event.data);
    case "RoleAssignmentRevoked":
      return withoutAssignment(doc, event.data);
    case "TokenRevoked":
      return { ...doc, revokedTokens: doc.revokedTokens.set(event.data.auditId, event.data.expiresAt) };
    default: {
      // A compile error when an event type has no case; at run time an unknown fact changes nothing.
      const _unhandled: never = event;
      return doc;
    }
  }
};
