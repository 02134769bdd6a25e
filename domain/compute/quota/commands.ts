/**
 * The commands on a project's quota, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto` (`../wire.unit.spec.ts` keeps the two identical). The
 * gateway's server create is a saga: ReserveServerResources here first, then RequestServerBuild,
 * and ReleaseServerResources if the build is refused; deletes and failed builds release too.
 */

/** Every limit Nova's quota API shows for compute, in its units; -1 is unlimited. */
export interface QuotaLimits {
  readonly instances: number;
  readonly cores: number;
  readonly ramMb: number;
  readonly keyPairs: number;
  readonly serverGroups: number;
  readonly serverGroupMembers: number;
  readonly metadataItems: number;
}

/** Only the limits given change; the others keep their value (or Nova's default). */
export interface SetQuotaLimits extends Partial<QuotaLimits> {
  readonly projectId: string;
}

/** What one server holds against its project's quota. */
export interface ServerResources {
  readonly instances: number;
  readonly cores: number;
  readonly ramMb: number;
}

export interface ReserveServerResources extends ServerResources {
  readonly projectId: string;
  readonly serverId: string;
}

export interface ReleaseServerResources {
  readonly projectId: string;
  readonly serverId: string;
}

export type QuotaCommand =
  | { readonly type: "SetQuotaLimits"; readonly data: SetQuotaLimits }
  | { readonly type: "ReserveServerResources"; readonly data: ReserveServerResources }
  | { readonly type: "ReleaseServerResources"; readonly data: ReleaseServerResources };

export type QuotaCommandType = QuotaCommand["type"];

/** Every quota command type, for routing and exhaustive specs. */
export const quotaCommandTypes = [
  "SetQuotaLimits",
  "ReserveServerResources",
  "ReleaseServerResources",
] as const satisfies ReadonlyArray<QuotaCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<QuotaCommandType, (typeof quotaCommandTypes)[number]> extends never ? true : never = true;
