/**
 * `/v2.1/servers`: list and detail (Nova's filters, `limit`/`marker`, `changes-since`,
 * `all_tenants` for admins), create (serverCreate.ts), show, rename, delete, the power actions
 * (`os-stop`, `os-start`, `reboot`), metadata, addresses, and instance actions. A server of
 * another project is a 404 to all but admins, as in Nova. Every change is a command; the
 * response reads the gateway's read model after it has seen the command's events.
 */
import { Hono, type Context } from "hono";
import {
  getInstanceAction,
  getServer,
  listInstanceActions,
  listServers,
  quotaOf,
  type Server,
  type ServerListQuery,
} from "@weft/projections/compute";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { object, optional, parseBody, string } from "../http/validate.ts";
import { runComputeCommand } from "./commandRunner.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { atLeast } from "./microversions.ts";
import { callerIsAdmin, enforceCompute, type ComputeAction } from "./policy.ts";
import { createServers, metadataField } from "./serverCreate.ts";
import { instanceActionDetail, instanceActionSummary, serverDetail, serverSummary, type ServerViewOptions } from "./serverViews.ts";

// Nova's `max_limit`.
const MAX_LIMIT = 1000;

const viewOptions = (deps: ComputeDeps, c: Context<ComputeEnv>): ServerViewOptions => ({
  publicUrl: deps.publicUrl,
  version: c.get("microversion"),
  isAdmin: callerIsAdmin(c.get("caller")),
});

const notFound = (serverId: string) => new HttpFault(404, `Instance ${serverId} could not be found.`);

/** The server if the caller may act on it: its project's, or any for an admin; deleted ones only when asked. */
const serverFor = (deps: ComputeDeps, c: Context<ComputeEnv>, action: ComputeAction, options: { readonly deleted?: boolean } = {}): Server => {
  const caller = c.get("caller");
  enforceCompute(caller, action);
  const serverId = c.req.param("id") ?? "";
  const server = getServer(deps.compute(), serverId);
  if (server === undefined || (server.deleted && options.deleted !== true)) throw notFound(serverId);
  if (!callerIsAdmin(caller) && server.projectId !== caller.actor.projectId) throw notFound(serverId);
  return server;
};

const groupsOf = (server: Server) => (server.serverGroupId === "" ? [] : [server.serverGroupId]);

