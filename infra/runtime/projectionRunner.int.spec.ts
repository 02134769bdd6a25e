import { join } from "node:path";
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { identityProjection, listProjects, type IdentityDocument } from "@weft/projections/identity";
import type { Projection } from "@weft/projections/shared";
import type { IdentityEvent } from "@weft/domain/identity";
import { identityEventCodec, identityModule } from "../contexts/identity.ts";
import { EventStore } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { bootstrapCommand, createProjectCommand, identityEnvelope, tempDir } from "../testing/index.ts";
import { makeCommandHandler } from "./commandHandler.ts";
import { projectedDecoder } from "./projectedEvents.ts";
import { runProjection } from "./projectionRunner.ts";

/** The identity projection, counting how many events it folds. */
const counting = () => {
  const counter = { folded: 0 };
  const projection: Projection<IdentityDocument, IdentityEvent> = {
    ...identityProjection,
    evolve: (doc, event) => {
      counter.folded += 1;
      return identityProjection.evolve(doc, event);
    },
  };
  return { projection, counter };
};

const decode = projectedDecoder(identityEventCodec);

const createProjects = (names: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const handle = yield* makeCommandHandler(identityModule);
    let position = 0;
    for (const name of names) {
      const reply = yield* handle(identityEnvelope(createProjectCommand(name)));
      if (reply.outcome !== "accepted") throw new Error(JSON.stringify(reply));
      position = reply.accepted.position;
    }
    return position;
  });

const names = (doc: IdentityDocument) => listProjects(doc).map((project) => project.name);

describe("projection runner", () => {
  it("folds the log, waits for a position, snapshots on close and resumes from the snapshot", async () => {
    await using dir = await tempDir();
    const store = sqliteEventStoreLayer(join(dir.path, "events.sqlite"));
    const snapshotDir = join(dir.path, "snapshots");

    const first = counting();
    await Effect.runPromise(
      Effect.gen(function* () {
        const handle = yield* makeCommandHandler(identityModule);
        yield* handle(identityEnvelope(bootstrapCommand()));
        const runner = yield* runProjection(first.projection, { decode, snapshotDir });
        const position = yield* createProjects(["one", "two"]);
        expect(yield* runner.waitFor(position)).toBe(true);
        expect(names(runner.current().doc)).toEqual(["admin", "one", "two"]);
        expect(yield* runner.waitFor(position + 1_000, 50)).toBe(false);
      }).pipe(Effect.scoped, Effect.provide(store)),
    );
    const foldedBefore = first.counter.folded;
    expect(foldedBefore).toBeGreaterThan(3);

    const second = counting();
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* createProjects(["three"]);
        const runner = yield* runProjection(second.projection, { decode, snapshotDir });
        yield* runner.caughtUp;
        expect(names(runner.current().doc)).toEqual(["admin", "one", "three", "two"]);
        expect(runner.current().position).toBe(yield* (yield* EventStore).head);
      }).pipe(Effect.scoped, Effect.provide(store)),
    );
    // Only the event appended after the snapshot was folded again.
    expect(second.counter.folded).toBe(1);
  });

  it("ignores a snapshot that is ahead of the store it runs against", async () => {
    await using dir = await tempDir();
    const snapshotDir = join(dir.path, "snapshots");
    const build = (file: string, projects: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const handle = yield* makeCommandHandler(identityModule);
        yield* handle(identityEnvelope(bootstrapCommand()));
        yield* createProjects(projects);
        const runner = yield* runProjection(identityProjection, { decode, snapshotDir });
        yield* runner.caughtUp;
        return names(runner.current().doc);
      }).pipe(Effect.scoped, Effect.provide(sqliteEventStoreLayer(join(dir.path, file))));

    expect(await Effect.runPromise(build("a.sqlite", ["a1", "a2", "a3"]))).toEqual(["a1", "a2", "a3", "admin"]);
    // A wiped store: fewer events than the snapshot's position, so the snapshot is not its own.
    expect(await Effect.runPromise(build("b.sqlite", []))).toEqual(["admin"]);
  });

  it("serves read-your-writes for positions of events it does not fold", async () => {
    await using dir = await tempDir();
    await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* EventStore;
        const runner = yield* runProjection(identityProjection, { decode });
        const other = yield* store.append("unrelated-00000000-0000-4000-8000-000000000009", "no_stream", [
          { type: "SomethingElseHappened", data: new Uint8Array([1]), metadata: new Uint8Array() },
        ]);
        expect(yield* runner.waitFor(other.position, 2_000)).toBe(true);
      }).pipe(Effect.scoped, Effect.provide(Layer.fresh(sqliteEventStoreLayer(join(dir.path, "events.sqlite"))))),
    );
  });
});
