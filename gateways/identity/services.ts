/**
 * `/v3/services`, `/v3/endpoints` and `/v3/regions`: the catalog seen as Keystone's resources,
 * read-only, so `openstack service list` and `endpoint list` show what the gateway serves.
 */
import { Hono } from "hono";
import { HttpFault } from "../http/faults.ts";
import { buildCatalog } from "./catalog.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { enforce } from "./policy.ts";
import { collectionLinks, identityUrl } from "./views.ts";

export const catalogRoutes = (deps: IdentityDeps) => {
  const catalog = buildCatalog(deps.publicUrl, deps.region);
  const serviceView = (service: (typeof catalog)[number]) => ({
    id: service.id,
    type: service.type,
    name: service.name,
    enabled: true,
    links: { self: identityUrl(deps.publicUrl, `/services/${service.id}`) },
  });
  const endpoints = catalog.flatMap((service) =>
    service.endpoints.map((endpoint) => ({
      id: endpoint.id,
      interface: endpoint.interface,
      region: endpoint.region,
      region_id: endpoint.region_id,
      url: endpoint.url,
      service_id: service.id,
      enabled: true,
      links: { self: identityUrl(deps.publicUrl, `/endpoints/${endpoint.id}`) },
    })),
  );
  return new Hono<IdentityEnv>()
    .get("/services", (c) => {
      enforce(c.get("caller"), "identity:list_services");
      const type = c.req.query("type");
      return c.json({
        services: catalog.filter((service) => type === undefined || service.type === type).map(serviceView),
        links: collectionLinks(identityUrl(deps.publicUrl, "/services")),
      });
    })
    .get("/services/:serviceId", (c) => {
      enforce(c.get("caller"), "identity:list_services");
      const service = catalog.find((candidate) => candidate.id === c.req.param("serviceId"));
      if (service === undefined) throw new HttpFault(404, `Could not find service: ${c.req.param("serviceId")}.`);
      return c.json({ service: serviceView(service) });
    })
    .get("/endpoints", (c) => {
      enforce(c.get("caller"), "identity:list_endpoints");
      return c.json({ endpoints, links: collectionLinks(identityUrl(deps.publicUrl, "/endpoints")) });
    })
    .get("/regions", (c) =>
      c.json({
        regions: [{ id: deps.region, description: "", parent_region_id: null, links: { self: identityUrl(deps.publicUrl, `/regions/${deps.region}`) } }],
        links: collectionLinks(identityUrl(deps.publicUrl, "/regions")),
      }),
    );
};
