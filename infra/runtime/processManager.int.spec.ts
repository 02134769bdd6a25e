import { join } from "node:path";
import { Deferred, Effect, type Scope } from "effect";
import { describe, expect, it } from "vitest";
import { EventStore, type RecordedEvent } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { tempDir } from "../testing/index.ts";
import { fileCheckpointStore, memoryCheckpointStore } from "./checkpoints.ts";
import { causedCommandId, runProcessManager, type ProcessManager } from "./processManager.ts";

const event = (type: string, body: string) => ({ type, data: new TextEncoder().encode(body), metadata: new Uint8Array() });
const bodyOf = (recorded: RecordedEvent) => new TextDecoder().decode(recorded.data);

const appendEach = (stream: string, items: ReadonlyArray<readonly [string, string]>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    for (const [type, body] of items) yield* store.append(stream, "any", [event(type, body)]);
    return yield* store.head;
  });

/** Appends `Wanted` events, each `[stream, body]`, in order; returns each body's position. */
const appendWanted = (items: ReadonlyArray<readonly [string, string]>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const positions = new Map<string, number>();
    for (const [stream, body] of items) positions.set(body, (yield* store.append(`things-${stream}`, "any", [event(body === "x" ? "Other" : "Wanted", body)])).position);
    return positions;
  });

const withStore = async (body: (dir: string) => Effect.Effect<void, unknown, EventStore | Scope.Scope>) => {
  await using dir = await tempDir();
  await Effect.runPromise(body(dir.path).pipe(Effect.scoped, Effect.provide(sqliteEventStoreLayer(join(dir.path, "events.sqlite")))));
};

const waitUntil = (condition: () => boolean) =>
  Effect.gen(function* () {
    for (let waited = 0; !condition(); waited += 5) {
      if (waited > 5_000) throw new Error("timed out waiting");
      yield* Effect.sleep(5);
    }
  });

