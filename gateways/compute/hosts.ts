/**
 * Compute hosts as Nova's host APIs (`os-services`, `os-hypervisors`, `os-availability-zone`) see
 * them, derived from the placement read model: every resource provider stands for one compute
 * host running one `nova-compute` service. Whether a host is up is not in the log (agents
 * heartbeat on core NATS), so the composition root passes a `HostLiveness`; without one every
 * host counts as up.
 *
 * Nova numbers services and compute nodes with database integers before microversion 2.53 and
 * shows uuids from 2.53. Weft has no such counter that every gateway replica would agree on, so
 * the integer is derived from the uuid (its first 32 bits, modulo 2^31 - 1): stable across restarts and replicas.
 * Two hosts could in principle share one; `byLegacyId` then answers the first in name order.
 */
import { createHash } from "node:crypto";
import { listProviders, type PlacementDocument, type ProviderRecord } from "@weft/projections/placement";
import { dashedUuidOf } from "@weft/domain/compute";

/** What the heartbeat monitor knows of each host. */
export interface HostLiveness {
  readonly isUp: (host: string) => boolean;
  /** When the host's agent was last heard from (ms since the epoch), if ever. */
  readonly lastSeen: (host: string) => number | undefined;
}

/** Until agents heartbeat, every registered host counts as up, as the scheduler assumes too. */
export const everyHostUp: HostLiveness = { isUp: () => true, lastSeen: () => undefined };

/** Nova's default availability zone for hosts in none. */
export const DEFAULT_ZONE = "nova";

export interface ComputeHost {
  readonly record: ProviderRecord;
  /** `service.host`: the compute host's name. */
  readonly host: string;
  /** `hypervisor_hostname`: the node's name (the provider's). */
  readonly nodeName: string;
  readonly zone: string;
  /** The compute node's uuid (the provider's) and its pre-2.53 integer id. */
  readonly nodeUuid: string;
  readonly nodeId: number;
  /** The `nova-compute` service's uuid and its pre-2.53 integer id. */
  readonly serviceUuid: string;
  readonly serviceId: number;
  readonly up: boolean;
  /** ISO time of the last heartbeat, or of the last placement change when none is known. */
  readonly updatedAt: string | null;
}

/** A positive 31-bit integer from the first 32 bits of a uuid, as Nova's ids are integers. */
export const legacyIdOf = (uuid: string): number => Number.parseInt(uuid.replaceAll("-", "").slice(0, 8), 16) % 0x7fffffff || 1;

/** A name-based uuid (RFC 4122 version 5 layout over SHA-1), so every gateway names a service alike. */
const nameUuid = (name: string): string => {
  const hex = createHash("sha1").update(`weft:nova-compute:${name}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return dashedUuidOf(`${hex.slice(0, 12)}5${hex.slice(13, 16)}${variant}${hex.slice(18, 32)}`);
};

export const computeHostOf = (record: ProviderRecord, liveness: HostLiveness): ComputeHost => {
  const { provider } = record;
  const serviceUuid = nameUuid(provider.host);
  const seen = liveness.lastSeen(provider.host);
  return {
    record,
    host: provider.host,
    nodeName: provider.name,
    zone: provider.availabilityZone === "" ? DEFAULT_ZONE : provider.availabilityZone,
    nodeUuid: provider.providerId,
    nodeId: legacyIdOf(provider.providerId),
    serviceUuid,
    serviceId: legacyIdOf(serviceUuid),
    up: liveness.isUp(provider.host),
    updatedAt: seen === undefined ? record.updatedAt : new Date(seen).toISOString(),
  };
};

/** Every compute host, by node name (Nova lists compute nodes by id; names are what operators read). */
export const listComputeHosts = (doc: PlacementDocument, liveness: HostLiveness): ReadonlyArray<ComputeHost> =>
  listProviders(doc).map((record) => computeHostOf(record, liveness));

/** Nova's timestamps: no zone designator, microseconds (`2012-10-29T13:42:02.000000`). */
export const novaTime = (iso: string | null): string | null => (iso === null ? null : iso.replace(/\.(\d{3})Z$/, ".$1000").replace(/Z$/, ""));
