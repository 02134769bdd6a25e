/**
 * A project's quota as `decide` needs it: the limits set explicitly (the others are Nova's
 * defaults), each server's reservation, and their running total so a check is O(1). Limits and
 * usage live in one aggregate, so concurrent reservations race on one stream revision and exactly
 * as many win as the limit allows. A project may hold any number of servers when unlimited, so
 * reservations are an `immutable` persistent map.
 */
import { Map as ImmutableMap } from "immutable";
import { uuidOf } from "../ids.ts";
import type { QuotaLimits, ServerResources } from "./commands.ts";
import type { QuotaEvent } from "./events.ts";

/** Keystone project ids have no dashes; the stream names them in uuid form. */
export const quotaStream = (projectId: string): string => `quota-${uuidOf(projectId)}`;

/** Nova's defaults for a project whose limits were never set. */
export const defaultQuotaLimits: QuotaLimits = {
  instances: 10,
  cores: 20,
  ramMb: 51200,
  keyPairs: 100,
  serverGroups: 10,
  serverGroupMembers: 10,
  metadataItems: 128,
};

export const UNLIMITED = -1;

export const quotaLimitNames = [
  "instances",
  "cores",
  "ramMb",
  "keyPairs",
  "serverGroups",
  "serverGroupMembers",
  "metadataItems",
] as const satisfies ReadonlyArray<keyof QuotaLimits>;

// A limit missing from the list above fails to compile here.
const _allLimitsListed: Exclude<keyof QuotaLimits, (typeof quotaLimitNames)[number]> extends never ? true : never = true;

/** A project's quota has no lifecycle: it exists, with the defaults, before its first event. */
export interface ProjectQuota {
  readonly status: "quota";
  /** Only the limits ever set; `quotaLimitsOf` fills in the defaults. */
  readonly limits: Partial<QuotaLimits>;
  readonly reservations: ImmutableMap<string, ServerResources>;
  readonly used: ServerResources;
}

export type QuotaState = ProjectQuota;

const nothingUsed: ServerResources = { instances: 0, cores: 0, ramMb: 0 };

export const initialState = (): QuotaState => ({ status: "quota", limits: {}, reservations: ImmutableMap(), used: nothingUsed });

/** The limits in force: the ones set, Nova's defaults for the rest. */
export const quotaLimitsOf = (state: QuotaState): QuotaLimits => ({ ...defaultQuotaLimits, ...state.limits });

const plus = (a: ServerResources, b: ServerResources, sign: 1 | -1): ServerResources => ({
  instances: a.instances + sign * b.instances,
  cores: a.cores + sign * b.cores,
  ramMb: a.ramMb + sign * b.ramMb,
});

const resourcesOf = ({ instances, cores, ramMb }: ServerResources): ServerResources => ({ instances, cores, ramMb });

/** Total and never throwing. */
export const evolve = (state: QuotaState, event: QuotaEvent): QuotaState => {
  switch (event.type) {
    case "QuotaLimitsSet": {
      const limits: Partial<Record<keyof QuotaLimits, number>> = { ...state.limits };
      for (const name of quotaLimitNames) {
        const value = event.data[name];
        if (value !== undefined) limits[name] = value;
      }
      return { ...state, limits };
    }
    case "ServerResourcesReserved": {
      const { serverId } = event.data;
      const previous = state.reservations.get(serverId);
      const reserved = resourcesOf(event.data);
      const used = plus(previous === undefined ? state.used : plus(state.used, previous, -1), reserved, 1);
      return { ...state, reservations: state.reservations.set(serverId, reserved), used };
    }
    case "ServerResourcesReleased": {
      const previous = state.reservations.get(event.data.serverId);
      if (previous === undefined) return state;
      return { ...state, reservations: state.reservations.delete(event.data.serverId), used: plus(state.used, previous, -1) };
    }
    default: {
      const _unhandled: never = event;
      return state;
    }
  }
};