describe("process manager runtime", () => {
  it("handles the types it reacts to in order, and resumes after its checkpoint", async () => {
    await using dir = await tempDir();
    const store = sqliteEventStoreLayer(join(dir.path, "events.sqlite"));
    const checkpoints = fileCheckpointStore(join(dir.path, "checkpoints"));
    const seen: Array<string> = [];
    const manager: ProcessManager<never> = {
      name: "recorder",
      eventTypes: new Set(["Wanted"]),
      handle: (recorded) => Effect.sync(() => void seen.push(bodyOf(recorded))),
    };

    await Effect.runPromise(
      Effect.gen(function* () {
        yield* appendEach("things-00000000-0000-4000-8000-000000000001", [["Wanted", "a"], ["Other", "x"], ["Wanted", "b"]]);
        const running = yield* runProcessManager(manager, { checkpoints });
        const head = yield* (yield* EventStore).head;
        yield* waitUntil(() => running.position() === head);
        expect(seen).toEqual(["a", "b"]);
      }).pipe(Effect.scoped, Effect.provide(store)),
    );

    await Effect.runPromise(
      Effect.gen(function* () {
        yield* appendEach("things-00000000-0000-4000-8000-000000000001", [["Wanted", "c"]]);
        const running = yield* runProcessManager(manager, { checkpoints });
        const head = yield* (yield* EventStore).head;
        yield* waitUntil(() => running.position() === head);
      }).pipe(Effect.scoped, Effect.provide(store)),
    );
    // Only the event after the saved checkpoint is handled on the second run.
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("retries a failing handler instead of skipping the event", async () => {
    await using dir = await tempDir();
    const seen: Array<string> = [];
    let failures = 2;
    const manager: ProcessManager<never> = {
      name: "flaky",
      eventTypes: new Set(["Wanted"]),
      handle: (recorded) =>
        Effect.suspend(() => {
          if (bodyOf(recorded) === "b" && failures-- > 0) return Effect.fail(new Error("not yet"));
          seen.push(bodyOf(recorded));
          return Effect.void;
        }),
    };
    await Effect.runPromise(
      Effect.gen(function* () {
        const head = yield* appendEach("things-00000000-0000-4000-8000-000000000002", [["Wanted", "a"], ["Wanted", "b"], ["Wanted", "c"]]);
        const running = yield* runProcessManager(manager, { checkpoints: fileCheckpointStore(join(dir.path, "checkpoints")) });
        yield* waitUntil(() => running.position() === head);
        expect(seen).toEqual(["a", "b", "c"]);
        expect(failures).toBe(-1);
      }).pipe(Effect.scoped, Effect.provide(sqliteEventStoreLayer(join(dir.path, "events.sqlite")))),
    );
  });

  it("with concurrency, runs events of different streams at once, never more than asked, and one stream's in log order", () =>
    withStore(() =>
      Effect.gen(function* () {
        const stream = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
        // Stream 1's first event ends last of the first three: its second must still wait for it.
        yield* appendWanted([[stream(1), "a1"], [stream(2), "b1"], [stream(3), "c1"], [stream(1), "a2"], [stream(4), "d1"], [stream(1), "a3"], [stream(5), "e1"]]);
        const handedOver: Array<string> = [];
        const log: Array<string> = [];
        let active = 0;
        let mostActive = 0;
        // No timing: a1, b1 and c1 wait until all three run, and a1 then waits for b1 to end.
        const threeRunning = yield* Deferred.make<void>();
        const b1Ended = yield* Deferred.make<void>();
        const manager: ProcessManager<never> = {
          name: "parallel",
          eventTypes: new Set(["Wanted"]),
          handle: (recorded) => {
            const body = bodyOf(recorded);
            handedOver.push(body);
            return Effect.gen(function* () {
              active += 1;
              mostActive = Math.max(mostActive, active);
              log.push(`start ${body}`);
              if (active === 3) yield* Deferred.succeed(threeRunning, undefined);
              if (["a1", "b1", "c1"].includes(body)) yield* Deferred.await(threeRunning);
              if (body === "a1") yield* Deferred.await(b1Ended);
              log.push(`end ${body}`);
              active -= 1;
              if (body === "b1") yield* Deferred.succeed(b1Ended, undefined);
            });
          },
        };
        const running = yield* runProcessManager(manager, { checkpoints: memoryCheckpointStore(), concurrency: 3 });
        const head = yield* (yield* EventStore).head;
        yield* waitUntil(() => running.position() === head);

        expect(handedOver).toEqual(["a1", "b1", "c1", "a2", "d1", "a3", "e1"]);
        expect(mostActive).toBe(3);
        expect(log.filter((line) => line.endsWith("a1") || line.endsWith("a2") || line.endsWith("a3")))
          .toEqual(["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
        // Other streams went past the slow a1.
        expect(log.indexOf("end b1")).toBeLessThan(log.indexOf("end a1"));
        expect(running.inFlight()).toBe(0);
      })));

  it("never moves the checkpoint past an unfinished event, and hands it over again after a stop", () =>
    withStore(() =>
      Effect.gen(function* () {
        const stream = (n: number) => `00000000-0000-4000-8000-00000000001${n}`;
        const positions = yield* appendWanted([[stream(1), "p"], [stream(2), "stuck"], [stream(3), "b"], [stream(4), "x"], [stream(5), "c"]]);
        const head = yield* (yield* EventStore).head;
        const checkpoints = memoryCheckpointStore();
        const seen: Array<string> = [];
        const manager = (stuck: boolean): ProcessManager<never> => ({
          name: "stopper",
          eventTypes: new Set(["Wanted"]),
          handle: (recorded) =>
            bodyOf(recorded) === "stuck" && stuck ? Effect.never : Effect.sync(() => void seen.push(bodyOf(recorded))),
        });

        yield* Effect.scoped(Effect.gen(function* () {
          const running = yield* runProcessManager(manager(true), { checkpoints, checkpointEveryMs: 10, concurrency: 4 });
          yield* waitUntil(() => seen.length === 3);
          // Several periodic saves later, still just below the unfinished event.
          yield* Effect.sleep(50);
          expect(running.position()).toBe(positions.get("p"));
          expect(running.inFlight()).toBe(1);
          expect(yield* checkpoints.load("stopper")).toBe(positions.get("p"));
        }));
        // The stop saved nothing further.
        expect(yield* checkpoints.load("stopper")).toBe(positions.get("p"));
        expect([...seen].sort()).toEqual(["b", "c", "p"]);

        seen.length = 0;
        yield* Effect.scoped(Effect.gen(function* () {
          const running = yield* runProcessManager(manager(false), { checkpoints, concurrency: 4 });
          yield* waitUntil(() => running.position() === head);
        }));
        // The unfinished event again, and at least once the finished ones after it; never the one below the checkpoint.
        expect([...seen].sort()).toEqual(["b", "c", "stuck"]);
        expect(yield* checkpoints.load("stopper")).toBe(head);
      })));

  it("with concurrency, retries a failing event while later ones go on, holding the checkpoint below it", () =>
    withStore(() =>
      Effect.gen(function* () {
        const stream = (n: number) => `00000000-0000-4000-8000-00000000002${n}`;
        const positions = yield* appendWanted([[stream(1), "a"], [stream(2), "flaky"], [stream(3), "b"], [stream(2), "after"], [stream(4), "c"]]);
        const head = yield* (yield* EventStore).head;
        const healed = yield* Deferred.make<void>();
        const seen: Array<string> = [];
        let failures = 0;
        const manager: ProcessManager<never> = {
          name: "retrier",
          eventTypes: new Set(["Wanted"]),
          handle: (recorded) =>
            Effect.gen(function* () {
              if (bodyOf(recorded) === "flaky" && !(yield* Deferred.isDone(healed))) {
                failures += 1;
                return yield* Effect.fail(new Error("not yet"));
              }
              seen.push(bodyOf(recorded));
            }),
        };
        const running = yield* runProcessManager(manager, { checkpoints: memoryCheckpointStore(), concurrency: 4 });
        yield* waitUntil(() => seen.length === 3 && failures >= 2);
        // Other streams are done; the failing event's stream waits behind it.
        expect([...seen].sort()).toEqual(["a", "b", "c"]);
        expect(running.position()).toBe(positions.get("a"));
        yield* Deferred.succeed(healed, undefined);
        yield* waitUntil(() => running.position() === head);
        expect(seen.slice(3)).toEqual(["flaky", "after"]);
      })));

  it("never moves past an event whose handler died, while other streams go on", () =>
    withStore(() =>
      Effect.gen(function* () {
        const stream = (n: number) => `00000000-0000-4000-8000-00000000003${n}`;
        const positions = yield* appendWanted([[stream(1), "a"], [stream(2), "bug"], [stream(2), "blocked"], [stream(3), "c"]]);
        const seen: Array<string> = [];
        const manager: ProcessManager<never> = {
          name: "buggy",
          eventTypes: new Set(["Wanted"]),
          handle: (recorded) => (bodyOf(recorded) === "bug" ? Effect.die(new Error("a bug")) : Effect.sync(() => void seen.push(bodyOf(recorded)))),
        };
        const running = yield* runProcessManager(manager, { checkpoints: memoryCheckpointStore(), concurrency: 4 });
        yield* waitUntil(() => seen.length === 2);
        yield* Effect.sleep(50);
        expect([...seen].sort()).toEqual(["a", "c"]);
        expect(running.position()).toBe(positions.get("a"));
        expect(running.inFlight()).toBe(2);
      })));

  it("gives back the slots of a dead stream's backlog, so events of other streams behind it are handled", () =>
    withStore(() =>
      Effect.gen(function* () {
        const stream = (n: number) => `00000000-0000-4000-8000-00000000004${n}`;
        const positions = yield* appendWanted([
          [stream(1), "bug"], [stream(1), "b1"], [stream(1), "b2"], [stream(1), "b3"], [stream(2), "x1"], [stream(3), "x2"], [stream(1), "b4"], [stream(4), "x3"],
        ]);
        const seen: Array<string> = [];
        const folded: Array<string> = [];
        const manager: ProcessManager<never> = {
          name: "dead-backlog",
          eventTypes: new Set(["Wanted"]),
          handle: (recorded) => {
            folded.push(bodyOf(recorded));
            return bodyOf(recorded) === "bug" ? Effect.die(new Error("a bug")) : Effect.sync(() => void seen.push(bodyOf(recorded)));
          },
        };
        // Fewer slots than the dead stream's backlog.
        const running = yield* runProcessManager(manager, { checkpoints: memoryCheckpointStore(), concurrency: 2 });
        yield* waitUntil(() => seen.length === 3);
        expect([...seen].sort()).toEqual(["x1", "x2", "x3"]);
        expect(folded).toEqual(["bug", "b1", "b2", "b3", "x1", "x2", "b4", "x3"]);
        expect(running.position()).toBe(positions.get("bug")! - 1);
        expect(running.inFlight()).toBe(5);
      })));

  it("derives the same command id from the same event, and different ids per step", () => {
    const recorded = { id: "0b7c3a52-2f7e-4a1e-9d55-1f0e6c8a9b10" };
    expect(causedCommandId(recorded, "claim")).toBe(causedCommandId({ ...recorded }, "claim"));
    expect(causedCommandId(recorded, "claim")).not.toBe(causedCommandId(recorded, "schedule"));
  });
});
