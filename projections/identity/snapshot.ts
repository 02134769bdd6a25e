/**
 * The identity document as plain data for msgpack (and JSON): entities and pairs as arrays, the
 * name indexes left out and rebuilt on load. Changing this shape means bumping the projection's
 * version, so older snapshots are ignored and the document is rebuilt from the log.
 */
import { Map as ImmutableMap, Set as ImmutableSet } from "immutable";
import { assignmentKey, assignmentOf } from "@weft/domain/identity";
import {
  type Domain,
  type IdentityDocument,
  type Project,
  type Role,
  type RoleAssignment,
  type User,
} from "./document.ts";

export interface IdentitySnapshot {
  readonly domains: ReadonlyArray<Domain>;
  readonly projects: ReadonlyArray<Project>;
  readonly users: ReadonlyArray<User>;
  readonly roles: ReadonlyArray<Role>;
  /** [priorRoleId, impliedRoleId] */
  readonly impliedRoles: ReadonlyArray<readonly [string, string]>;
  readonly assignments: ReadonlyArray<RoleAssignment>;
  /** [auditId, expiresAt] */
  readonly revokedTokens: ReadonlyArray<readonly [string, string]>;
  /** [userId, RFC 3339 instant] */
  readonly tokensInvalidBefore: ReadonlyArray<readonly [string, string]>;
}

export const identityToSnapshot = (doc: IdentityDocument): IdentitySnapshot => ({
  domains: doc.domains.valueSeq().toArray(),
  projects: doc.projects.valueSeq().toArray(),
  users: doc.users.valueSeq().toArray(),
  roles: doc.roles.valueSeq().toArray(),
  impliedRoles: doc.impliedRoles
    .entrySeq()
    .flatMap(([prior, implied]) => implied.valueSeq().map((impliedRoleId): readonly [string, string] => [prior, impliedRoleId]))
    .toArray(),
  assignments: doc.assignments.valueSeq().flatMap((held) => held.valueSeq()).toArray(),
  revokedTokens: doc.revokedTokens.entrySeq().toArray(),
  tokensInvalidBefore: doc.tokensInvalidBefore.entrySeq().toArray(),
});

const isSnapshot = (value: unknown): value is IdentitySnapshot => {
  if (typeof value !== "object" || value === null) return false;
  const fields = ["domains", "projects", "users", "roles", "impliedRoles", "assignments", "revokedTokens", "tokensInvalidBefore"];
  return fields.every((field) => Array.isArray((value as Record<string, unknown>)[field]));
};

export class InvalidIdentitySnapshot extends Error {
  readonly _tag = "InvalidIdentitySnapshot";
}

/** `key -> value` of every item, filled as one transient (no path copy per entry). */
const keyed = <T, V>(items: ReadonlyArray<T>, keyOf: (item: T) => string, valueOf: (item: T) => V): ImmutableMap<string, V> =>
  ImmutableMap<string, V>().withMutations((map) => {
    for (const item of items) map.set(keyOf(item), valueOf(item));
  });

/** `scope -> key -> value` of every item, each map filled as one transient. */
const nested = <T, V>(
  items: ReadonlyArray<T>,
  scopeOf: (item: T) => string,
  keyOf: (item: T) => string,
  valueOf: (item: T) => V,
): ImmutableMap<string, ImmutableMap<string, V>> => {
  const scopes = new Map<string, ImmutableMap<string, V>>();
  for (const item of items) {
    const scope = scopeOf(item);
    let map = scopes.get(scope);
    if (map === undefined) scopes.set(scope, (map = ImmutableMap<string, V>().asMutable()));
    map.set(keyOf(item), valueOf(item));
  }
  return keyed([...scopes], ([scope]) => scope, ([, map]) => map.asImmutable());
};

/**
 * Throws InvalidIdentitySnapshot for anything that is not an `IdentitySnapshot`: rebuild from the log then.
 * Each collection is filled as one transient, not entry by entry through the fold's `with…`
 * helpers: restoring 100,000 entries takes a third of the time (and of the garbage). Entries go
 * in in the same order, so the document equals the one the fold built.
 */
export const identityFromSnapshot = (snapshot: unknown): IdentityDocument => {
  if (!isSnapshot(snapshot)) throw new InvalidIdentitySnapshot("not an identity read-model snapshot");
  const projects = snapshot.projects.map((project) => ({ ...project, tags: [...project.tags] }));
  const assignments = snapshot.assignments.map(assignmentOf);
  const self = <V>(value: V) => value;
  return {
    domains: keyed(snapshot.domains, (domain) => domain.id, self),
    domainNames: keyed(snapshot.domains, (domain) => domain.name, (domain) => domain.id),
    projects: keyed(projects, (project) => project.id, self),
    projectNames: nested(projects, (project) => project.domainId, (project) => project.name, (project) => project.id),
    users: keyed(snapshot.users, (user) => user.id, self),
    userNames: nested(snapshot.users, (user) => user.domainId, (user) => user.name, (user) => user.id),
    roles: keyed(snapshot.roles, (role) => role.id, self),
    roleNames: keyed(snapshot.roles, (role) => role.name, (role) => role.id),
    impliedRoles: nested(snapshot.impliedRoles, ([prior]) => prior, ([, implied]) => implied, self).map((implied) => ImmutableSet(implied.keys())),
    assignments: nested(assignments, (assignment) => assignment.userId, assignmentKey, self),
    revokedTokens: ImmutableMap(snapshot.revokedTokens),
    tokensInvalidBefore: ImmutableMap(snapshot.tokensInvalidBefore),
  };
};
