/**
 * Carrying out one host instruction: drive the compute driver, then report the outcome with a
 * command whose id derives from the instruction's event. Safe to repeat, as JetStream delivers
 * at least once and a restarted agent also learns pending instructions from its desired state:
 * a spawn of an instance that exists is reported spawned, never booted twice; a stop, start or
 * destroy of what is already so is reported done. An instruction carried out in this process
 * before is only reported again (a second reboot is not harmless), and a spawn that arrives after
 * this process destroyed the server is dropped, so no redelivery brings a deleted server back.
 */
import { Effect } from "effect";
import type { HostInstruction, HostReport } from "@weft/infra/host";
import type { ComputeDriverShape } from "../drivers/index.ts";
import { report, type SendOptions } from "./reports.ts";

interface Outcome {
  readonly step: string;
  readonly command: HostReport;
}

/** What this process already did, bounded: redeliveries come soon after the first delivery. */
export interface Memory {
  readonly done: Map<string, Outcome | null>;
  readonly destroyed: Set<string>;
}

const remembered = 4_096;

export const makeMemory = (): Memory => ({ done: new Map(), destroyed: new Set() });

// Oldest first: Maps and Sets iterate in insertion order.
const forgetOldest = (collection: Map<string, unknown> | Set<string>) => {
  for (const key of collection.keys()) {
    if (collection.size <= remembered) return;
    collection.delete(key);
  }
};

export interface CarryOutOptions extends SendOptions {
  readonly driver: ComputeDriverShape;
  readonly memory: Memory;
}

/** What the driver does for `instruction`, and the report it earns (none when it cannot be carried out). */
const act = (instruction: HostInstruction, driver: ComputeDriverShape, memory: Memory): Effect.Effect<Outcome | null> => {
  const { serverId } = instruction;
  const target = { serverId };
  const notFound = (what: string) =>
    Effect.as(Effect.logError(`cannot ${what} server ${serverId}: the hypervisor has no instance of it; not reported`), null);
  switch (instruction.action) {
    case "spawn": {
      if (memory.destroyed.has(serverId)) {
        return Effect.as(Effect.logWarning(`spawn of server ${serverId} arrived after it was destroyed here; dropped`), null);
      }
      const { spawn } = instruction;
      const spec = { serverId, name: spawn.name, vcpus: spawn.vcpus, ramMb: spawn.ramMb, diskGb: spawn.diskGb, imageId: spawn.imageId, keyPublicKey: spawn.keyPublicKey };
      const spawned: Outcome = { step: "spawned", command: { type: "ReportServerSpawned", data: target } };
      return driver.create(spec).pipe(
        Effect.as(spawned),
        // Booted by an earlier delivery (the agent died before it acknowledged): report, never boot again.
        Effect.catchTag("InstanceAlreadyExists", () => Effect.succeed(spawned)),
        Effect.catchTag("SpawnFailed", (failure) =>
          Effect.succeed<Outcome>({
            step: "spawn-failed",
            command: { type: "ReportServerSpawnFailed", data: { serverId, fault: { code: 500, message: failure.message, details: "" } } },
          })),
      );
    }
    case "stop":
      // No instance is no running instance: the server is stopped either way.
      return driver.powerOff(serverId).pipe(
        Effect.catchTag("InstanceNotFound", () => Effect.logWarning(`stop of server ${serverId}: no instance here; reported stopped`)),
        Effect.as<Outcome>({ step: "stopped", command: { type: "ReportServerStopped", data: target } }),
      );
    case "start":
      return driver.powerOn(serverId).pipe(
        Effect.as<Outcome | null>({ step: "started", command: { type: "ReportServerStarted", data: target } }),
        Effect.catchTag("InstanceNotFound", () => notFound("start")),
      );
    case "reboot":
      return driver.reboot(serverId, instruction.reboot.hard).pipe(
        // Nova's libvirt driver falls back to a hard reboot when a soft one cannot be done.
        Effect.catchTag("InstanceNotRunning", () => driver.reboot(serverId, true)),
        Effect.as<Outcome | null>({ step: "rebooted", command: { type: "ReportServerRebooted", data: target } }),
        Effect.catchTag("InstanceNotFound", () => notFound("reboot")),
        // A hard reboot starts a stopped instance: a driver that refuses it is broken.
        Effect.catchTag("InstanceNotRunning", (error) => Effect.die(error)),
      );
    case "destroy":
      return driver.destroy(serverId).pipe(
        Effect.tap(() => Effect.sync(() => {
          memory.destroyed.add(serverId);
          forgetOldest(memory.destroyed);
        })),
        Effect.as<Outcome>({ step: "destroyed", command: { type: "ReportServerDestroyed", data: target } }),
      );
    default: {
      const _unknown: never = instruction;
      return Effect.succeed(null);
    }
  }
};

/**
 * Carries out the instruction and reports it; fails only with ControlPlaneUnavailable, when the
 * report did not get an answer (the caller tries again: the driver step is then a repeat).
 */
export const carryOut = (instruction: HostInstruction, options: CarryOutOptions) =>
  Effect.gen(function* () {
    const { memory } = options;
    const known = memory.done.get(instruction.eventId);
    const outcome = known !== undefined ? known : yield* act(instruction, options.driver, memory);
    if (known === undefined) {
      memory.done.set(instruction.eventId, outcome);
      forgetOldest(memory.done);
    }
    if (outcome !== null) yield* report(instruction, outcome.step, outcome.command, options);
  }).pipe(Effect.annotateLogs({ serverId: instruction.serverId, eventId: instruction.eventId, action: instruction.action }));
