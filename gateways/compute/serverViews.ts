/**
 * Servers and their instance actions as Nova returns them, field for field, by microversion and
 * by who asks: admins also see the extended server attributes (host, hypervisor, instance name),
 * a 500 fault's details, and instance-action tracebacks. Times use Nova's formats: `created` and
 * `updated` as `…Z` seconds, `launched_at` and action times as naive microsecond timestamps.
 */
import { createHash } from "node:crypto";
import type { InstanceAction, Server } from "@weft/projections/compute";
import { serverStatus } from "@weft/projections/compute";
import { atLeast, type Microversion } from "./microversions.ts";

export interface ServerViewOptions {
  readonly publicUrl: string;
  readonly version: Microversion;
  readonly isAdmin: boolean;
}

// Times recorded by Weft are already `toISOString()` output (UTC, milliseconds): they are cut
// to shape without a parse, which a 1,000-server page would otherwise do thousands of times.
const canonicalUtc = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** `2026-11-22T10:00:00Z`: Nova's `created`/`updated`. */
export const isoSeconds = (time: string): string => {
  if (canonicalUtc.test(time)) return `${time.slice(0, 19)}Z`;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : `${new Date(ms).toISOString().slice(0, 19)}Z`;
};

/** `2026-11-22T10:00:00.123000`: Nova's naive timestamps (`launched_at`, instance actions). */
export const naiveMicros = (time: string | null): string | null => {
  if (time === null) return null;
  if (canonicalUtc.test(time)) return `${time.slice(0, 23)}000`;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : `${new Date(ms).toISOString().slice(0, 23)}000`;
};

// A digest per (project, host) pair: few pairs, and a page of servers repeats them.
const hostIds = new Map<string, string>();

/** Nova's `hostId`: a per-project digest of the host, so tenants can tell hosts apart but not name them. */
export const hostIdOf = (projectId: string, host: string): string => {
  if (host === "") return "";
  const key = `${projectId}\u0000${host}`;
  let id = hostIds.get(key);
  if (id === undefined) {
    if (hostIds.size >= 10_000) hostIds.clear();
    id = createHash("sha224").update(projectId + host).digest("hex");
    hostIds.set(key, id);
  }
  return id;
};

const links = (publicUrl: string, collection: string, id: string) => [
  { rel: "self", href: `${publicUrl}/compute/v2.1/${collection}/${id}` },
  { rel: "bookmark", href: `${publicUrl}/compute/${collection}/${id}` },
];

const bookmark = (publicUrl: string, collection: string, id: string) => [{ rel: "bookmark", href: `${publicUrl}/compute/${collection}/${id}` }];

/** `GET /servers`: id, name, links. */
export const serverSummary = (publicUrl: string, server: Server) => ({
  id: server.id,
  name: server.name,
  links: links(publicUrl, "servers", server.id),
});

const flavorOf = (options: ServerViewOptions, server: Server) => {
  const { flavor } = server;
  if (!atLeast(options.version, 47)) return { id: flavor.flavorId, links: bookmark(options.publicUrl, "flavors", flavor.flavorId) };
  return {
    vcpus: flavor.vcpus,
    ram: flavor.ramMb,
    disk: flavor.diskGb,
    ephemeral: flavor.ephemeralGb,
    swap: flavor.swapMb,
    original_name: flavor.name,
    extra_specs: flavor.extraSpecs,
  };
};

// The internal name Nova's libvirt driver gives a domain; admins see it.
const instanceName = (server: Server) => `instance-${server.id.slice(0, 8)}`;

const faultOf = (options: ServerViewOptions, server: Server) => {
  const { status } = serverStatus(server);
  if (server.fault === null || (status !== "ERROR" && status !== "DELETED")) return {};
  // Nova hides a 500's details (a stack trace there) from all but admins.
  const details = options.isAdmin || server.fault.code !== 500 ? { details: server.fault.details } : {};
  return { fault: { code: server.fault.code, created: isoSeconds(server.fault.created), message: server.fault.message, ...details } };
};

