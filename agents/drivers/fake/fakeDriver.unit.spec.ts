import { Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import { computeDriverContract, instanceSpec } from "../computeDriver.contract.ts";
import { makeFakeDriver } from "./fakeDriver.ts";

computeDriverContract("fake", Effect.sync(() => makeFakeDriver()));

describe("fake driver", () => {
  it("names itself fake, so its servers are never mistaken for VMs", () => {
    const driver = makeFakeDriver();
    expect(driver.name).toBe("fake");
    return Effect.runPromise(Effect.map(driver.capacity, (capacity) => expect(capacity.hypervisorType).toBe("fake")));
  });

  it("takes its boot delay on the Effect clock", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const driver = makeFakeDriver({ bootDelayMs: 5_000 });
        const boot = yield* Effect.forkChild(driver.create(instanceSpec()));
        yield* TestClock.adjust(4_999);
        expect(yield* driver.list).toEqual([]);
        yield* TestClock.adjust(1);
        yield* Fiber.join(boot);
        expect(yield* driver.list).toHaveLength(1);
      }).pipe(Effect.provide(TestClock.layer())),
    ));

  it("fails the boots a test chooses, leaving no instance behind", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const driver = makeFakeDriver({ failBoot: (spec) => (spec.name === "doomed" ? "no bootable device" : undefined) });
        const failed = yield* Effect.flip(driver.create(instanceSpec({ name: "doomed" })));
        expect(failed).toMatchObject({ _tag: "SpawnFailed", message: "no bootable device" });
        yield* driver.create(instanceSpec({ name: "fine" }));
        expect((yield* driver.list).map((instance) => instance.name)).toEqual(["fine"]);
      }),
    ));
});
