/**
 * The compute driver contract: what every driver (fake now, QEMU next) must do, as a function of
 * a factory so each driver's spec runs the same checks. A difference between drivers is a
 * parameter of the factory, never a skipped test.
 */
import { randomUUID } from "node:crypto";
import { Effect, Exit, type Scope } from "effect";
import { describe, expect, it } from "vitest";
import type { ComputeDriverShape, InstanceSpec } from "./ComputeDriver.ts";

export type MakeDriver = Effect.Effect<ComputeDriverShape, unknown, Scope.Scope>;

export const instanceSpec = (overrides: Partial<InstanceSpec> = {}): InstanceSpec => ({
  serverId: randomUUID(),
  name: "contract-vm",
  vcpus: 1,
  ramMb: 128,
  diskGb: 1,
  imageId: randomUUID(),
  keyPublicKey: "",
  ...overrides,
});

const failureTag = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? ((exit.cause.reasons[0] as { error?: { _tag?: string } } | undefined)?.error?._tag ?? "defect") : "success";

export const computeDriverContract = (driverName: string, makeDriver: MakeDriver) => {
  const run = <A>(body: (driver: ComputeDriverShape) => Effect.Effect<A, unknown>) =>
    Effect.runPromise(Effect.scoped(Effect.flatMap(makeDriver, body)));

  describe(`ComputeDriver contract: ${driverName}`, () => {
    it("reports a positive capacity", () =>
      run((driver) =>
        Effect.map(driver.capacity, (capacity) => {
          expect(capacity.vcpus).toBeGreaterThan(0);
          expect(capacity.ramMb).toBeGreaterThan(0);
          expect(capacity.diskGb).toBeGreaterThan(0);
          expect(capacity.hypervisorType).not.toBe("");
        }),
      ));

    it("creates a running instance of the requested size and lists it", () =>
      run((driver) =>
        Effect.gen(function* () {
          const spec = instanceSpec({ vcpus: 2, ramMb: 256, name: "sized" });
          const info = yield* driver.create(spec);
          expect(info).toEqual({ serverId: spec.serverId, name: "sized", powerState: "running", vcpus: 2, ramMb: 256, diskGb: 1 });
          expect(yield* driver.list).toEqual([info]);
        }),
      ));

    it("never boots the same server twice: a second create is InstanceAlreadyExists", () =>
      run((driver) =>
        Effect.gen(function* () {
          const spec = instanceSpec();
          yield* driver.create(spec);
          expect(failureTag(yield* Effect.exit(driver.create(spec)))).toBe("InstanceAlreadyExists");
          expect(failureTag(yield* Effect.exit(Effect.all([driver.create(instanceSpec({ serverId: "x" })), driver.create(instanceSpec({ serverId: "x" }))], { concurrency: 2 })))).toBe("InstanceAlreadyExists");
          expect((yield* driver.list).map((instance) => instance.serverId).sort()).toEqual([spec.serverId, "x"].sort());
        }),
      ));

    it("powers off and on, idempotently", () =>
      run((driver) =>
        Effect.gen(function* () {
          const { serverId } = yield* driver.create(instanceSpec());
          yield* driver.powerOff(serverId);
          yield* driver.powerOff(serverId);
          expect((yield* driver.list)[0]?.powerState).toBe("shutoff");
          yield* driver.powerOn(serverId);
          yield* driver.powerOn(serverId);
          expect((yield* driver.list)[0]?.powerState).toBe("running");
        }),
      ));

    it("reboots a running instance; only a hard reboot starts a stopped one", () =>
      run((driver) =>
        Effect.gen(function* () {
          const { serverId } = yield* driver.create(instanceSpec());
          yield* driver.reboot(serverId, false);
          expect((yield* driver.list)[0]?.powerState).toBe("running");
          yield* driver.powerOff(serverId);
          expect(failureTag(yield* Effect.exit(driver.reboot(serverId, false)))).toBe("InstanceNotRunning");
          yield* driver.reboot(serverId, true);
          expect((yield* driver.list)[0]?.powerState).toBe("running");
        }),
      ));

    it("destroys an instance, and destroying a missing one is done", () =>
      run((driver) =>
        Effect.gen(function* () {
          const { serverId } = yield* driver.create(instanceSpec());
          yield* driver.destroy(serverId);
          yield* driver.destroy(serverId);
          expect(yield* driver.list).toEqual([]);
        }),
      ));

    it("answers InstanceNotFound for operations on an unknown server", () =>
      run((driver) =>
        Effect.gen(function* () {
          const unknown = randomUUID();
          for (const operation of [driver.powerOff(unknown), driver.powerOn(unknown), driver.reboot(unknown, true), driver.consoleLog(unknown)]) {
            expect(failureTag(yield* Effect.exit(operation))).toBe("InstanceNotFound");
          }
        }),
      ));

    it("keeps a console log that shows the boot", () =>
      run((driver) =>
        Effect.gen(function* () {
          const spec = instanceSpec({ name: "talkative" });
          yield* driver.create(spec);
          expect(yield* driver.consoleLog(spec.serverId)).toContain("talkative");
        }),
      ));
  });
};
