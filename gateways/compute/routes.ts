/**
 * The Nova v2.1 route table, mounted at `/compute`. Version discovery is public; everything
 * below `/v2.1/` needs a valid `X-Auth-Token` and negotiates its microversion, which every
 * response (faults included) echoes.
 *
 *   GET    /                                        versions
 *   GET    /v2.1                                    the v2.1 version document
 *   GET    /v2.1/flavors, /v2.1/flavors/detail      list (minRam, minDisk, is_public, limit/marker)
 *   POST   /v2.1/flavors                            create (admin)
 *   GET    /v2.1/flavors/{id}                       show
 *   DELETE /v2.1/flavors/{id}                       delete (admin)
 *   GET    /v2.1/flavors/{id}/os-extra_specs        list extra specs
 *   POST   /v2.1/flavors/{id}/os-extra_specs        set extra specs (admin)
 *   GET    /v2.1/flavors/{id}/os-extra_specs/{key}  show one
 *   PUT    /v2.1/flavors/{id}/os-extra_specs/{key}  set one (admin)
 *   DELETE /v2.1/flavors/{id}/os-extra_specs/{key}  unset one (admin)
 *   GET    /v2.1/os-keypairs                        the caller's key pairs
 *   POST   /v2.1/os-keypairs                        import or generate
 *   GET    /v2.1/os-keypairs/{name}                 show
 *   DELETE /v2.1/os-keypairs/{name}                 delete
 */
import { Hono } from "hono";
import { requireToken } from "../identity/requireToken.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { flavorRoutes } from "./flavors.ts";
import { keypairRoutes } from "./keypairs.ts";
import { negotiateMicroversion } from "./microversions.ts";
import { computeVersions } from "./versions.ts";

export const computeServiceRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>()
    .route("/", computeVersions(deps.publicUrl))
    .use("/v2.1/*", negotiateMicroversion())
    .use("/v2.1/*", requireToken({ deps }))
    .route("/v2.1/flavors", flavorRoutes(deps))
    .route("/v2.1/os-keypairs", keypairRoutes(deps));
