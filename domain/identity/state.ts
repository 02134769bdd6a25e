/**
 * The identity directory as `decide` needs it: which domains, projects, users and roles exist,
 * the name indexes that make uniqueness checks O(log n), the role assignments and the implied-role
 * rules. Collections are `immutable` persistent maps, so `evolve` stays pure and costs O(log n) per
 * event even for a directory of 100,000 events. Display-only data (role descriptions, password
 * hashes, tags) is left to the read model in `projections/identity`.
 */
import { Map as ImmutableMap, OrderedMap, OrderedSet, Set as ImmutableSet } from "immutable";
import type { IdentityEvent } from "./events.ts";

/** The aggregate id of the one identity directory of a Weft cloud. */
export const IDENTITY_DIRECTORY_ID = "00000000-0000-4000-8000-000000000001";
export const identityStream = `identity-${IDENTITY_DIRECTORY_ID}`;

export interface ProjectEntry {
  readonly domainId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
}

export interface UserEntry {
  readonly domainId: string;
  readonly name: string;
  readonly email: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly defaultProjectId: string;
}

export interface RoleEntry {
  readonly name: string;
}

/** A role held by a user on a project, or on the whole system (`projectId` then empty). */
export interface RoleAssignment {
  readonly roleId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly system: boolean;
}

/** `scope -> name -> id`: names are unique within a scope (a domain), not across scopes. */
export type ScopedNames = ImmutableMap<string, ImmutableMap<string, string>>;

export interface EmptyDirectory {
  readonly status: "empty";
}

export interface Directory {
  readonly status: "bootstrapped";
  readonly domains: ImmutableSet<string>;
  readonly projects: ImmutableMap<string, ProjectEntry>;
  readonly projectNames: ScopedNames;
  readonly users: ImmutableMap<string, UserEntry>;
  readonly userNames: ScopedNames;
  readonly roles: ImmutableMap<string, RoleEntry>;
  readonly roleNames: ImmutableMap<string, string>;
  /** Keyed by `assignmentKey`; ordered so cascades revoke in grant order. */
  readonly assignments: OrderedMap<string, RoleAssignment>;
  /** prior role id -> the role ids it directly implies. */
  readonly impliedRoles: ImmutableMap<string, OrderedSet<string>>;
}

export type IdentityState = EmptyDirectory | Directory;

export const initialState = (): IdentityState => ({ status: "empty" });

const emptyDirectory = (): Directory => ({
  status: "bootstrapped",
  domains: ImmutableSet(),
  projects: ImmutableMap(),
  projectNames: ImmutableMap(),
  users: ImmutableMap(),
  userNames: ImmutableMap(),
  roles: ImmutableMap(),
  roleNames: ImmutableMap(),
  assignments: OrderedMap(),
  impliedRoles: ImmutableMap(),
});

/**
 * The identity of an assignment. A system assignment ignores `projectId`, so a system grant that
 * carried a stray project id still matches its revocation.
 */
export const assignmentKey = (assignment: RoleAssignment): string =>
  JSON.stringify([assignment.roleId, assignment.userId, assignment.system ? "" : assignment.projectId, assignment.system]);

export const nameOwner = (index: ScopedNames, scope: string, name: string): string | undefined =>
  index.get(scope)?.get(name);

export const claimName = (index: ScopedNames, scope: string, name: string, id: string): ScopedNames =>
  index.set(scope, (index.get(scope) ?? ImmutableMap<string, string>()).set(name, id));

/** Frees `name` only if `id` holds it, and drops an emptied scope so rebuilt indexes compare equal. */
export const releaseName = (index: ScopedNames, scope: string, name: string, id: string): ScopedNames => {
  const names = index.get(scope);
  if (names?.get(name) !== id) return index;
  const rest = names.delete(name);
  return rest.isEmpty() ? index.delete(scope) : index.set(scope, rest);
};

/** Applies `change` to an existing entry; an event about an unknown id changes nothing. */
export const patch = <V>(map: ImmutableMap<string, V>, id: string, change: (value: V) => V): ImmutableMap<string, V> => {
  const value = map.get(id);
  return value === undefined ? map : map.set(id, change(value));
};

/**
 * Every role reachable from `roleIds` through implication rules (the roots included), in
 * breadth-first order; cycles are harmless. `implied` is any map from a prior role id to the
 * role ids it implies, such as `Directory.impliedRoles`.
 */
export const impliedRoleClosure = (
  implied: { readonly get: (priorRoleId: string) => Iterable<string> | undefined },
  roleIds: Iterable<string>,
): ReadonlySet<string> => {
  const seen = new Set<string>(roleIds);
  const queue = [...seen];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const roleId of implied.get(next) ?? []) {
      if (!seen.has(roleId)) {
        seen.add(roleId);
        queue.push(roleId);
      }
    }
  }
  return seen;
};

const withoutRole = (implied: ImmutableMap<string, OrderedSet<string>>, roleId: string) =>
  implied
    .delete(roleId)
    .map((roles) => roles.delete(roleId))
    .filter((roles) => !roles.isEmpty());

