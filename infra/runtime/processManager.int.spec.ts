import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { EventStore, type RecordedEvent } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { tempDir } from "../testing/index.ts";
import { fileCheckpointStore } from "./checkpoints.ts";
import { causedCommandId, runProcessManager, type ProcessManager } from "./processManager.ts";

const event = (type: string, body: string) => ({ type, data: new TextEncoder().encode(body), metadata: new Uint8Array() });
const bodyOf = (recorded: RecordedEvent) => new TextDecoder().decode(recorded.data);

const appendEach = (stream: string, items: ReadonlyArray<readonly [string, string]>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    for (const [type, body] of items) yield* store.append(stream, "any", [event(type, body)]);
    return yield* store.head;
  });

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

  it("derives the same command id from the same event, and different ids per step", () => {
    const recorded = { id: "0b7c3a52-2f7e-4a1e-9d55-1f0e6c8a9b10" };
    expect(causedCommandId(recorded, "claim")).toBe(causedCommandId({ ...recorded }, "claim"));
    expect(causedCommandId(recorded, "claim")).not.toBe(causedCommandId(recorded, "schedule"));
  });
});
