/**
 * `GET /v2.1/os-aggregates` (admin): Weft has no host aggregates yet, so the list is empty. It is
 * here because `openstack hypervisor show` lists the aggregates a host belongs to.
 */
import { Hono } from "hono";
import type { ComputeEnv } from "./context.ts";
import { enforceCompute } from "./policy.ts";

export const aggregateRoutes = () =>
  new Hono<ComputeEnv>().get("/", (c) => {
    enforceCompute(c.get("caller"), "os_compute_api:os-aggregates:index");
    return c.json({ aggregates: [] });
  });
