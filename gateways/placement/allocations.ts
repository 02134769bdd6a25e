/**
 * `GET /placement/allocations/{consumer_uuid}`: what one consumer (a server) holds, on every
 * provider. The read model is keyed by provider, so this looks at each: an admin read, and a
 * cloud has as many providers as hosts.
 */
import { Hono } from "hono";
import type { PlacementDeps, PlacementEnv } from "./context.ts";
import { enforcePlacement } from "./policy.ts";
import { consumerAllocationsView, type ConsumerAllocation } from "./views.ts";

export const allocationRoutes = (deps: PlacementDeps) =>
  new Hono<PlacementEnv>().get("/:consumer", (c) => {
    enforcePlacement(c.get("caller"), "placement:allocations:list");
    const consumer = c.req.param("consumer").toLowerCase();
    const held: Array<ConsumerAllocation> = [];
    deps.placement().providers.forEach((record) => {
      const allocation = record.provider.allocations.get(consumer);
      if (allocation !== undefined) held.push({ record, allocation });
    });
    return c.json(consumerAllocationsView(c.get("placementMicroversion"), held));
  });
