/**
 * Questions the Nova gateway asks about everything but servers: flavors (`GET /flavors` with its
 * filters and paging), key pairs, server groups, quota sets and absolute limits, and host usage
 * for `os-hypervisors`. Pure functions of the document, answering in Nova's order.
 */
import { quotaLimitsOf, quotaDecider, uuidOf, type QuotaLimits } from "@weft/domain/compute";
import type { Flavor, Keypair, ServerGroup } from "./catalog.ts";
import type { ComputeDocument } from "./document.ts";
import { keysAscending } from "./sortedKeys.ts";
import type { HostResources } from "./usage.ts";

export const getFlavor = (doc: ComputeDocument, flavorId: string): Flavor | undefined => doc.flavors.byId.get(flavorId);

export const findFlavorByName = (doc: ComputeDocument, name: string): Flavor | undefined => {
  const id = doc.flavors.byName.get(name);
  return id === undefined ? undefined : doc.flavors.byId.get(id);
};

export interface FlavorListQuery {
  /** Undefined lists public and private ones (Nova's `is_public=None`). */
  readonly isPublic?: boolean;
  readonly minRam?: number;
  readonly minDisk?: number;
  readonly limit?: number;
  /** The id of the last flavor of the previous page. */
  readonly marker?: string;
}

export interface FlavorList {
  /** By flavor id ascending, as strings, as Nova sorts by default. */
  readonly flavors: ReadonlyArray<Flavor>;
  /** Flavors are deleted for good, so a deleted flavor's id is not found either, as in Nova. */
  readonly markerNotFound: boolean;
}

export const listFlavors = (doc: ComputeDocument, query: FlavorListQuery = {}): FlavorList => {
  const { byId, order } = doc.flavors;
  if (query.marker !== undefined && !byId.has(query.marker)) return { flavors: [], markerNotFound: true };
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const flavors: Array<Flavor> = [];
  if (limit <= 0) return { flavors, markerNotFound: false };
  for (const id of keysAscending(order, query.marker)) {
    const flavor = byId.get(id);
    if (flavor === undefined) continue;
    if (query.isPublic !== undefined && flavor.isPublic !== query.isPublic) continue;
    if (query.minRam !== undefined && flavor.ramMb < query.minRam) continue;
    if (query.minDisk !== undefined && flavor.diskGb < query.minDisk) continue;
    flavors.push(flavor);
    if (flavors.length >= limit) break;
  }
  return { flavors, markerNotFound: false };
};

/** A user's key pairs in the order they were imported, Nova's list order. */
export const listKeypairs = (doc: ComputeDocument, userId: string): ReadonlyArray<Keypair> =>
  doc.keypairs.get(uuidOf(userId))?.valueSeq().toArray() ?? [];

export const getKeypair = (doc: ComputeDocument, userId: string, name: string): Keypair | undefined =>
  doc.keypairs.get(uuidOf(userId))?.get(name);

export const getServerGroup = (doc: ComputeDocument, groupId: string): ServerGroup | undefined => doc.serverGroups.byId.get(groupId);

/** In creation order; every project's when `projectId` is undefined (Nova's `all_projects`). */
export const listServerGroups = (doc: ComputeDocument, projectId?: string): ReadonlyArray<ServerGroup> => {
  const { byId, byProject } = doc.serverGroups;
  if (projectId === undefined) return byId.valueSeq().toArray();
  const ids = byProject.get(uuidOf(projectId));
  return ids === undefined ? [] : ids.toArray().flatMap((id) => byId.get(id) ?? []);
};

export interface QuotaUsage {
  readonly instances: number;
  readonly cores: number;
  readonly ramMb: number;
  readonly serverGroups: number;
  /** Key pairs are counted per user: 0 unless a user is named. */
  readonly keyPairs: number;
}

export interface ProjectQuotaView {
  /** Every limit in force: the ones set, Nova's defaults for the rest (-1 is unlimited). */
  readonly limits: QuotaLimits;
  readonly inUse: QuotaUsage;
}

/** `os-quota-sets/{project}[/detail]`: instances, cores and RAM as reserved on the quota aggregate. */
export const quotaOf = (doc: ComputeDocument, projectId: string, userId?: string): ProjectQuotaView => {
  const project = uuidOf(projectId);
  const quota = doc.quotas.get(project) ?? quotaDecider.initialState();
  return {
    limits: quotaLimitsOf(quota),
    inUse: {
      ...quota.used,
      serverGroups: doc.serverGroups.byProject.get(project)?.size ?? 0,
      keyPairs: userId === undefined ? 0 : (doc.keypairs.get(uuidOf(userId))?.size ?? 0),
    },
  };
};

/** The `absolute` object of Nova's `GET /limits`, compute's part. */
export interface AbsoluteLimits {
  readonly maxTotalInstances: number;
  readonly maxTotalCores: number;
  readonly maxTotalRAMSize: number;
  readonly maxTotalKeypairs: number;
  readonly maxServerMeta: number;
  readonly maxServerGroups: number;
  readonly maxServerGroupMembers: number;
  readonly totalInstancesUsed: number;
  readonly totalCoresUsed: number;
  readonly totalRAMUsed: number;
  readonly totalServerGroupsUsed: number;
}

export const absoluteLimitsOf = (doc: ComputeDocument, projectId: string): AbsoluteLimits => {
  const { limits, inUse } = quotaOf(doc, projectId);
  return {
    maxTotalInstances: limits.instances,
    maxTotalCores: limits.cores,
    maxTotalRAMSize: limits.ramMb,
    maxTotalKeypairs: limits.keyPairs,
    maxServerMeta: limits.metadataItems,
    maxServerGroups: limits.serverGroups,
    maxServerGroupMembers: limits.serverGroupMembers,
    totalInstancesUsed: inUse.instances,
    totalCoresUsed: inUse.cores,
    totalRAMUsed: inUse.ramMb,
    totalServerGroupsUsed: inUse.serverGroups,
  };
};

/** What a host's servers take: `vcpus_used`, `memory_mb_used`, `local_gb_used`, `running_vms`. */
export interface HostUsageView {
  readonly host: string;
  /** Server ids in the order they were scheduled there (`os-hypervisors/{id}?with_servers`). */
  readonly serverIds: ReadonlyArray<string>;
  readonly used: HostResources;
}

/** A host with no servers uses nothing; whether it exists is placement's to say. */
export const hostUsageOf = (doc: ComputeDocument, host: string): HostUsageView => {
  const usage = doc.hosts.get(host);
  return usage === undefined
    ? { host, serverIds: [], used: { vcpus: 0, ramMb: 0, diskGb: 0 } }
    : { host, serverIds: usage.servers.keySeq().toArray(), used: usage.used };
};
