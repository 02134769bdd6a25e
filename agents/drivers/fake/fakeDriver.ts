/**
 * The `fake` compute driver: an in-memory hypervisor, for tests, benchmarks and many simulated
 * hosts in one process (one driver per host). It is named fake everywhere it shows (driver name,
 * hypervisor type), so nobody mistakes its servers for real VMs. Boots take `bootDelayMs` of the
 * Effect clock, and a test can make chosen boots fail.
 *
 * With a `stateFile`, its instances outlive the agent process as real VMs outlive a restart of
 * nova-compute: the file is read when the driver is made and rewritten (temp file, then rename)
 * before each change is answered, so an agent killed with -9 finds what it booted. Writes are
 * grouped: changes made while one write is under way share the next.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Effect } from "effect";
import { InstanceAlreadyExists, InstanceNotFound, InstanceNotRunning, SpawnFailed, type ComputeDriverShape, type HostCapacity, type InstanceInfo, type InstanceSpec } from "../ComputeDriver.ts";

export interface FakeDriverOptions {
  readonly capacity?: Partial<HostCapacity>;
  readonly bootDelayMs?: number;
  /** A message makes that boot fail with it; undefined lets it succeed. */
  readonly failBoot?: (spec: InstanceSpec) => string | undefined;
  /** Where the instances are kept across restarts; in memory only when absent. */
  readonly stateFile?: string;
}

interface FakeInstance {
  info: InstanceInfo;
  readonly console: Array<string>;
}

interface StateFile {
  readonly version: 1;
  readonly instances: ReadonlyArray<FakeInstance>;
}

// A console is a ring: the state file must not grow with every reboot.
const consoleLines = 200;

const loadInstances = (stateFile: string | undefined): Map<string, FakeInstance> => {
  const instances = new Map<string, FakeInstance>();
  if (stateFile === undefined || !existsSync(stateFile)) return instances;
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as StateFile;
  if (state.version !== 1) throw new Error(`${stateFile}: unknown fake driver state version ${String(state.version)}`);
  for (const instance of state.instances) instances.set(instance.info.serverId, { info: instance.info, console: [...instance.console] });
  return instances;
};

/** Group commit of the whole state to `stateFile`: resolves once a write made after the call is on disk. */
const makeStateWriter = (stateFile: string, snapshot: () => StateFile) => {
  let changes = 0;
  let written = 0;
  let writing: Promise<void> | undefined;
  const writeOnce = async (upTo: number) => {
    await mkdir(dirname(stateFile), { recursive: true });
    const temp = `${stateFile}.tmp`;
    await writeFile(temp, JSON.stringify(snapshot()));
    await rename(temp, stateFile);
    written = Math.max(written, upTo);
  };
  const flush = async (upTo: number) => {
    while (written < upTo) {
      if (writing === undefined) writing = writeOnce(changes).finally(() => (writing = undefined));
      await writing;
    }
  };
  return Effect.suspend(() => {
    changes += 1;
    const upTo = changes;
    // A state file that cannot be written is a broken host, not an outcome to report.
    return Effect.promise(() => flush(upTo));
  });
};

export const makeFakeDriver = (options: FakeDriverOptions = {}): ComputeDriverShape => {
  const capacity: HostCapacity = { vcpus: 64, ramMb: 262_144, diskGb: 4_096, ...options.capacity, hypervisorType: "fake" };
  const instances = loadInstances(options.stateFile);
  const persist = options.stateFile === undefined
    ? Effect.void
    : makeStateWriter(options.stateFile, () => ({ version: 1, instances: [...instances.values()] }));
  const found = (serverId: string) =>
    Effect.suspend(() => {
      const instance = instances.get(serverId);
      return instance === undefined ? Effect.fail(new InstanceNotFound({ serverId })) : Effect.succeed(instance);
    });
  const log = (instance: FakeInstance, line: string) => {
    instance.console.push(line);
    if (instance.console.length > consoleLines) instance.console.splice(0, instance.console.length - consoleLines);
  };
  const setPower = (instance: FakeInstance, powerState: InstanceInfo["powerState"], line: string) => {
    instance.info = { ...instance.info, powerState };
    log(instance, line);
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
        yield* persist;
        return info;
      }),
    destroy: (serverId) => Effect.suspend(() => (instances.delete(serverId) ? persist : Effect.void)),
    powerOff: (serverId) => Effect.flatMap(found(serverId), (instance) => Effect.andThen(Effect.sync(() => setPower(instance, "shutoff", "[fake] powered off")), persist)),
    powerOn: (serverId) => Effect.flatMap(found(serverId), (instance) => Effect.andThen(Effect.sync(() => setPower(instance, "running", "[fake] powered on")), persist)),
    reboot: (serverId, hard) =>
      Effect.flatMap(found(serverId), (instance) =>
        instance.info.powerState === "shutoff" && !hard
          ? Effect.fail(new InstanceNotRunning({ serverId }))
          : Effect.andThen(Effect.sync(() => setPower(instance, "running", `[fake] ${hard ? "hard" : "soft"} reboot`)), persist),
      ),
    consoleLog: (serverId) => Effect.map(found(serverId), (instance) => instance.console.join("\n")),
    list: Effect.sync(() => [...instances.values()].map((instance) => instance.info)),
  };
};
