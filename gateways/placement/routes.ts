/**
 * The Placement route table, mounted at `/placement`: the read side of Placement's API over the
 * placement read model (providers change only by commands from compute hosts' agents). Every
 * request negotiates its microversion (`OpenStack-API-Version: placement X.Y`, 1.0–1.39), which
 * every response echoes; everything but the version document needs a valid `X-Auth-Token`, and
 * every read is admin-only, as Placement's default policy has it.
 *
 *   GET /                                               versions (also /placement/)
 *   GET /resource_providers                             list (name, uuid, member_of, resources, in_tree, required)
 *   GET /resource_providers/{uuid}                      show
 *   GET /resource_providers/{uuid}/inventories          every inventory, with the generation
 *   GET /resource_providers/{uuid}/inventories/{class}  one inventory
 *   GET /resource_providers/{uuid}/usages               use per inventoried class
 *   GET /resource_providers/{uuid}/allocations          by consumer
 *   GET /resource_providers/{uuid}/aggregates           none (1.1)
 *   GET /resource_providers/{uuid}/traits               the provider's traits (1.6)
 *   GET /allocations/{consumer_uuid}                    by provider
 *   GET /resource_classes, /resource_classes/{name}     standard and used custom classes (1.2)
 */
import { Hono } from "hono";
import { requireToken } from "../identity/requireToken.ts";
import { allocationRoutes } from "./allocations.ts";
import type { PlacementDeps, PlacementEnv } from "./context.ts";
import { negotiatePlacementVersion } from "./microversions.ts";
import { providerRoutes } from "./providers.ts";
import { resourceClassRoutes } from "./resourceClasses.ts";
import { placementVersionDocument } from "./versions.ts";

export const placementServiceRoutes = (deps: PlacementDeps) =>
  new Hono<PlacementEnv>()
    .use(negotiatePlacementVersion())
    .get("/", placementVersionDocument)
    // `/placement/` too: keystoneauth asks for the root with a trailing slash.
    .get("/:slash{/?}", placementVersionDocument)
    .use("/:rest{.+}", requireToken({ deps }))
    .route("/resource_providers", providerRoutes(deps))
    .route("/allocations", allocationRoutes(deps))
    .route("/resource_classes", resourceClassRoutes(deps));
