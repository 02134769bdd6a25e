/**
 * The identity document as plain data for msgpack (and JSON): entities and pairs as arrays, the
 * name indexes left out and rebuilt on load. Changing this shape means bumping the projection's
 * version, so older snapshots are ignored and the document is rebuilt from the log.
 */
import { Map as ImmutableMap } from "immutable";
import {
  initialIdentityDocument,
  withAssignment,
  withDomain,
  withImplication,
  withProject,
  withRole,
  withUser,
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

/** Throws InvalidIdentitySnapshot for anything that is not an `IdentitySnapshot`: rebuild from the log then. */
export const identityFromSnapshot = (snapshot: unknown): IdentityDocument => {
  if (!isSnapshot(snapshot)) throw new InvalidIdentitySnapshot("not an identity read-model snapshot");
  let doc = initialIdentityDocument();
  for (const domain of snapshot.domains) doc = withDomain(doc, domain);
  for (const role of snapshot.roles) doc = withRole(doc, role);
  for (const [prior, implied] of snapshot.impliedRoles) doc = withImplication(doc, prior, implied);
  for (const project of snapshot.projects) doc = withProject(doc, { ...project, tags: [...project.tags] });
  for (const user of snapshot.users) doc = withUser(doc, user);
  for (const assignment of snapshot.assignments) doc = withAssignment(doc, assignment);
  return {
    ...doc,
    revokedTokens: ImmutableMap(snapshot.revokedTokens),
    tokensInvalidBefore: ImmutableMap(snapshot.tokensInvalidBefore),
  };
};