const isoTime = (name: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value))) throw new HttpFault(400, `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
  return value;
};

const truthy = (value: string | undefined) => value !== undefined && ["1", "t", "true", "on", "y", "yes", ""].includes(value.toLowerCase());

const listQuery = (c: Context<ComputeEnv>): ServerListQuery & { readonly limit: number } => {
  const caller = c.get("caller");
  const q = (name: string) => c.req.query(name);
  const limitText = q("limit");
  if (limitText !== undefined && !/^-?\d+$/.test(limitText)) throw new HttpFault(400, "limit param must be an integer");
  if (limitText !== undefined && Number(limitText) < 0) throw new HttpFault(400, "limit param must be positive");
  const limit = Math.min(limitText === undefined ? MAX_LIMIT : Number(limitText), MAX_LIMIT);
  const admin = callerIsAdmin(caller);
  // Nova lists every project's servers only for an admin who asks; anyone else sees their own.
  const project = admin && truthy(q("all_tenants")) ? (q("project_id") ?? q("tenant_id")) : caller.actor.projectId;
  const changesSince = isoTime("changes-since", q("changes-since"));
  const optionalFields = {
    projectId: project,
    name: q("name"),
    status: q("status"),
    host: admin ? q("host") : undefined,
    changesSince,
    marker: q("marker"),
  };
  return { limit, ...Object.fromEntries(Object.entries(optionalFields).filter(([, value]) => value !== undefined)) };
};

/** Nova's `servers_links`: a next link when the page is full. */
const pageLinks = (deps: ComputeDeps, c: Context<ComputeEnv>, path: string, servers: ReadonlyArray<Server>, limit: number) => {
  const last = servers.at(-1);
  if (last === undefined || servers.length < limit) return {};
  const params = new URLSearchParams(c.req.query());
  params.set("limit", String(limit));
  params.set("marker", last.id);
  return { servers_links: [{ rel: "next", href: `${deps.publicUrl}/compute/v2.1/${path}?${params.toString()}` }] };
};

const list = (deps: ComputeDeps, c: Context<ComputeEnv>, detail: boolean) => {
  enforceCompute(c.get("caller"), detail ? "os_compute_api:servers:detail" : "os_compute_api:servers:index");
  const query = listQuery(c);
  const { servers, markerNotFound } = listServers(deps.compute(), query);
  if (markerNotFound) throw new HttpFault(400, `marker [${query.marker ?? ""}] not found`);
  const options = viewOptions(deps, c);
  return c.json({
    servers: servers.map((server) => (detail ? serverDetail(options, server) : serverSummary(deps.publicUrl, server))),
    ...pageLinks(deps, c, detail ? "servers/detail" : "servers", servers, query.limit),
  });
};

const rebootType = object({ type: string() });
const updateSchema = object({ server: object({ name: optional(string({ min: 1, max: 255, trimmed: true })) }) });
const metadataSchema = object({ metadata: metadataField });
const metaSchema = object({ meta: metadataField });

/** `POST /servers/{id}/action`: one action per request, named by the body's only key. */
const runAction = async (deps: ComputeDeps, c: Context<ComputeEnv>) => {
  const body = await readJsonObject(c);
  const names = Object.keys(body);
  if (names.length !== 1) throw new HttpFault(400, "Malformed request body: exactly one action is expected.");
  const name = names[0]!;
  switch (name) {
    case "os-stop": {
      const server = serverFor(deps, c, "os_compute_api:servers:stop");
      await runComputeCommand(deps, c, { type: "StopServer", data: { serverId: server.id } });
      break;
    }
    case "os-start": {
      const server = serverFor(deps, c, "os_compute_api:servers:start");
      await runComputeCommand(deps, c, { type: "StartServer", data: { serverId: server.id } });
      break;
    }
    case "reboot": {
      const server = serverFor(deps, c, "os_compute_api:servers:reboot");
      const { type } = parseBody(object({ reboot: rebootType }), body).reboot;
      const kind = type.toUpperCase();
      if (kind !== "SOFT" && kind !== "HARD") throw new HttpFault(400, `Invalid input for field/attribute type. Value: ${type}. '${type}' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']`);
      await runComputeCommand(deps, c, { type: "RebootServer", data: { serverId: server.id, hard: kind === "HARD" } });
      break;
    }
    default:
      throw new HttpFault(400, `There is no such action: ${name}`);
  }
  return c.body(null, 202);
};

const withinMetadataQuota = (deps: ComputeDeps, server: Server, items: Readonly<Record<string, string>>) => {
  const { limits } = quotaOf(deps.compute(), server.projectId);
  if (limits.metadataItems >= 0 && Object.keys(items).length > limits.metadataItems) {
    throw new HttpFault(403, `Quota exceeded for metadata_items: Maximum number of metadata items is ${limits.metadataItems}`);
  }
};

const current = (deps: ComputeDeps, server: Server): Server => getServer(deps.compute(), server.id) ?? server;