/** `GET /servers/detail` and `GET /servers/{id}`; `groups` only where Nova shows them (show, update). */
export const serverDetail = (options: ServerViewOptions, server: Server, groups?: ReadonlyArray<string>) => {
  const { version, isAdmin, publicUrl } = options;
  const shown = serverStatus(server);
  return {
    id: server.id,
    name: server.name,
    status: shown.status,
    tenant_id: server.projectId,
    user_id: server.userId,
    metadata: server.metadata,
    hostId: hostIdOf(server.projectId, server.host),
    image: { id: server.image.imageId, links: bookmark(publicUrl, "images", server.image.imageId) },
    flavor: flavorOf(options, server),
    created: isoSeconds(server.created),
    updated: isoSeconds(server.updated),
    addresses: {},
    accessIPv4: "",
    accessIPv6: "",
    links: links(publicUrl, "servers", server.id),
    key_name: server.keyName === "" ? null : server.keyName,
    config_drive: "",
    progress: 0,
    "OS-DCF:diskConfig": "MANUAL",
    "OS-EXT-AZ:availability_zone": server.availabilityZone,
    "OS-EXT-STS:task_state": shown.taskState,
    "OS-EXT-STS:vm_state": shown.vmState,
    "OS-EXT-STS:power_state": shown.powerState,
    "OS-SRV-USG:launched_at": naiveMicros(server.launchedAt),
    "OS-SRV-USG:terminated_at": naiveMicros(server.terminatedAt),
    "os-extended-volumes:volumes_attached": [],
    ...(isAdmin
      ? {
          "OS-EXT-SRV-ATTR:host": server.host === "" ? null : server.host,
          "OS-EXT-SRV-ATTR:hypervisor_hostname": server.host === "" ? null : server.host,
          "OS-EXT-SRV-ATTR:instance_name": instanceName(server),
          ...(atLeast(version, 3)
            ? {
                "OS-EXT-SRV-ATTR:reservation_id": `r-${server.id.slice(0, 8)}`,
                "OS-EXT-SRV-ATTR:launch_index": 0,
                "OS-EXT-SRV-ATTR:hostname": server.name,
                "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:root_device_name": null,
                "OS-EXT-SRV-ATTR:user_data": null,
              }
            : {}),
        }
      : {}),
    ...faultOf(options, server),
    ...(atLeast(version, 9) ? { locked: false } : {}),
    ...(atLeast(version, 19) ? { description: null } : {}),
    ...(atLeast(version, 26) ? { tags: [] } : {}),
    ...(atLeast(version, 63) ? { trusted_image_certificates: null } : {}),
    ...(atLeast(version, 71) && groups !== undefined ? { server_groups: groups } : {}),
    ...(atLeast(version, 73) ? { locked_reason: null } : {}),
  };
};

/** One entry of `GET /servers/{id}/os-instance-actions`. */
export const instanceActionSummary = (version: Microversion, serverId: string, action: InstanceAction) => ({
  action: action.action,
  instance_uuid: serverId,
  message: action.message,
  project_id: action.projectId,
  request_id: action.requestId,
  start_time: naiveMicros(action.startTime),
  user_id: action.userId,
  ...(atLeast(version, 58) ? { updated_at: naiveMicros(action.updatedAt) } : {}),
});

/** `GET /servers/{id}/os-instance-actions/{request_id}`: events for admins, and for everyone from 2.51. */
export const instanceActionDetail = (options: ServerViewOptions, server: Server, action: InstanceAction) => {
  const { version, isAdmin } = options;
  const showEvents = isAdmin || atLeast(version, 51);
  return {
    ...instanceActionSummary(version, server.id, action),
    ...(showEvents
      ? {
          events: action.events.map((event) => ({
            event: event.event,
            start_time: naiveMicros(event.startTime),
            finish_time: naiveMicros(event.finishTime),
            result: event.result,
            ...(isAdmin ? { traceback: null } : {}),
            ...(atLeast(version, 62)
              ? { hostId: hostIdOf(server.projectId, event.host), ...(isAdmin ? { host: event.host } : {}) }
              : {}),
          })),
        }
      : {}),
  };
};
