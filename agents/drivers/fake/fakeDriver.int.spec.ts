/**
 * The fake driver with a state file: the contract still holds, and instances outlive the driver
 * (the agent process) as VMs outlive a restart of nova-compute.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { tempDir } from "@weft/infra/testing";
import { computeDriverContract, instanceSpec } from "../computeDriver.contract.ts";
import { makeFakeDriver } from "./fakeDriver.ts";

computeDriverContract(
  "fake with a state file",
  Effect.map(
    Effect.acquireRelease(Effect.promise(() => tempDir()), (dir) => Effect.promise(() => dir.remove())),
    (dir) => makeFakeDriver({ stateFile: join(dir.path, "fake.json") }),
  ),
);

describe("fake driver state file", () => {
  it("hands a new driver on the same file what the last one ran, power state and console included", async () => {
    await using dir = await tempDir();
    const stateFile = join(dir.path, "host", "fake.json");
    const first = makeFakeDriver({ stateFile });
    const kept = instanceSpec({ name: "kept" });
    const gone = instanceSpec({ name: "gone" });
    await Effect.runPromise(Effect.gen(function* () {
      yield* first.create(kept);
      yield* first.create(gone);
      yield* first.powerOff(kept.serverId);
      yield* first.destroy(gone.serverId);
    }));

    const second = makeFakeDriver({ stateFile });
    const listed = await Effect.runPromise(second.list);
    expect(listed).toEqual([{ serverId: kept.serverId, name: "kept", powerState: "shutoff", vcpus: 1, ramMb: 128, diskGb: 1 }]);
    expect(await Effect.runPromise(second.consoleLog(kept.serverId))).toContain("powered off");
    const again = await Effect.runPromise(Effect.flip(second.create(kept)));
    expect(again._tag).toBe("InstanceAlreadyExists");
  });

  it("writes every change of a burst before answering it", async () => {
    await using dir = await tempDir();
    const stateFile = join(dir.path, "fake.json");
    const driver = makeFakeDriver({ stateFile });
    const specs = Array.from({ length: 50 }, (_, index) => instanceSpec({ name: `vm-${index}` }));
    await Effect.runPromise(Effect.forEach(specs, (spec) => driver.create(spec), { concurrency: "unbounded" }));
    const onDisk = JSON.parse(readFileSync(stateFile, "utf8")) as { instances: Array<{ info: { serverId: string } }> };
    expect(onDisk.instances.map((instance) => instance.info.serverId).sort()).toEqual(specs.map((spec) => spec.serverId).sort());
  });

  it("keeps drivers of different hosts in one process apart", async () => {
    await using dir = await tempDir();
    const a = makeFakeDriver({ stateFile: join(dir.path, "a.json") });
    const b = makeFakeDriver({ stateFile: join(dir.path, "b.json") });
    await Effect.runPromise(a.create(instanceSpec({ name: "on-a" })));
    expect(await Effect.runPromise(b.list)).toEqual([]);
    expect((await Effect.runPromise(makeFakeDriver({ stateFile: join(dir.path, "a.json") }).list)).map((i) => i.name)).toEqual(["on-a"]);
  });
});
