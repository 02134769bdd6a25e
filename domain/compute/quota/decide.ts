/**
 * What a project's quota decides. A reservation is accepted only if, for every resource with a
 * limit, usage plus the request stays within it; reserving for a server that already holds one
 * and releasing one that holds none are accepted with no events, so the create saga and the
 * release on delete or failure may be retried freely. Limits may be set below current usage, as
 * in Nova: they only stop new reservations.
 */
import { assertNever, type Decision } from "../../shared/index.ts";
import type { QuotaCommand, QuotaLimits, ReleaseServerResources, ReserveServerResources, ServerResources, SetQuotaLimits } from "./commands.ts";
import type { QuotaEvent } from "./events.ts";
import { invalidQuotaLimit, invalidReservation, quotaExceeded, type Overage, type QuotaRejection } from "./rejections.ts";
import { quotaLimitNames, quotaLimitsOf, UNLIMITED, type QuotaState } from "./state.ts";

type QuotaDecision = Decision<QuotaEvent, QuotaRejection>;

// Nova's API names for the limits, used in its messages.
const apiNames: Readonly<Record<keyof QuotaLimits, string>> = {
  instances: "instances",
  cores: "cores",
  ramMb: "ram",
  keyPairs: "key_pairs",
  serverGroups: "server_groups",
  serverGroupMembers: "server_group_members",
  metadataItems: "metadata_items",
};

const reservedResources = ["instances", "cores", "ramMb"] as const satisfies ReadonlyArray<keyof ServerResources & keyof QuotaLimits>;

const setLimits = (c: SetQuotaLimits): QuotaDecision => {
  const given: Partial<Record<keyof QuotaLimits, number>> = {};
  for (const name of quotaLimitNames) {
    const value = c[name];
    if (value === undefined) continue;
    if (value < UNLIMITED) return invalidQuotaLimit(apiNames[name], value);
    given[name] = value;
  }
  return Object.keys(given).length === 0 ? [] : [{ type: "QuotaLimitsSet", data: { projectId: c.projectId, ...given } }];
};

const reserve = (c: ReserveServerResources, state: QuotaState): QuotaDecision => {
  for (const name of reservedResources) if (c[name] < 0) return invalidReservation(apiNames[name], c[name]);
  if (state.reservations.has(c.serverId)) return [];
  const limits = quotaLimitsOf(state);
  const overages: Array<Overage> = reservedResources
    .filter((name) => limits[name] !== UNLIMITED && state.used[name] + c[name] > limits[name])
    .map((name) => ({ resource: apiNames[name], requested: c[name], used: state.used[name], allowed: limits[name] }));
  const [first, ...rest] = overages;
  if (first !== undefined) return quotaExceeded([first, ...rest]);
  return [{
    type: "ServerResourcesReserved",
    data: { projectId: c.projectId, serverId: c.serverId, instances: c.instances, cores: c.cores, ramMb: c.ramMb },
  }];
};

const release = ({ projectId, serverId }: ReleaseServerResources, state: QuotaState): QuotaDecision => {
  const held = state.reservations.get(serverId);
  if (held === undefined) return [];
  return [{ type: "ServerResourcesReleased", data: { projectId, serverId, instances: held.instances, cores: held.cores, ramMb: held.ramMb } }];
};

export const decide = (command: QuotaCommand, state: QuotaState): QuotaDecision => {
  switch (command.type) {
    case "SetQuotaLimits":
      return setLimits(command.data);
    case "ReserveServerResources":
      return reserve(command.data, state);
    case "ReleaseServerResources":
      return release(command.data, state);
    default:
      return assertNever(command);
  }
};
