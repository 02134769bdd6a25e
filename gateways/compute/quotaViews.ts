/**
 * Quota sets and absolute limits as Nova shows them, by microversion. Weft keeps the limits
 * Nova counts (instances, cores, ram, key pairs, metadata items, server groups and their
 * members); the others Nova still shows are fixed here at the values a stock Nova shows: the
 * nova-network quotas at -1 (hidden from 2.36), the injected-file quotas at Nova's defaults
 * (hidden from 2.57). `maxImageMeta` goes from `limits` at 2.39.
 */
import type { QuotaLimits } from "@weft/domain/compute";
import type { QuotaUsage } from "@weft/projections/compute";
import { atLeast, type Microversion } from "./microversions.ts";

/** Nova's API name of each limit Weft keeps. */
export const quotaApiNames = {
  instances: "instances",
  cores: "cores",
  ram: "ramMb",
  key_pairs: "keyPairs",
  metadata_items: "metadataItems",
  server_groups: "serverGroups",
  server_group_members: "serverGroupMembers",
} as const satisfies Record<string, keyof QuotaLimits>;

export type QuotaApiName = keyof typeof quotaApiNames;

/** Shown until 2.36, where Nova stopped proxying nova-network; always unlimited. */
export const networkQuotas = { fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1 } as const;
/** Shown until 2.57, where Nova dropped file injection; Nova's defaults. */
export const injectedFileQuotas = { injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255 } as const;

/** Every quota the requested version shows, with its limit. */
const shownLimits = (version: Microversion, limits: QuotaLimits): Record<string, number> => ({
  ...Object.fromEntries(Object.entries(quotaApiNames).map(([api, field]) => [api, limits[field]])),
  ...(atLeast(version, 36) ? {} : networkQuotas),
  ...(atLeast(version, 57) ? {} : injectedFileQuotas),
});

/** `GET /os-quota-sets/{id}` and `/defaults` (with the project id), `PUT` (without). */
export const quotaSetView = (version: Microversion, projectId: string | undefined, limits: QuotaLimits) => ({
  quota_set: { ...(projectId === undefined ? {} : { id: projectId }), ...shownLimits(version, limits) },
});

const inUseOf = (usage: QuotaUsage, name: string): number => {
  switch (name) {
    case "instances":
      return usage.instances;
    case "cores":
      return usage.cores;
    case "ram":
      return usage.ramMb;
    case "key_pairs":
      return usage.keyPairs;
    case "server_groups":
      return usage.serverGroups;
    default:
      return 0;
  }
};

/** `GET /os-quota-sets/{id}/detail`: Nova no longer reserves, so `reserved` is always 0. */
export const quotaDetailView = (version: Microversion, projectId: string, limits: QuotaLimits, usage: QuotaUsage) => ({
  quota_set: {
    id: projectId,
    ...Object.fromEntries(
      Object.entries(shownLimits(version, limits)).map(([name, limit]) => [name, { in_use: inUseOf(usage, name), limit, reserved: 0 }]),
    ),
  },
});

/** `GET /limits`: Nova's `absolute` names for the same quotas, rate limits long gone. */
export const limitsView = (version: Microversion, limits: QuotaLimits, usage: QuotaUsage) => ({
  limits: {
    rate: [],
    absolute: {
      maxTotalInstances: limits.instances,
      maxTotalCores: limits.cores,
      maxTotalRAMSize: limits.ramMb,
      maxTotalKeypairs: limits.keyPairs,
      maxServerMeta: limits.metadataItems,
      ...(atLeast(version, 39) ? {} : { maxImageMeta: limits.metadataItems }),
      maxServerGroups: limits.serverGroups,
      maxServerGroupMembers: limits.serverGroupMembers,
      totalInstancesUsed: usage.instances,
      totalCoresUsed: usage.cores,
      totalRAMUsed: usage.ramMb,
      totalServerGroupsUsed: usage.serverGroups,
      ...(atLeast(version, 36)
        ? {}
        : { maxTotalFloatingIps: -1, maxSecurityGroups: -1, maxSecurityGroupRules: -1, totalFloatingIpsUsed: 0, totalSecurityGroupsUsed: 0 }),
      ...(atLeast(version, 57)
        ? {}
        : { maxPersonality: injectedFileQuotas.injected_files, maxPersonalitySize: injectedFileQuotas.injected_file_content_bytes }),
    },
  },
});
