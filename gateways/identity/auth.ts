/**
 * `/v3/auth`: issue tokens for a password (or an existing token, to rescope), validate, check
 * and revoke them, and the caller's catalog, projects and system scope. Any failure to
 * authenticate is the same 401, so a client cannot probe which users or projects exist.
 */
import { Hono } from "hono";
import {
  effectiveRoleIds,
  findDomainByName,
  findProjectByName,
  findUserByName,
  getDomain,
  getProject,
  getRole,
  getUser,
  listAssignments,
  type IdentityDocument,
} from "@weft/projections/identity";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { arrayOf, boolean, literal, object, optional, parseBody, string } from "../http/validate.ts";
import { grantedRoleNames, resolveCaller } from "./callers.ts";
import { buildCatalog } from "./catalog.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { expectAccepted } from "../http/commands.ts";
import { identityRejectionStatus } from "./faults.ts";
import { verifyPassword } from "./passwords.ts";
import { enforce } from "./policy.ts";
import { requireToken, unauthorized } from "./requireToken.ts";
import { newAuditId, type TokenClaims, type TokenScope } from "./tokens.ts";
import { collectionLinks, identityUrl, projectView, tokenView } from "./views.ts";

const domainRef = object({ id: optional(string({ min: 1, max: 64 })), name: optional(string({ min: 1, max: 255 })) });
const nameOrId = { id: optional(string({ min: 1, max: 64 })), name: optional(string({ min: 1, max: 255 })), domain: optional(domainRef) };

const authSchema = object({
  auth: object({
    identity: object({
      methods: arrayOf(literal("password", "token"), { max: 2 }),
      password: optional(object({ user: object({ ...nameOrId, password: string({ max: 4096 }) }) })),
      token: optional(object({ id: string({ min: 1, max: 1024 }) })),
    }),
    scope: optional({
      optional: true,
      parse: (value: unknown, path: string) =>
        value === "unscoped"
          ? ("unscoped" as const)
          : object({
              project: optional(object(nameOrId)),
              system: optional(object({ all: boolean() })),
              domain: optional(domainRef),
            }).parse(value, path),
    }),
  }),
});

type Ref = { readonly id?: string | undefined; readonly name?: string | undefined; readonly domain?: { readonly id?: string | undefined; readonly name?: string | undefined } | undefined };

const domainIdOf = (doc: IdentityDocument, ref: Ref["domain"]) =>
  ref?.id ?? (ref?.name === undefined ? undefined : findDomainByName(doc, ref.name)?.id);

const findUser = (doc: IdentityDocument, ref: Ref) => {
  if (ref.id !== undefined) return getUser(doc, ref.id);
  const domainId = domainIdOf(doc, ref.domain);
  return ref.name === undefined || domainId === undefined ? undefined : findUserByName(doc, domainId, ref.name);
};

const findProject = (doc: IdentityDocument, ref: Ref) => {
  if (ref.id !== undefined) return getProject(doc, ref.id);
  const domainId = domainIdOf(doc, ref.domain);
  return ref.name === undefined || domainId === undefined ? undefined : findProjectByName(doc, domainId, ref.name);
};