export const serverRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>()
    .get("/", (c) => list(deps, c, false))
    .get("/detail", (c) => list(deps, c, true))
    .post("/", async (c) => {
      enforceCompute(c.get("caller"), "os_compute_api:servers:create");
      const created = await createServers(deps, c);
      if (created.returnReservationId) return c.json({ reservation_id: created.reservationId }, 202);
      const [first] = created.serverIds;
      const server = first === undefined ? undefined : getServer(deps.compute(), first);
      if (server === undefined) throw new HttpFault(503, "The server was created but is not readable yet; retry the request.", { "Retry-After": "1" });
      return c.json(
        { server: { id: server.id, links: serverSummary(deps.publicUrl, server).links, "OS-DCF:diskConfig": "MANUAL", security_groups: [{ name: "default" }], adminPass: created.adminPass } },
        202,
      );
    })
    .get("/:id", (c) => {
      const server = serverFor(deps, c, "os_compute_api:servers:show");
      return c.json({ server: serverDetail(viewOptions(deps, c), server, groupsOf(server)) });
    })
    .put("/:id", async (c) => {
      const server = serverFor(deps, c, "os_compute_api:servers:update");
      const update = parseBody(updateSchema, await readJsonObject(c)).server;
      if (update.name !== undefined) await runComputeCommand(deps, c, { type: "RenameServer", data: { serverId: server.id, name: update.name } });
      return c.json({ server: serverDetail(viewOptions(deps, c), current(deps, server), groupsOf(server)) });
    })
    .delete("/:id", async (c) => {
      const server = serverFor(deps, c, "os_compute_api:servers:delete");
      await runComputeCommand(deps, c, { type: "DeleteServer", data: { serverId: server.id } });
      return c.body(null, 204);
    })
    .post("/:id/action", (c) => runAction(deps, c))
    .get("/:id/ips", (c) => {
      serverFor(deps, c, "os_compute_api:ips:index");
      return c.json({ addresses: {} });
    })
    .get("/:id/metadata", (c) => c.json({ metadata: serverFor(deps, c, "os_compute_api:server-metadata:index").metadata }))
    .post("/:id/metadata", async (c) => {
      const server = serverFor(deps, c, "os_compute_api:server-metadata:create");
      const { metadata } = parseBody(metadataSchema, await readJsonObject(c));
      withinMetadataQuota(deps, server, { ...server.metadata, ...metadata });
      await runComputeCommand(deps, c, { type: "SetServerMetadata", data: { serverId: server.id, items: metadata } });
      return c.json({ metadata: current(deps, server).metadata });
    })
    .put("/:id/metadata", async (c) => {
      const server = serverFor(deps, c, "os_compute_api:server-metadata:update_all");
      const { metadata } = parseBody(metadataSchema, await readJsonObject(c));
      withinMetadataQuota(deps, server, metadata);
      // Nova replaces the whole set: keys not given go.
      for (const key of Object.keys(server.metadata)) {
        if (!(key in metadata)) await runComputeCommand(deps, c, { type: "DeleteServerMetadata", data: { serverId: server.id, key } });
      }
      await runComputeCommand(deps, c, { type: "SetServerMetadata", data: { serverId: server.id, items: metadata } });
      return c.json({ metadata: current(deps, server).metadata });
    })
    .get("/:id/metadata/:key", (c) => {
      const server = serverFor(deps, c, "os_compute_api:server-metadata:show");
      const key = c.req.param("key");
      const value = server.metadata[key];
      if (value === undefined) throw new HttpFault(404, "Metadata item was not found");
      return c.json({ meta: { [key]: value } });
    })
    .put("/:id/metadata/:key", async (c) => {
      const server = serverFor(deps, c, "os_compute_api:server-metadata:update");
      const key = c.req.param("key");
      const { meta } = parseBody(metaSchema, await readJsonObject(c));
      const keys = Object.keys(meta);
      if (keys.length !== 1) throw new HttpFault(400, "Request body contains too many items");
      if (keys[0] !== key) throw new HttpFault(400, "Request body and URI mismatch");
      withinMetadataQuota(deps, server, { ...server.metadata, ...meta });
      await runComputeCommand(deps, c, { type: "SetServerMetadata", data: { serverId: server.id, items: meta } });
      return c.json({ meta });
    })
    .delete("/:id/metadata/:key", async (c) => {
      const server = serverFor(deps, c, "os_compute_api:server-metadata:delete");
      await runComputeCommand(deps, c, { type: "DeleteServerMetadata", data: { serverId: server.id, key: c.req.param("key") } });
      return c.body(null, 204);
    })
    .get("/:id/os-instance-actions", (c) => {
      // Since 2.21 the actions of a deleted server stay readable.
      const server = serverFor(deps, c, "os_compute_api:os-instance-actions:list", { deleted: atLeast(c.get("microversion"), 21) });
      const version = c.get("microversion");
      return c.json({ instanceActions: listInstanceActions(deps.compute(), server.id).map((action) => instanceActionSummary(version, server.id, action)) });
    })
    .get("/:id/os-instance-actions/:requestId", (c) => {
      const server = serverFor(deps, c, "os_compute_api:os-instance-actions:show", { deleted: atLeast(c.get("microversion"), 21) });
      const requestId = c.req.param("requestId");
      const action = getInstanceAction(deps.compute(), server.id, requestId);
      if (action === undefined) throw new HttpFault(404, `Action ${requestId} on instance ${server.id} could not be found.`);
      return c.json({ instanceAction: instanceActionDetail(viewOptions(deps, c), server, action) });
    });
