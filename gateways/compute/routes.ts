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
 *   GET    /v2.1/servers, /v2.1/servers/detail      list (name, status, host, changes-since, all_tenants, limit/marker)
 *   POST   /v2.1/servers                            create (Idempotency-Key honoured)
 *   GET    /v2.1/servers/{id}                       show
 *   PUT    /v2.1/servers/{id}                       rename
 *   DELETE /v2.1/servers/{id}                       delete
 *   POST   /v2.1/servers/{id}/action                os-stop, os-start, reboot
 *   GET    /v2.1/servers/{id}/ips                   addresses (none without a network service)
 *   GET    /v2.1/servers/{id}/metadata              list metadata
 *   POST   /v2.1/servers/{id}/metadata              merge metadata
 *   PUT    /v2.1/servers/{id}/metadata              replace metadata
 *   GET    /v2.1/servers/{id}/metadata/{key}        show one item
 *   PUT    /v2.1/servers/{id}/metadata/{key}        set one item
 *   DELETE /v2.1/servers/{id}/metadata/{key}        delete one item
 *   GET    /v2.1/servers/{id}/os-instance-actions   the server's actions (server event list)
 *   GET    /v2.1/servers/{id}/os-instance-actions/{request_id}  one action and its events
 *   GET    /v2.1/os-quota-sets/{project_id}         a project's limits (its readers, admins)
 *   PUT    /v2.1/os-quota-sets/{project_id}         set limits (admin; `force` below usage)
 *   DELETE /v2.1/os-quota-sets/{project_id}         back to the defaults (admin)
 *   GET    /v2.1/os-quota-sets/{project_id}/detail  limits with in_use and reserved
 *   GET    /v2.1/os-quota-sets/{project_id}/defaults
 *   GET    /v2.1/limits                             absolute limits and usage (`tenant_id`: admin)
 *   GET    /v2.1/os-availability-zone[/detail]      zones of the compute hosts (detail: admin)
 *   GET    /v2.1/os-services                        a nova-compute per host, up or down (admin)
 *   GET    /v2.1/os-hypervisors[/detail]            compute nodes, capacity and usage (admin)
 *   GET    /v2.1/os-hypervisors/statistics          their sums (admin)
 *   GET    /v2.1/os-hypervisors/{id}                show (admin); /{id}/uptime is 501
 *   GET    /v2.1/os-hypervisors/{pattern}/search|servers  before 2.53 (admin)
 *   GET    /v2.1/os-aggregates                      none yet (admin)
 *   GET    /v2.1/os-server-groups                   the project's groups (`all_projects`: admin)
 *   POST   /v2.1/os-server-groups                   create
 *   GET    /v2.1/os-server-groups/{id}              show
 *   DELETE /v2.1/os-server-groups/{id}              delete
 */
import { Hono } from "hono";
import { requireToken } from "../identity/requireToken.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { aggregateRoutes } from "./aggregates.ts";
import { availabilityZoneRoutes } from "./availabilityZones.ts";
import { flavorRoutes } from "./flavors.ts";
import { hypervisorRoutes } from "./hypervisors.ts";
import { keypairRoutes } from "./keypairs.ts";
import { negotiateMicroversion } from "./microversions.ts";
import { limitsRoutes, quotaSetRoutes } from "./quotaSets.ts";
import { serverGroupRoutes } from "./serverGroups.ts";
import { serverRoutes } from "./servers.ts";
import { serviceRoutes } from "./services.ts";
import { computeVersions } from "./versions.ts";

export const computeServiceRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>()
    .route("/", computeVersions(deps.publicUrl))
    .use("/v2.1/*", negotiateMicroversion())
    .use("/v2.1/*", requireToken({ deps }))
    .route("/v2.1/flavors", flavorRoutes(deps))
    .route("/v2.1/os-keypairs", keypairRoutes(deps))
    .route("/v2.1/servers", serverRoutes(deps))
    .route("/v2.1/os-quota-sets", quotaSetRoutes(deps))
    .route("/v2.1/limits", limitsRoutes(deps))
    .route("/v2.1/os-availability-zone", availabilityZoneRoutes(deps))
    .route("/v2.1/os-services", serviceRoutes(deps))
    .route("/v2.1/os-hypervisors", hypervisorRoutes(deps))
    .route("/v2.1/os-aggregates", aggregateRoutes())
    .route("/v2.1/os-server-groups", serverGroupRoutes(deps));
