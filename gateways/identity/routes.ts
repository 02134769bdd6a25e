/**
 * The Keystone v3 route table, mounted at `/identity`. Everything below `/v3` except token
 * issue and version discovery needs a valid `X-Auth-Token`.
 */
import { Hono } from "hono";
import { authRoutes } from "./auth.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { projectGrantRoutes, roleAssignmentRoutes, systemGrantRoutes } from "./grants.ts";
import { projectRoutes } from "./projects.ts";
import { requireToken } from "./requireToken.ts";
import { domainRoutes, roleRoutes } from "./roles.ts";
import { catalogRoutes } from "./services.ts";
import { userRoutes } from "./users.ts";
import { identityVersions } from "./versions.ts";

export const identityRoutes = (deps: IdentityDeps) =>
  new Hono<IdentityEnv>()
    .route("/", identityVersions(deps.publicUrl))
    .route("/v3/auth", authRoutes(deps))
    .use("/v3/*", requireToken({ deps }))
    .route("/v3/projects", projectRoutes(deps))
    .route("/v3/projects/:projectId", projectGrantRoutes(deps))
    .route("/v3/system", systemGrantRoutes(deps))
    .route("/v3/users", userRoutes(deps))
    .route("/v3/roles", roleRoutes(deps))
    .route("/v3/domains", domainRoutes(deps))
    .route("/v3/role_assignments", roleAssignmentRoutes(deps))
    .route("/v3", catalogRoutes(deps));
