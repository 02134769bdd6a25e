/**
 * Token validation: open the sealed claims, then check what may have changed since issue
 * against the in-memory directory (revocation, user disabled or deleted, password changed,
 * project gone, roles withdrawn). No store and no network on this path: it is run on every
 * request of every service.
 */
import {
  effectiveRoleIds,
  getProject,
  getRole,
  getUser,
  isTokenRevoked,
  tokensInvalidBefore,
  type IdentityDocument,
  type Project,
  type User,
} from "@weft/projections/identity";
import type { Caller } from "./context.ts";
import type { TokenClaims, TokenSealer } from "./tokens.ts";

/** Role names the claims grant right now, or undefined when a scoped token has lost all roles. */
export const grantedRoleNames = (doc: IdentityDocument, claims: TokenClaims): ReadonlyArray<string> | undefined => {
  if (claims.scope.kind === "unscoped") return [];
  const ids = effectiveRoleIds(doc, claims.userId, claims.scope.kind === "system" ? { system: true } : { projectId: claims.scope.projectId });
  if (ids.length === 0) return undefined;
  return ids.map((id) => getRole(doc, id)?.name ?? id);
};

interface Validated {
  readonly roleNames: ReadonlyArray<string>;
  readonly user: User;
  readonly project: Project | undefined;
}

// Each entity is looked up once: on every request of every service, the read model's map lookups
// (hashing 32-character ids) cost as much as opening the token.
const validate = (doc: IdentityDocument, claims: TokenClaims, now: number): Validated | undefined => {
  if (now >= claims.expiresAt) return undefined;
  if (isTokenRevoked(doc, claims.auditId)) return undefined;
  const user = getUser(doc, claims.userId);
  if (user === undefined || !user.enabled) return undefined;
  const invalidBefore = tokensInvalidBefore(doc, claims.userId);
  if (invalidBefore !== undefined && claims.issuedAt < Date.parse(invalidBefore)) return undefined;
  let project: Project | undefined;
  if (claims.scope.kind === "project") {
    project = getProject(doc, claims.scope.projectId);
    if (project === undefined || !project.enabled) return undefined;
  }
  const roleNames = grantedRoleNames(doc, claims);
  return roleNames === undefined ? undefined : { roleNames, user, project };
};

export const validateClaims = (doc: IdentityDocument, claims: TokenClaims, now: number): ReadonlyArray<string> | undefined =>
  validate(doc, claims, now)?.roleNames;

export const resolveCaller = (doc: IdentityDocument, sealer: TokenSealer, token: string, now: number): Caller | undefined => {
  const claims = sealer.open(token);
  if (claims === undefined) return undefined;
  const validated = validate(doc, claims, now);
  if (validated === undefined) return undefined;
  const { roleNames, user, project } = validated;
  return {
    token,
    claims,
    roleNames,
    actor: {
      userId: claims.userId,
      userName: user.name,
      projectId: project?.id ?? "",
      domainId: project?.domainId ?? user.domainId,
      roles: roleNames,
      systemScope: claims.scope.kind === "system",
    },
  };
};
