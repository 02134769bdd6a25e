/**
 * Heartbeats on a real nats-server. The monitor runs on a test clock, so "down after 1 s of
 * silence" is a clock adjustment, not a wait: the assertions are on state, never on timings.
 */
import { randomUUID } from "node:crypto";
import { Clock, Effect, Exit, Scope } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, inject, it } from "vitest";
import { Nats } from "../bus/Nats.ts";
import { waitUntil } from "../testing/index.ts";
import { publishHeartbeats, watchHeartbeats } from "./heartbeats.ts";

const run = (body: Effect.Effect<void, unknown, Nats | Scope.Scope>) =>
  Effect.runPromise(body.pipe(Effect.scoped, Effect.provide(Nats.layer(inject("natsUrl")))));

const flush = Nats.use(({ connection }) => Effect.promise(() => connection.flush()));

describe("heartbeats", () => {
  it("keeps a beating host up and marks it down once it falls silent for downAfterMs", () =>
    run(Effect.gen(function* () {
      const prefix = `t${randomUUID().slice(0, 8)}`;
      const clock = yield* TestClock.make();
      const monitor = yield* watchHeartbeats({ subjectPrefix: prefix, downAfterMs: 1_000 }).pipe(Effect.provideService(Clock.Clock, clock));

      const beating = yield* Scope.make();
      yield* publishHeartbeats({ host: "node-1", subjectPrefix: prefix, intervalMs: 20 }).pipe(Scope.provide(beating));
      yield* waitUntil(Effect.sync(() => monitor.lastSeen("node-1") !== undefined), "the first beat is heard");
      expect(monitor.lastSeen("node-1")).toBe(clock.currentTimeMillisUnsafe());
      expect(monitor.isUp("node-1")).toBe(true);

      // A whole downAfterMs later on the monitor's clock, the next beat brings it back up.
      yield* clock.adjust(1_000);
      yield* waitUntil(Effect.sync(() => monitor.lastSeen("node-1") === clock.currentTimeMillisUnsafe()), "a beat after the adjustment is heard");
      expect(monitor.isUp("node-1")).toBe(true);

      yield* Scope.close(beating, Exit.void);
      // Every beat published before the close has reached the monitor.
      yield* flush;
      const last = monitor.lastSeen("node-1");
      yield* clock.adjust(999);
      expect(monitor.isUp("node-1")).toBe(true);
      yield* clock.adjust(1);
      expect(monitor.isUp("node-1")).toBe(false);
      expect(monitor.lastSeen("node-1")).toBe(last);
    })));

  it("counts a host never heard from as up only during the monitor's first downAfterMs", () =>
    run(Effect.gen(function* () {
      const clock = yield* TestClock.make();
      const monitor = yield* watchHeartbeats({ subjectPrefix: `t${randomUUID().slice(0, 8)}`, downAfterMs: 10_000 }).pipe(Effect.provideService(Clock.Clock, clock));
      expect(monitor.isUp("ghost")).toBe(true);
      expect(monitor.lastSeen("ghost")).toBeUndefined();
      yield* clock.adjust(9_999);
      expect(monitor.isUp("ghost")).toBe(true);
      yield* clock.adjust(1);
      expect(monitor.isUp("ghost")).toBe(false);
    })));

  it("hears only its own control plane's hosts", () =>
    run(Effect.gen(function* () {
      const mine = `t${randomUUID().slice(0, 8)}`;
      const theirs = `t${randomUUID().slice(0, 8)}`;
      const monitor = yield* watchHeartbeats({ subjectPrefix: mine });
      const other = yield* watchHeartbeats({ subjectPrefix: theirs });
      yield* publishHeartbeats({ host: "shared-name", subjectPrefix: theirs, intervalMs: 20 });
      yield* publishHeartbeats({ host: "mine", subjectPrefix: mine, intervalMs: 20 });
      yield* waitUntil(Effect.sync(() => other.lastSeen("shared-name") !== undefined && monitor.lastSeen("mine") !== undefined), "both are heard");
      yield* flush;
      expect(monitor.lastSeen("shared-name")).toBeUndefined();
      expect(other.lastSeen("mine")).toBeUndefined();
    })));
});
