/**
 * `/v2.1/os-services` (admin): one `nova-compute` per registered compute host, up or down by its
 * agent's heartbeats, filtered by `host` and `binary` as Nova filters. Weft runs no other Nova
 * service whose liveness it could report, so none is listed. Services cannot be disabled or
 * deleted here yet: an agent's host stays registered while its provider exists.
 */
import { Hono } from "hono";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { serviceView } from "./hostViews.ts";
import { listComputeHosts } from "./hosts.ts";
import { enforceCompute } from "./policy.ts";

export const serviceRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>().get("/", (c) => {
    enforceCompute(c.get("caller"), "os_compute_api:os-services:list");
    const host = c.req.query("host") ?? "";
    const binary = c.req.query("binary") ?? "";
    const version = c.get("microversion");
    const services = listComputeHosts(deps.placement(), deps.hostLiveness)
      .filter((entry) => (host === "" || entry.host === host) && (binary === "" || binary === "nova-compute"))
      .map((entry) => serviceView(version, entry));
    return c.json({ services });
  });
