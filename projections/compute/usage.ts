/**
 * What compute uses: each project's quota (limits and reservations, folded by the domain's own
 * quota `evolve` so the read model counts exactly as the aggregate decides) and each host's
 * servers with the resources their flavors take, for `os-hypervisors`. Host capacity is
 * placement's and comes from its read model.
 */
import { OrderedMap as ImmutableOrderedMap, type Map as ImmutableMap } from "immutable";
import { quotaDecider, uuidOf, type FlavorSnapshot, type QuotaEvent, type QuotaState } from "@weft/domain/compute";

/** project (uuid form) -> the quota aggregate's state; a project never seen has Nova's defaults. */
export type Quotas = ImmutableMap<string, QuotaState>;

export const evolveQuotas = (quotas: Quotas, event: QuotaEvent): Quotas => {
  const project = uuidOf(event.data.projectId);
  return quotas.set(project, quotaDecider.evolve(quotas.get(project) ?? quotaDecider.initialState(), event));
};

/** What one server takes on its host. */
export interface HostResources {
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

export interface HostUsage {
  readonly host: string;
  /** serverId -> what it takes, in the order they were scheduled there. */
  readonly servers: ImmutableOrderedMap<string, HostResources>;
  readonly used: HostResources;
}

export type Hosts = ImmutableMap<string, HostUsage>;

/** Nova's `resources_from_flavor`: swap counts against the disk, rounded up to whole GiB. */
export const hostResourcesOf = (flavor: FlavorSnapshot): HostResources => ({
  vcpus: flavor.vcpus,
  ramMb: flavor.ramMb,
  diskGb: flavor.diskGb + flavor.ephemeralGb + Math.ceil(flavor.swapMb / 1024),
});

const sum = (a: HostResources, b: HostResources, sign: 1 | -1): HostResources =>
  ({ vcpus: a.vcpus + sign * b.vcpus, ramMb: a.ramMb + sign * b.ramMb, diskGb: a.diskGb + sign * b.diskGb });

const nothing: HostResources = { vcpus: 0, ramMb: 0, diskGb: 0 };

/** A server scheduled on `host` takes its flavor's resources there until it is deleted. */
export const withServerOnHost = (hosts: Hosts, host: string, serverId: string, flavor: FlavorSnapshot): Hosts => {
  const usage = hosts.get(host) ?? { host, servers: ImmutableOrderedMap<string, HostResources>(), used: nothing };
  if (usage.servers.has(serverId)) return hosts;
  const taken = hostResourcesOf(flavor);
  return hosts.set(host, { host, servers: usage.servers.set(serverId, taken), used: sum(usage.used, taken, 1) });
};

export const withoutServerOnHost = (hosts: Hosts, host: string, serverId: string): Hosts => {
  const usage = hosts.get(host);
  const taken = usage?.servers.get(serverId);
  if (usage === undefined || taken === undefined) return hosts;
  const servers = usage.servers.delete(serverId);
  // A host with no servers left is dropped, so a document rebuilt from a snapshot compares equal.
  return servers.isEmpty() ? hosts.delete(host) : hosts.set(host, { host, servers, used: sum(usage.used, taken, -1) });
};
