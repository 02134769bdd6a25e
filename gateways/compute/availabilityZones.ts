/**
 * `/v2.1/os-availability-zone`: the zones of the registered compute hosts (a host in none is in
 * Nova's default `nova`). Anyone may list them; the detailed form, with each host's compute
 * service and its liveness, is admin-only, as in Nova (the CLI falls back to the summary on 403).
 */
import { Hono } from "hono";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { availabilityZonesView } from "./hostViews.ts";
import { listComputeHosts } from "./hosts.ts";
import { enforceCompute } from "./policy.ts";

export const availabilityZoneRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>()
    .get("/", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-availability-zone:list");
      return c.json(availabilityZonesView(listComputeHosts(deps.placement(), deps.hostLiveness), false));
    })
    .get("/detail", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-availability-zone:detail");
      return c.json(availabilityZonesView(listComputeHosts(deps.placement(), deps.hostLiveness), true));
    });
