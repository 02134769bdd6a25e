/**
 * `/v2.1/os-hypervisors` (admin): one compute node per registered host, with its placement
 * capacity and what its servers use. Nova's microversion rules: paging (`limit`, `marker`) from
 * 2.33; from 2.53 uuid ids, `hypervisor_hostname_pattern` and `with_servers` on the lists (the
 * `/{pattern}/search` and `/{pattern}/servers` routes serve only before it); `/{id}/uptime` and
 * `/statistics` until 2.87. Uptime is Nova's 501: the fake driver keeps no host uptime.
 */
import { Hono, type Context } from "hono";
import { getServer, hostUsageOf, type Server } from "@weft/projections/compute";
import { HttpFault } from "../http/faults.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { hostFigures, hypervisorStatisticsView, hypervisorView, type HostLoad } from "./hostViews.ts";
import { listComputeHosts, type ComputeHost } from "./hosts.ts";
import { atLeast, type Microversion } from "./microversions.ts";
import { enforceCompute } from "./policy.ts";

// Nova's `max_limit`.
const MAX_LIMIT = 1000;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** oslo's `bool_from_string(strict=True)`. */
const strictBoolean = (value: string | undefined): boolean => {
  if (value === undefined) return false;
  const lowered = value.trim().toLowerCase();
  if (["1", "t", "true", "on", "y", "yes"].includes(lowered)) return true;
  if (["0", "f", "false", "off", "n", "no"].includes(lowered)) return false;
  throw new HttpFault(400, `Unrecognized value '${value}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
};

const notFound = (id: string) => new HttpFault(404, `Hypervisor with ID '${id}' could not be found.`);

const sameId = (version: Microversion, host: ComputeHost, id: string) =>
  atLeast(version, 53) ? host.nodeUuid === id.toLowerCase() || host.nodeUuid.replaceAll("-", "") === id.toLowerCase() : String(host.nodeId) === id;

export const hypervisorRoutes = (deps: ComputeDeps) => {
  const hosts = () => listComputeHosts(deps.placement(), deps.hostLiveness);

  const serversOn = (host: ComputeHost): ReadonlyArray<Server> => {
    const doc = deps.compute();
    return hostUsageOf(doc, host.host).serverIds.flatMap((id) => {
      const server = getServer(doc, id);
      return server === undefined || server.deleted ? [] : [server];
    });
  };

  const loadOf = (host: ComputeHost): HostLoad => ({ usage: hostUsageOf(deps.compute(), host.host), servers: serversOn(host) });

  /** The host a show or uptime names, after Nova's id rules for the version. */
  const hostById = (c: Context<ComputeEnv>): ComputeHost => {
    const id = c.req.param("id") ?? "";
    const version = c.get("microversion");
    if (atLeast(version, 53) && !UUID.test(id)) throw new HttpFault(400, `Invalid uuid ${id}`);
    if (!atLeast(version, 53) && !/^-?\d+$/.test(id)) throw notFound(id);
    const found = hosts().find((host) => sameId(version, host, id));
    if (found === undefined) throw notFound(id);
    return found;
  };

  const list = (c: Context<ComputeEnv>, detailed: boolean) => {
    enforceCompute(c.get("caller"), detailed ? "os_compute_api:os-hypervisors:list-detail" : "os_compute_api:os-hypervisors:list");
    const version = c.get("microversion");
    const pattern = atLeast(version, 53) ? c.req.query("hypervisor_hostname_pattern") : undefined;
    const withServers = atLeast(version, 53) ? strictBoolean(c.req.query("with_servers")) : false;
    const paged = atLeast(version, 33);
    const limitText = paged ? c.req.query("limit") : undefined;
    const marker = paged ? c.req.query("marker") : undefined;
    let selected = hosts();
    if (pattern !== undefined) {
      if (limitText !== undefined || marker !== undefined) {
        throw new HttpFault(400, "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.");
      }
      selected = selected.filter((host) => host.nodeName.includes(pattern));
      if (selected.length === 0) throw new HttpFault(404, `No hypervisor matching '${pattern}' could be found.`);
    }
    if (limitText !== undefined && !/^\d+$/.test(limitText)) throw new HttpFault(400, "limit param must be an integer");
    const limit = Math.min(limitText === undefined ? MAX_LIMIT : Number(limitText), MAX_LIMIT);
    if (marker !== undefined) {
      const at = selected.findIndex((host) => sameId(version, host, marker));
      if (at < 0) throw new HttpFault(400, `marker [${marker}] not found`);
      selected = selected.slice(at + 1);
    }
    const page = selected.slice(0, limit);
    const body: Record<string, unknown> = {
      hypervisors: page.map((host) => hypervisorView(version, host, detailed ? loadOf(host) : undefined, withServers ? serversOn(host) : undefined)),
    };
    if (paged && pattern === undefined && page.length > 0 && page.length === limit && selected.length > limit) {
      const params = new URLSearchParams(c.req.query());
      params.set("marker", String(hypervisorView(version, page.at(-1)!, undefined, undefined).id));
      body.hypervisors_links = [{ rel: "next", href: `${deps.publicUrl}/compute/v2.1/os-hypervisors${detailed ? "/detail" : ""}?${params.toString()}` }];
    }
    return c.json(body);
  };

  /** Before 2.53: the hosts whose node name contains the pattern, else 404; after, not routed. */
  const search = (c: Context<ComputeEnv>, withServers: boolean) => {
    const version = c.get("microversion");
    if (atLeast(version, 53)) throw new HttpFault(404, "The resource could not be found.");
    enforceCompute(c.get("caller"), "os_compute_api:os-hypervisors:search");
    const pattern = c.req.param("pattern") ?? "";
    const matching = hosts().filter((host) => host.nodeName.includes(pattern));
    if (matching.length === 0) throw new HttpFault(404, `No hypervisor matching '${pattern}' could be found.`);
    return c.json({ hypervisors: matching.map((host) => hypervisorView(version, host, undefined, withServers ? serversOn(host) : undefined)) });
  };

  return new Hono<ComputeEnv>()
    .get("/", (c) => list(c, false))
    .get("/detail", (c) => list(c, true))
    .get("/statistics", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-hypervisors:statistics");
      return c.json(hypervisorStatisticsView(hosts().map((host) => hostFigures(host, loadOf(host)))));
    })
    .get("/:pattern/search", (c) => search(c, false))
    .get("/:pattern/servers", (c) => search(c, true))
    .get("/:id/uptime", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-hypervisors:uptime");
      hostById(c);
      throw new HttpFault(501, "The requested functionality is not supported.");
    })
    .get("/:id", (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:os-hypervisors:show");
      const version = c.get("microversion");
      const host = hostById(c);
      const withServers = atLeast(version, 53) ? strictBoolean(c.req.query("with_servers")) : false;
      return c.json({ hypervisor: hypervisorView(version, host, loadOf(host), withServers ? serversOn(host) : undefined) });
    });
};
