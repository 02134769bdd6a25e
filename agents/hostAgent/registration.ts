/**
 * A host's registration in placement: its resource provider (named after the host, with an id
 * derived from the name, so registering again names the same provider) and its inventory from the
 * driver's capacity, with Nova's default allocation ratios (`cpu_allocation_ratio` 16.0,
 * `ram_allocation_ratio` 1.5, `disk_allocation_ratio` 1.0) and nothing reserved for the host
 * itself (Nova reserves 512 MB of RAM by default; a fake host has no hypervisor to feed).
 */
import { Effect, Schema } from "effect";
import { hostProviderId, type Inventory } from "@weft/infra/host";
import type { HostCapacity } from "../drivers/index.ts";
import { register, type SendOptions } from "./reports.ts";

export const allocationRatios = { VCPU: 16.0, MEMORY_MB: 1.5, DISK_GB: 1.0 } as const;

export class RegistrationRefused extends Schema.TaggedError<RegistrationRefused>()("RegistrationRefused", {
  host: Schema.String,
  message: Schema.String,
}) {}

const inventory = (resourceClass: keyof typeof allocationRatios, total: number): Inventory =>
  ({ resourceClass, total, reserved: 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio: allocationRatios[resourceClass] });

export const inventoriesOf = (capacity: HostCapacity): ReadonlyArray<Inventory> => [
  inventory("VCPU", capacity.vcpus),
  inventory("MEMORY_MB", capacity.ramMb),
  inventory("DISK_GB", capacity.diskGb),
];

export interface RegistrationOptions extends SendOptions {
  readonly host: string;
  readonly availabilityZone: string;
  readonly capacity: HostCapacity;
}

/** Registers the host; fails with ControlPlaneUnavailable (retry) or RegistrationRefused (give up). */
export const registerHost = (options: RegistrationOptions) =>
  Effect.gen(function* () {
    const providerId = hostProviderId(options.host);
    const created = yield* register(
      { type: "CreateResourceProvider", data: { providerId, name: options.host, host: options.host, availabilityZone: options.availabilityZone, traits: [] } },
      options,
    );
    // Registered by an earlier start: the provider is the same, only its inventory may have changed.
    if (created.outcome === "rejected" && created.rejected.tag !== "ResourceProviderExists") {
      return yield* new RegistrationRefused({ host: options.host, message: `${created.rejected.tag}: ${created.rejected.message}` });
    }
    const set = yield* register({ type: "SetInventory", data: { providerId, inventories: inventoriesOf(options.capacity) } }, options);
    if (set.outcome === "rejected") {
      // Smaller than what is allocated on it now: keep serving those servers on the old inventory.
      if (set.rejected.tag === "InventoryInUse") yield* Effect.logWarning(`host ${options.host} keeps its old inventory: ${set.rejected.message}`);
      else return yield* new RegistrationRefused({ host: options.host, message: `${set.rejected.tag}: ${set.rejected.message}` });
    }
    return providerId;
  });
