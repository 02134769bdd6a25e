/**
 * The commands of a server group, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto` (`../wire.unit.spec.ts` keeps the two identical). Which
 * servers are members is derived by read models from ServerBuildRequested.serverGroupId; the
 * server_groups and server_group_members quotas are enforced by the gateway from them.
 */

export type ServerGroupPolicy = "affinity" | "anti-affinity" | "soft-affinity" | "soft-anti-affinity";

export const serverGroupPolicies = [
  "affinity",
  "anti-affinity",
  "soft-affinity",
  "soft-anti-affinity",
] as const satisfies ReadonlyArray<ServerGroupPolicy>;

export interface CreateServerGroup {
  readonly groupId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string;
  readonly policy: ServerGroupPolicy;
  /** Nova's `rules.max_server_per_host`, anti-affinity only; 0 when not set. */
  readonly maxServerPerHost: number;
}

export interface ServerGroupTarget {
  readonly groupId: string;
}

export type ServerGroupCommand =
  | { readonly type: "CreateServerGroup"; readonly data: CreateServerGroup }
  | { readonly type: "DeleteServerGroup"; readonly data: ServerGroupTarget };

export type ServerGroupCommandType = ServerGroupCommand["type"];

/** Every server group command type, for routing and exhaustive specs. */
export const serverGroupCommandTypes = ["CreateServerGroup", "DeleteServerGroup"] as const satisfies ReadonlyArray<ServerGroupCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<ServerGroupCommandType, (typeof serverGroupCommandTypes)[number]> extends never ? true : never = true;
