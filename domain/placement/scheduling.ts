/**
 * The scheduling policy, pure: Nova's filter scheduler reduced to what Weft needs. Filters drop
 * hosts that cannot take the server (down, too full, wrong availability zone, server-group
 * policy, missing or forbidden traits); weighers rank the rest, best first. The scheduler process
 * manager builds the candidates from the placement read model and claims on them in this order.
 * Runs on every build request over every host, so it is one pass to filter and one sort on
 * precomputed keys.
 */
import { amountOf, capacityOf, fitsPrepared, inventoryOf, prepareRequest, type Inventories } from "./capacity.ts";
import type { Resources } from "./commands.ts";

/** Nova's fault message when no host passes the filters. */
export const NO_VALID_HOST = "No valid host was found.";

/** One compute host's provider as the scheduler sees it. */
export interface Candidate {
  readonly providerId: string;
  readonly host: string;
  readonly availabilityZone: string;
  readonly traits: ReadonlyArray<string>;
  readonly inventories: Inventories;
  readonly usage: Resources;
  /** How many members of the request's server group already run on this host. */
  readonly serversOfGroup: number;
  /** Whether the host's agent heartbeats: liveness is in memory, never in the log. */
  readonly up: boolean;
}

export type GroupPolicy = "affinity" | "anti-affinity" | "soft-affinity" | "soft-anti-affinity";

export interface GroupRequest {
  readonly policy: GroupPolicy;
  /** Hosts already running a member of the group. */
  readonly hostsWithMembers: ReadonlySet<string>;
  /** Nova's `max_server_per_host` rule (anti-affinity only, microversion 2.64). */
  readonly maxServerPerHost?: number;
}

/** A flavor's standard resources; a zero amount is not requested (a 0 GB disk boots from a volume). */
export type FlavorResources = { readonly VCPU: number; readonly MEMORY_MB: number; readonly DISK_GB: number };

export interface SchedulingRequest {
  readonly resources: FlavorResources;
  /** Empty or absent: any zone. */
  readonly availabilityZone?: string;
  readonly group?: GroupRequest;
  readonly requiredTraits?: ReadonlyArray<string>;
  /** The flavor's extra specs: `trait:<NAME>` = `required` or `forbidden`, as Nova reads them. */
  readonly extraSpecs?: Readonly<Record<string, string>>;
}

const TRAIT_SPEC = "trait:";

interface TraitRule {
  readonly required: ReadonlyArray<string>;
  readonly forbidden: ReadonlyArray<string>;
}

const traitRuleOf = (request: SchedulingRequest): TraitRule => {
  const required = [...(request.requiredTraits ?? [])];
  const forbidden: Array<string> = [];
  for (const [key, value] of Object.entries(request.extraSpecs ?? {})) {
    if (!key.startsWith(TRAIT_SPEC)) continue;
    if (value === "required") required.push(key.slice(TRAIT_SPEC.length));
    else if (value === "forbidden") forbidden.push(key.slice(TRAIT_SPEC.length));
  }
  return { required, forbidden };
};

const groupAllows = (group: GroupRequest | undefined, candidate: Candidate): boolean => {
  if (group === undefined) return true;
  switch (group.policy) {
    case "affinity":
      // The first member may go anywhere; the rest follow it.
      return group.hostsWithMembers.size === 0 || group.hostsWithMembers.has(candidate.host);
    case "anti-affinity":
      // As Nova's ServerGroupAntiAffinityFilter: with the rule, up to max_server_per_host members.
      return group.maxServerPerHost === undefined
        ? !group.hostsWithMembers.has(candidate.host)
        : candidate.serversOfGroup < group.maxServerPerHost;
    case "soft-affinity":
    case "soft-anti-affinity":
      // Soft policies weigh, never filter.
      return true;
    default: {
      const _unhandled: never = group.policy;
      return true;
    }
  }
};

const hasTraits = (candidate: Candidate, rule: TraitRule): boolean =>
  rule.required.every((trait) => candidate.traits.includes(trait)) &&
  !rule.forbidden.some((trait) => candidate.traits.includes(trait));

/** MEMORY_MB still free for allocations; 0 for a host without memory inventory. */
const freeRamOf = (candidate: Candidate): number => {
  const memory = inventoryOf(candidate.inventories, "MEMORY_MB");
  return memory === undefined ? 0 : capacityOf(memory) - amountOf(candidate.usage, "MEMORY_MB");
};

// Code-unit order, not localeCompare: the same ranking on every machine whatever its locale.
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const compareHosts = (a: Candidate, b: Candidate) => compareText(a.host, b.host) || compareText(a.providerId, b.providerId);

/**
 * The hosts that can take the request, best first. Ranking is lexicographic rather than Nova's
 * normalised sum of weights: the soft group policy first (more members first for soft-affinity,
 * fewer for soft-anti-affinity), then free RAM (most first, which spreads servers), then host
 * name, so equal hosts always rank the same way. Empty when no host passes: fail the build with
 * `NO_VALID_HOST`.
 */
export const selectHosts = (candidates: ReadonlyArray<Candidate>, request: SchedulingRequest): ReadonlyArray<Candidate> => {
  const traits = traitRuleOf(request);
  const zone = request.availabilityZone === "" ? undefined : request.availabilityZone;
  const { group } = request;
  const resources = prepareRequest(request.resources);
  const passed: Array<Candidate> = [];
  for (const candidate of candidates) {
    if (
      candidate.up &&
      (zone === undefined || candidate.availabilityZone === zone) &&
      groupAllows(group, candidate) &&
      hasTraits(candidate, traits) &&
      fitsPrepared(candidate, resources)
    ) passed.push(candidate);
  }
  const groupSign = group?.policy === "soft-affinity" ? 1 : group?.policy === "soft-anti-affinity" ? -1 : 0;
  const groupWeight = new Float64Array(passed.length);
  const freeRam = new Float64Array(passed.length);
  passed.forEach((candidate, i) => {
    groupWeight[i] = groupSign * candidate.serversOfGroup;
    freeRam[i] = freeRamOf(candidate);
  });
  const order = Uint32Array.from(passed.keys());
  order.sort((a, b) => groupWeight[b]! - groupWeight[a]! || freeRam[b]! - freeRam[a]! || compareHosts(passed[a]!, passed[b]!));
  return Array.from(order, (i) => passed[i]!);
};
