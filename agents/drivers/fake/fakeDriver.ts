/**
 * The `fake` compute driver: an in-memory hypervisor, for tests, benchmarks and many simulated
 * hosts in one process. It is named fake everywhere it shows (driver name, hypervisor type), so
 * nobody mistakes its servers for real VMs. Boots take `bootDelayMs` of the Effect clock, and a
 * test can make chosen boots fail.
 */
import { Effect } from "effect";
import { InstanceAlreadyExists, InstanceNotFound, InstanceNotRunning, SpawnFailed, type ComputeDriverShape, type HostCapacity, type InstanceInfo, type InstanceSpec } from "../ComputeDriver.ts";

export interface FakeDriverOptions {
  readonly capacity?: Partial<HostCapacity>;
  readonly bootDelayMs?: number;
  /** A message makes that boot fail with it; undefined lets it succeed. */
  readonly failBoot?: (spec: InstanceSpec) => string | undefined;
}

interface FakeInstance {
  info: InstanceInfo;
  readonly console: Array<string>;
}

export const makeFakeDriver = (options: FakeDriverOptions = {}): ComputeDriverShape => {
  const capacity: HostCapacity = { vcpus: 64, ramMb: 262_144, diskGb: 4_096, ...options.capacity, hypervisorType: "fake" };
  const instances = new Map<string, FakeInstance>();
  const found = (serverId: string) =>
    Effect.suspend(() => {
      const instance = instances.get(serverId);
      return instance === undefined ? Effect.fail(new InstanceNotFound({ serverId })) : Effect.succeed(instance);
    });
  const setPower = (instance: FakeInstance, powerState: InstanceInfo["powerState"], line: string) => {
    instance.info = { ...instance.info, powerState };
    instance.console.push(line);
  };

  return {
    name: "fake",
    capacity: Effect.succeed(capacity),
    create: (spec) =>
      Effect.gen(function* () {
        if (instances.has(spec.serverId)) return yield* new InstanceAlreadyExists({ serverId: spec.serverId });
        const failure = options.failBoot?.(spec);
        if (options.bootDelayMs !== undefined && options.bootDelayMs > 0) yield* Effect.sleep(options.bootDelayMs);
        if (failure !== undefined) return yield* new SpawnFailed({ serverId: spec.serverId, message: failure });
        // Checked again after the delay: a concurrent create of the same id may have won meanwhile.
        if (instances.has(spec.serverId)) return yield* new InstanceAlreadyExists({ serverId: spec.serverId });
        const info: InstanceInfo = { serverId: spec.serverId, name: spec.name, powerState: "running", vcpus: spec.vcpus, ramMb: spec.ramMb, diskGb: spec.diskGb };
        instances.set(spec.serverId, { info, console: [`[fake] ${spec.name} booted from image ${spec.imageId}${spec.keyPublicKey === "" ? "" : " with a key"}`] });
        return info;
      }),
    destroy: (serverId) => Effect.sync(() => void instances.delete(serverId)),
    powerOff: (serverId) => Effect.map(found(serverId), (instance) => setPower(instance, "shutoff", "[fake] powered off")),
    powerOn: (serverId) => Effect.map(found(serverId), (instance) => setPower(instance, "running", "[fake] powered on")),
    reboot: (serverId, hard) =>
      Effect.flatMap(found(serverId), (instance) =>
        instance.info.powerState === "shutoff" && !hard
          ? Effect.fail(new InstanceNotRunning({ serverId }))
          : Effect.sync(() => setPower(instance, "running", `[fake] ${hard ? "hard" : "soft"} reboot`)),
      ),
    consoleLog: (serverId) => Effect.map(found(serverId), (instance) => instance.console.join("\n")),
    list: Effect.sync(() => [...instances.values()].map((instance) => instance.info)),
  };
};
