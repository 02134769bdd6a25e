/**
 * Reconciliation after a (re)start: what the driver runs against what the control plane expects
 * on this host. The agent may not read the store, and JetStream alone cannot tell it: the stream
 * is a delivery channel that may have aged out or lost messages (ARCHITECTURE.md), and what the
 * agent's previous life left unacknowledged comes back only after the consumer's ack wait. So it
 * asks the relay, which folds every host's desired state from the log, over a NATS request
 * (`<prefix>.desired.<host>`), and then, before it consumes anything:
 *
 * - destroys instances of servers the control plane does not expect here (deleted while the
 *   agent was down, or failed and given back their allocation);
 * - carries out each pending instruction exactly as if JetStream had delivered it (same report
 *   command ids, so the later redelivery appends nothing);
 * - brings a settled server's power to what the log says (the log is the truth), and logs a
 *   server whose instance is gone, which it cannot rebuild without its spec.
 */
import { Effect } from "effect";
import type { DesiredInstance, DesiredState } from "@weft/infra/host";
import type { InstanceInfo } from "../drivers/index.ts";
import { carryOut, type CarryOutOptions } from "./carryOut.ts";

export interface Reconciliation {
  /** The `$all` position of the desired state reconciled against. */
  readonly position: number;
  readonly destroyed: ReadonlyArray<string>;
  readonly carriedOut: ReadonlyArray<string>;
  readonly powered: ReadonlyArray<string>;
  readonly missing: ReadonlyArray<string>;
}

const settle = (desired: DesiredInstance, instance: InstanceInfo | undefined, options: CarryOutOptions) => {
  if (instance === undefined) {
    return desired.power === "DESIRED_POWER_UNSPECIFIED"
      ? Effect.succeed("settled" as const)
      : Effect.as(Effect.logWarning(`server ${desired.serverId} should run on this host, but the hypervisor has no instance of it`), "missing" as const);
  }
  if (desired.power === "DESIRED_POWER_RUNNING" && instance.powerState === "shutoff") {
    return Effect.as(Effect.ignore(options.driver.powerOn(desired.serverId)), "powered" as const);
  }
  if (desired.power === "DESIRED_POWER_SHUTOFF" && instance.powerState === "running") {
    return Effect.as(Effect.ignore(options.driver.powerOff(desired.serverId)), "powered" as const);
  }
  return Effect.succeed("settled" as const);
};

/** Fails only with ControlPlaneUnavailable (a report got no answer): the caller runs it again. */
export const reconcile = (desired: DesiredState, options: CarryOutOptions) =>
  Effect.gen(function* () {
    const expected = new Map(desired.instances.map((instance) => [instance.serverId, instance]));
    const running = new Map((yield* options.driver.list).map((instance) => [instance.serverId, instance]));

    const orphans = [...running.keys()].filter((serverId) => !expected.has(serverId));
    yield* Effect.forEach(orphans, (serverId) =>
      Effect.logInfo(`destroying server ${serverId}: not expected on this host`).pipe(Effect.andThen(options.driver.destroy(serverId))), { discard: true });

    const outcomes = yield* Effect.forEach(
      desired.instances,
      (instance) =>
        instance.pending === null
          ? settle(instance, running.get(instance.serverId), options)
          : Effect.as(carryOut(instance.pending, options), "carriedOut" as const),
      { concurrency: 16 },
    );
    const serversWith = (outcome: string) => desired.instances.filter((_, index) => outcomes[index] === outcome).map((instance) => instance.serverId);
    return {
      position: desired.position,
      destroyed: orphans,
      carriedOut: serversWith("carriedOut"),
      powered: serversWith("powered"),
      missing: serversWith("missing"),
    } satisfies Reconciliation;
  });
