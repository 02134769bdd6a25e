/**
 * Questions the Keystone gateway asks the identity read model: lookups by id and by name, filtered
 * lists in a stable order (name, then id), assignments, the effective roles a token carries and
 * whether a token was revoked. All pure functions of the document.
 */
import { impliedRoleClosure, nameOwner } from "@weft/domain/identity";
import type { Domain, IdentityDocument, Project, Role, RoleAssignment, User } from "./document.ts";

const byNameThenId = (a: { readonly name: string; readonly id: string }, b: { readonly name: string; readonly id: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export const getDomain = (doc: IdentityDocument, domainId: string): Domain | undefined => doc.domains.get(domainId);

export const findDomainByName = (doc: IdentityDocument, name: string): Domain | undefined => {
  const id = doc.domainNames.get(name);
  return id === undefined ? undefined : doc.domains.get(id);
};

export const listDomains = (doc: IdentityDocument): ReadonlyArray<Domain> => doc.domains.valueSeq().toArray().sort(byNameThenId);

export const getProject = (doc: IdentityDocument, projectId: string): Project | undefined => doc.projects.get(projectId);

export const findProjectByName = (doc: IdentityDocument, domainId: string, name: string): Project | undefined => {
  const id = nameOwner(doc.projectNames, domainId, name);
  return id === undefined ? undefined : doc.projects.get(id);
};

export interface ProjectFilter {
  readonly name?: string;
  readonly domainId?: string;
  readonly enabled?: boolean;
}

export const listProjects = (doc: IdentityDocument, filter: ProjectFilter = {}): ReadonlyArray<Project> =>
  doc.projects
    .valueSeq()
    .filter((p) =>
      (filter.name === undefined || p.name === filter.name) &&
      (filter.domainId === undefined || p.domainId === filter.domainId) &&
      (filter.enabled === undefined || p.enabled === filter.enabled))
    .toArray()
    .sort(byNameThenId);

export const getUser = (doc: IdentityDocument, userId: string): User | undefined => doc.users.get(userId);

export const findUserByName = (doc: IdentityDocument, domainId: string, name: string): User | undefined => {
  const id = nameOwner(doc.userNames, domainId, name);
  return id === undefined ? undefined : doc.users.get(id);
};

export interface UserFilter {
  readonly name?: string;
  readonly domainId?: string;
  readonly enabled?: boolean;
}

export const listUsers = (doc: IdentityDocument, filter: UserFilter = {}): ReadonlyArray<User> =>
  doc.users
    .valueSeq()
    .filter((u) =>
      (filter.name === undefined || u.name === filter.name) &&
      (filter.domainId === undefined || u.domainId === filter.domainId) &&
      (filter.enabled === undefined || u.enabled === filter.enabled))
    .toArray()
    .sort(byNameThenId);

export const getRole = (doc: IdentityDocument, roleId: string): Role | undefined => doc.roles.get(roleId);

export const findRoleByName = (doc: IdentityDocument, name: string): Role | undefined => {
  const id = doc.roleNames.get(name);
  return id === undefined ? undefined : doc.roles.get(id);
};

export const listRoles = (doc: IdentityDocument, filter: { readonly name?: string } = {}): ReadonlyArray<Role> =>
  doc.roles
    .valueSeq()
    .filter((r) => filter.name === undefined || r.name === filter.name)
    .toArray()
    .sort(byNameThenId);

/** Implication rules (Keystone's role inferences), ordered by prior then implied role id. */
export const listImpliedRoles = (doc: IdentityDocument): ReadonlyArray<{ readonly priorRoleId: string; readonly impliedRoleId: string }> =>
  doc.impliedRoles
    .entrySeq()
    .flatMap(([priorRoleId, implied]) => implied.valueSeq().map((impliedRoleId) => ({ priorRoleId, impliedRoleId })))
    .toArray()
    .sort((a, b) => compareStrings(a.priorRoleId, b.priorRoleId) || compareStrings(a.impliedRoleId, b.impliedRoleId));

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface AssignmentFilter {
  readonly userId?: string;
  /** Project assignments on this project (system ones never match). */
  readonly projectId?: string;
  readonly roleId?: string;
  /** true: system assignments only; false: project assignments only. */
  readonly system?: boolean;
}

/** Direct assignments (implied roles are not expanded), ordered by user, role, then target. */
export const listAssignments = (doc: IdentityDocument, filter: AssignmentFilter = {}): ReadonlyArray<RoleAssignment> => {
  const candidates = filter.userId === undefined
    ? doc.assignments.valueSeq().flatMap((held) => held.valueSeq())
    : (doc.assignments.get(filter.userId)?.values() ?? []);
  return [...candidates]
    .filter((a) =>
      (filter.projectId === undefined || (!a.system && a.projectId === filter.projectId)) &&
      (filter.roleId === undefined || a.roleId === filter.roleId) &&
      (filter.system === undefined || a.system === filter.system))
    .sort((a, b) =>
      compareStrings(a.userId, b.userId) || compareStrings(a.roleId, b.roleId) ||
      Number(a.system) - Number(b.system) || compareStrings(a.projectId, b.projectId));
};

export type RoleScope = { readonly projectId: string } | { readonly system: true };

/**
 * The role ids a user holds on a scope: its direct assignments there plus every role they imply,
 * transitively (admin => member => reader), sorted. Only roles that still exist.
 */
export const effectiveRoleIds = (doc: IdentityDocument, userId: string, scope: RoleScope): ReadonlyArray<string> => {
  // forEach, not an iterator: this runs on every token validation, and immutable's iterators
  // cost more than the filtering itself.
  const direct: Array<string> = [];
  doc.assignments.get(userId)?.forEach((a) => {
    if ("system" in scope ? a.system : !a.system && a.projectId === scope.projectId) direct.push(a.roleId);
  });
  if (direct.length === 0) return [];
  return [...impliedRoleClosure(doc.impliedRoles, direct)].filter((roleId) => doc.roles.has(roleId)).sort(compareStrings);
};

export const isTokenRevoked = (doc: IdentityDocument, auditId: string): boolean => doc.revokedTokens.has(auditId);

/** When the user's tokens stopped counting (last password change or disable), if ever. */
export const tokensInvalidBefore = (doc: IdentityDocument, userId: string): string | undefined => doc.tokensInvalidBefore.get(userId);