export const authRoutes = (deps: IdentityDeps) => {
  const catalog = buildCatalog(deps.publicUrl, deps.region);
  const denied = () => unauthorized(deps.publicUrl);

  const body = (doc: IdentityDocument, claims: TokenClaims, withCatalog: boolean) => {
    const user = getUser(doc, claims.userId);
    const userDomain = user === undefined ? undefined : getDomain(doc, user.domainId);
    if (user === undefined || userDomain === undefined) throw denied();
    const project = claims.scope.kind === "project" ? getProject(doc, claims.scope.projectId) : undefined;
    const projectDomain = project === undefined ? undefined : getDomain(doc, project.domainId);
    const roleIds =
      claims.scope.kind === "unscoped"
        ? []
        : effectiveRoleIds(doc, claims.userId, claims.scope.kind === "system" ? { system: true } : { projectId: claims.scope.projectId });
    return tokenView({
      methods: claims.methods,
      user,
      userDomain,
      ...(project !== undefined && projectDomain !== undefined ? { project: { record: project, domain: projectDomain } } : {}),
      system: claims.scope.kind === "system",
      roles: roleIds.flatMap((id) => getRole(doc, id) ?? []),
      issuedAt: claims.issuedAt,
      expiresAt: claims.expiresAt,
      auditId: claims.auditId,
      ...(withCatalog && claims.scope.kind !== "unscoped" ? { catalog } : {}),
    });
  };

  const subject = (doc: IdentityDocument, token: string | undefined) => {
    const claims = token === undefined ? undefined : resolveCaller(doc, deps.tokens, token, deps.now())?.claims;
    if (claims === undefined) throw new HttpFault(404, "Could not find token: the subject token is invalid, expired or revoked.");
    return claims;
  };

  return new Hono<IdentityEnv>()
    .post("/tokens", async (c) => {
      const request = parseBody(authSchema, await readJsonObject(c)).auth;
      const doc = deps.directory();
      const methods = request.identity.methods;
      let userId: string;
      let inheritedScope: TokenScope | undefined;
      let inheritedExpiry = Number.POSITIVE_INFINITY;
      if (methods.includes("password")) {
        const credentials = request.identity.password?.user;
        if (credentials === undefined) throw new HttpFault(400, "Invalid input for field 'auth.identity.password': the password method needs a user.");
        const user = findUser(doc, credentials);
        if (user === undefined || !user.enabled || !(await verifyPassword(credentials.password, user.passwordHash))) throw denied();
        userId = user.id;
      } else if (methods.includes("token")) {
        const presented = request.identity.token?.id;
        const claims = presented === undefined ? undefined : resolveCaller(doc, deps.tokens, presented, deps.now())?.claims;
        if (claims === undefined) throw denied();
        userId = claims.userId;
        inheritedScope = claims.scope;
        // A rescoped token never outlives the token it was made from, as in Keystone.
        inheritedExpiry = claims.expiresAt;
      } else {
        throw new HttpFault(400, "Invalid input for field 'auth.identity.methods': at least one method is required.");
      }

      const scopeRequest = request.scope;
      let scope: TokenScope;
      if (scopeRequest === undefined || scopeRequest === "unscoped") {
        const defaultProject = getUser(doc, userId)?.defaultProjectId ?? "";
        scope =
          scopeRequest === undefined && inheritedScope !== undefined
            ? inheritedScope
            : scopeRequest === undefined && defaultProject !== "" && effectiveRoleIds(doc, userId, { projectId: defaultProject }).length > 0
              ? { kind: "project", projectId: defaultProject }
              : { kind: "unscoped" };
      } else if (scopeRequest.project !== undefined) {
        const project = findProject(doc, scopeRequest.project);
        if (project === undefined || !project.enabled) throw denied();
        scope = { kind: "project", projectId: project.id };
      } else if (scopeRequest.system !== undefined) {
        if (!scopeRequest.system.all) throw new HttpFault(400, "Invalid input for field 'auth.scope.system.all': only the whole system can be a scope.");
        scope = { kind: "system" };
      } else {
        throw new HttpFault(401, "Domain-scoped tokens are not supported; scope to a project or to the system.");
      }

      const issuedAt = deps.now();
      const claims: TokenClaims = {
        userId,
        scope,
        methods: methods.includes("password") ? ["password"] : ["token"],
        issuedAt,
        // Taken after the password check, which takes a KDF's time: expiry never precedes issue.
        expiresAt: Math.min(issuedAt + deps.tokenTtlMs, inheritedExpiry),
        auditId: newAuditId(),
      };
      if (grantedRoleNames(doc, claims) === undefined) throw denied();
      const token = deps.tokens.seal(claims);
      c.header("X-Subject-Token", token);
      return c.json(body(doc, claims, c.req.query("nocatalog") === undefined), 201);
    })
    .use(requireToken({ deps }))
    .get("/tokens", (c) => {
      const doc = deps.directory();
      const claims = subject(doc, c.req.header("x-subject-token"));
      enforce(c.get("caller"), "identity:validate_token", { userId: claims.userId });
      c.header("X-Subject-Token", c.req.header("x-subject-token") ?? "");
      return c.json(body(doc, claims, c.req.query("nocatalog") === undefined));
    })
    .on("HEAD", "/tokens", (c) => {
      const claims = subject(deps.directory(), c.req.header("x-subject-token"));
      enforce(c.get("caller"), "identity:validate_token", { userId: claims.userId });
      return c.body(null, 200);
    })
    .delete("/tokens", async (c) => {
      const claims = subject(deps.directory(), c.req.header("x-subject-token"));
      const caller = c.get("caller");
      enforce(caller, "identity:revoke_token", { userId: claims.userId });
      expectAccepted(
        identityRejectionStatus,
        await deps.commands.execute(
          "identity",
          { type: "RevokeToken", data: { auditId: claims.auditId, userId: claims.userId, expiresAt: new Date(claims.expiresAt).toISOString() } },
          { actor: caller.actor, requestId: c.get("requestId") },
        ),
      );
      return c.body(null, 204);
    })
    .get("/catalog", (c) => c.json({ catalog, links: collectionLinks(identityUrl(deps.publicUrl, "/auth/catalog")) }))
    .get("/projects", (c) => {
      const doc = deps.directory();
      const userId = c.get("caller").claims.userId;
      const projectIds = new Set(listAssignments(doc, { userId }).flatMap((assignment) => (assignment.system ? [] : [assignment.projectId])));
      const projects = [...projectIds].flatMap((id) => getProject(doc, id) ?? []).filter((project) => project.enabled);
      return c.json({ projects: projects.map((project) => projectView(deps.publicUrl, project)), links: collectionLinks(identityUrl(deps.publicUrl, "/auth/projects")) });
    })
    .get("/domains", (c) => c.json({ domains: [], links: collectionLinks(identityUrl(deps.publicUrl, "/auth/domains")) }))
    .get("/system", (c) => {
      const system = effectiveRoleIds(deps.directory(), c.get("caller").claims.userId, { system: true }).length > 0;
      return c.json({ system: system ? [{ all: true }] : [], links: collectionLinks(identityUrl(deps.publicUrl, "/auth/system")) });
    });
};