const evolveDirectory = (state: Directory, event: IdentityEvent): Directory => {
  switch (event.type) {
    case "DomainCreated":
      return { ...state, domains: state.domains.add(event.data.domainId) };
    case "RoleCreated": {
      const { roleId, name } = event.data;
      const previous = state.roles.get(roleId);
      const roleNames = previous === undefined || state.roleNames.get(previous.name) !== roleId
        ? state.roleNames
        : state.roleNames.delete(previous.name);
      return { ...state, roles: state.roles.set(roleId, { name }), roleNames: roleNames.set(name, roleId) };
    }
    case "RoleImplied": {
      const { priorRoleId, impliedRoleId } = event.data;
      const implied = (state.impliedRoles.get(priorRoleId) ?? OrderedSet<string>()).add(impliedRoleId);
      return { ...state, impliedRoles: state.impliedRoles.set(priorRoleId, implied) };
    }
    case "RoleDeleted": {
      const { roleId } = event.data;
      const role = state.roles.get(roleId);
      if (role === undefined) return state;
      return {
        ...state,
        roles: state.roles.delete(roleId),
        roleNames: state.roleNames.get(role.name) === roleId ? state.roleNames.delete(role.name) : state.roleNames,
        // No event removes implication rules: Keystone drops them with the role, so do we.
        impliedRoles: withoutRole(state.impliedRoles, roleId),
      };
    }
    case "ProjectCreated": {
      const { projectId, domainId, name, description, enabled } = event.data;
      const previous = state.projects.get(projectId);
      const names = previous === undefined ? state.projectNames : releaseName(state.projectNames, previous.domainId, previous.name, projectId);
      return {
        ...state,
        projects: state.projects.set(projectId, { domainId, name, description, enabled }),
        projectNames: claimName(names, domainId, name, projectId),
      };
    }
    case "ProjectRenamed": {
      const { projectId, name } = event.data;
      const project = state.projects.get(projectId);
      if (project === undefined) return state;
      return {
        ...state,
        projects: state.projects.set(projectId, { ...project, name }),
        projectNames: claimName(releaseName(state.projectNames, project.domainId, project.name, projectId), project.domainId, name, projectId),
      };
    }
    case "ProjectDescriptionChanged":
      return { ...state, projects: patch(state.projects, event.data.projectId, (p) => ({ ...p, description: event.data.description })) };
    case "ProjectEnabled":
      return { ...state, projects: patch(state.projects, event.data.projectId, (p) => ({ ...p, enabled: true })) };
    case "ProjectDisabled":
      return { ...state, projects: patch(state.projects, event.data.projectId, (p) => ({ ...p, enabled: false })) };
    case "ProjectDeleted": {
      const { projectId } = event.data;
      const project = state.projects.get(projectId);
      if (project === undefined) return state;
      // Its assignments went with the RoleAssignmentRevoked events decide emitted just before.
      return {
        ...state,
        projects: state.projects.delete(projectId),
        projectNames: releaseName(state.projectNames, project.domainId, project.name, projectId),
      };
    }
    case "UserCreated": {
      const { userId, domainId, name, email, description, enabled, defaultProjectId } = event.data;
      const previous = state.users.get(userId);
      const names = previous === undefined ? state.userNames : releaseName(state.userNames, previous.domainId, previous.name, userId);
      return {
        ...state,
        users: state.users.set(userId, { domainId, name, email, description, enabled, defaultProjectId }),
        userNames: claimName(names, domainId, name, userId),
      };
    }
    case "UserRenamed": {
      const { userId, name } = event.data;
      const user = state.users.get(userId);
      if (user === undefined) return state;
      return {
        ...state,
        users: state.users.set(userId, { ...user, name }),
        userNames: claimName(releaseName(state.userNames, user.domainId, user.name, userId), user.domainId, name, userId),
      };
    }
    case "UserPasswordChanged":
      return state;
    case "UserEmailChanged":
      return { ...state, users: patch(state.users, event.data.userId, (u) => ({ ...u, email: event.data.email })) };
    case "UserDescriptionChanged":
      return { ...state, users: patch(state.users, event.data.userId, (u) => ({ ...u, description: event.data.description })) };
    case "UserDefaultProjectChanged":
      return { ...state, users: patch(state.users, event.data.userId, (u) => ({ ...u, defaultProjectId: event.data.defaultProjectId })) };
    case "UserEnabled":
      return { ...state, users: patch(state.users, event.data.userId, (u) => ({ ...u, enabled: true })) };
    case "UserDisabled":
      return { ...state, users: patch(state.users, event.data.userId, (u) => ({ ...u, enabled: false })) };
    case "UserDeleted": {
      const { userId } = event.data;
      const user = state.users.get(userId);
      if (user === undefined) return state;
      return {
        ...state,
        users: state.users.delete(userId),
        userNames: releaseName(state.userNames, user.domainId, user.name, userId),
      };
    }
    case "RoleAssignmentGranted":
      return { ...state, assignments: state.assignments.set(assignmentKey(event.data), assignmentOf(event.data)) };
    case "RoleAssignmentRevoked":
      return { ...state, assignments: state.assignments.delete(assignmentKey(event.data)) };
    case "TokenRevoked":
      // Revocations matter to token validation only: the read model keeps them.
      return state;
    default: {
      // A compile error when an event type has no case; at run time an unknown fact changes nothing.
      const _unhandled: never = event;
      return state;
    }
  }
};

/** A clean copy: events decoded from the wire may carry more than the four fields. */
export const assignmentOf = ({ roleId, userId, projectId, system }: RoleAssignment): RoleAssignment =>
  ({ roleId, userId, projectId: system ? "" : projectId, system });

/**
 * Total and never throwing. Any event at all means the directory was bootstrapped: bootstrap is
 * the only command accepted on an empty directory.
 */
export const evolve = (state: IdentityState, event: IdentityEvent): IdentityState =>
  evolveDirectory(state.status === "empty" ? emptyDirectory() : state, event);
