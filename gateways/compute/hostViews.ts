/**
 * Compute hosts as Nova's host APIs show them, by microversion: `os-services` entries (integer
 * ids before 2.53, uuids from it; `forced_down` from 2.11), `os-hypervisors` entries (the same id
 * change; `cpu_info` a JSON string before 2.28; the capacity fields Nova dropped at 2.88 are
 * shown, since this gateway stops at 2.79), and availability zones.
 *
 * Capacity is the provider's placement inventory; usage is what the servers scheduled on the
 * host take by their flavors, plus the inventory's reserved memory and disk, as Nova's resource
 * tracker counts it. Weft's only driver so far is the in-memory `fake` one, whose type and
 * version Nova's own fake driver reports the same way.
 */
import { inventoryOf } from "@weft/domain/placement";
import type { HostUsageView, Server } from "@weft/projections/compute";
import { serverStatus } from "@weft/projections/compute";
import { novaTime, type ComputeHost } from "./hosts.ts";
import { atLeast, type Microversion } from "./microversions.ts";

const HYPERVISOR_TYPE = "fake";
// Nova's fake driver: versionutils.convert_version_to_int("1.0").
const HYPERVISOR_VERSION = 1000;

export const serviceView = (version: Microversion, host: ComputeHost) => ({
  id: atLeast(version, 53) ? host.serviceUuid : host.serviceId,
  binary: "nova-compute",
  host: host.host,
  zone: host.zone,
  status: "enabled",
  state: host.up ? "up" : "down",
  updated_at: novaTime(host.updatedAt),
  disabled_reason: null,
  ...(atLeast(version, 11) ? { forced_down: false } : {}),
});

/** What the detailed views need beyond the host: its servers and what they take. */
export interface HostLoad {
  readonly usage: HostUsageView;
  readonly servers: ReadonlyArray<Server>;
}

const hypervisorId = (version: Microversion, host: ComputeHost) => (atLeast(version, 53) ? host.nodeUuid : host.nodeId);

const serverList = (servers: ReadonlyArray<Server>) => servers.map((server) => ({ name: server.name, uuid: server.id }));

/** The figures `/detail`, show and `/statistics` report for one host. */
export const hostFigures = (host: ComputeHost, load: HostLoad) => {
  const { inventories } = host.record.provider;
  const total = (resourceClass: string) => inventoryOf(inventories, resourceClass)?.total ?? 0;
  const reserved = (resourceClass: string) => inventoryOf(inventories, resourceClass)?.reserved ?? 0;
  const { used } = load.usage;
  const memoryUsed = reserved("MEMORY_MB") + used.ramMb;
  const diskUsed = reserved("DISK_GB") + used.diskGb;
  return {
    vcpus: total("VCPU"),
    memory_mb: total("MEMORY_MB"),
    local_gb: total("DISK_GB"),
    vcpus_used: used.vcpus,
    memory_mb_used: memoryUsed,
    local_gb_used: diskUsed,
    free_ram_mb: total("MEMORY_MB") - memoryUsed,
    free_disk_gb: total("DISK_GB") - diskUsed,
    // Nova's workload: instances building or with a task under way.
    current_workload: load.servers.filter((server) => {
      const shown = serverStatus(server);
      return shown.status === "BUILD" || shown.taskState !== null;
    }).length,
    running_vms: load.usage.serverIds.length,
    disk_available_least: total("DISK_GB") - diskUsed,
  };
};

export type HostFigures = ReturnType<typeof hostFigures>;

/**
 * One hypervisor. `servers` is listed when asked for (`with_servers`, 2.53+), and from 2.75 as an
 * empty list too when the host has none.
 */
export const hypervisorView = (version: Microversion, host: ComputeHost, detail: HostLoad | undefined, withServers: ReadonlyArray<Server> | undefined) => {
  const servers =
    withServers === undefined ? {} : withServers.length > 0 || atLeast(version, 75) ? { servers: serverList(withServers) } : {};
  const base = {
    id: hypervisorId(version, host),
    hypervisor_hostname: host.nodeName,
    state: host.up ? "up" : "down",
    status: "enabled",
  };
  if (detail === undefined) return { ...base, ...servers };
  return {
    ...base,
    hypervisor_type: HYPERVISOR_TYPE,
    hypervisor_version: HYPERVISOR_VERSION,
    host_ip: null,
    service: { id: atLeast(version, 53) ? host.serviceUuid : host.serviceId, host: host.host, disabled_reason: null },
    ...hostFigures(host, detail),
    cpu_info: atLeast(version, 28) ? {} : "",
    ...servers,
  };
};

/** `GET /os-hypervisors/statistics`: the sums over every host. */
export const hypervisorStatisticsView = (figures: ReadonlyArray<HostFigures>) => {
  const sum = (field: keyof HostFigures) => figures.reduce((total, entry) => total + entry[field], 0);
  return {
    hypervisor_statistics: {
      count: figures.length,
      vcpus: sum("vcpus"),
      memory_mb: sum("memory_mb"),
      local_gb: sum("local_gb"),
      vcpus_used: sum("vcpus_used"),
      memory_mb_used: sum("memory_mb_used"),
      local_gb_used: sum("local_gb_used"),
      free_ram_mb: sum("free_ram_mb"),
      free_disk_gb: sum("free_disk_gb"),
      current_workload: sum("current_workload"),
      running_vms: sum("running_vms"),
      disk_available_least: sum("disk_available_least"),
    },
  };
};

/**
 * `os-availability-zone`: every zone a host is in, available while it has an enabled compute
 * service (all are: Weft cannot disable one yet). The detailed form lists each host's
 * `nova-compute` with its liveness; Nova's `internal` zone would hold only its control services.
 */
export const availabilityZonesView = (hosts: ReadonlyArray<ComputeHost>, detailed: boolean) => {
  const zones = [...new Set(hosts.map((host) => host.zone))].sort();
  return {
    availabilityZoneInfo: zones.map((zone) => ({
      zoneName: zone,
      zoneState: { available: true },
      hosts: detailed
        ? Object.fromEntries(
            hosts
              .filter((host) => host.zone === zone)
              .map((host) => [host.host, { "nova-compute": { available: host.up, active: true, updated_at: novaTime(host.updatedAt) } }]),
          )
        : null,
    })),
  };
};
