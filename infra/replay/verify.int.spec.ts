/**
 * verifyReadModels over a real sqlite store holding the schema-v1 fixture, with snapshot files
 * written as the projection runner writes them: each read model is replayed to its own snapshot's
 * position; a match, a changed document, a missing, unreadable or foreign (ahead) snapshot are
 * each told apart, per read model.
 */
import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { Packr } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStoreShape } from "../eventStore/EventStore.ts";
import { makeSqliteEventStore } from "../eventStore/sqliteEventStore.ts";
import { snapshotPath } from "../runtime/projectionRunner.ts";
import { appendSchemaV1 } from "./fixtures/schemaV1.ts";
import { readModelNamed, readModels } from "./readModels.ts";
import { replay } from "./replay.ts";
import { verifyReadModels, type ReadModelCheck } from "./verify.ts";

let dir: string;
const gateway = readModels.filter((model) => model.projection !== undefined);

/** Runs `use` with the fixture's store, its snapshots written at `positions` (head when absent). */
const withStore = <A>(use: (store: EventStoreShape, snapshots: string) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeSqliteEventStore(join(dir, "events.sqlite"));
        return yield* use(store, join(dir, "snapshots"));
      }),
    ),
  );

const writeSnapshots = (store: EventStoreShape, snapshots: string, positions: Readonly<Record<string, number>>) =>
  Effect.gen(function* () {
    for (const model of gateway) {
      const position = positions[model.name] ?? 1_000;
      const replayed = yield* replay(store, [{ model }], { kind: "position", position });
      const { doc } = replayed.models[0]!;
      const bytes = new Packr({ useRecords: true }).pack({ position: replayed.position, snapshot: model.projection!.toSnapshot(doc) });
      yield* Effect.promise(() => writeFile(snapshotPath(snapshots, model.projection!), bytes));
    }
  });

const outcomes = (checks: ReadonlyArray<ReadModelCheck>) => Object.fromEntries(checks.map((check) => [check.name, check.outcome]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "weft-verify-"));
  await mkdir(join(dir, "snapshots"));
  await withStore((store) => appendSchemaV1(store));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("verifyReadModels", () => {
  it.each([
    ["in one thread", () => ({})],
    ["with a second thread", () => ({ thread: { eventStore: `sqlite:${join(dir, "events.sqlite")}` } })],
  ])("matches snapshots taken at different positions, each replayed to its own, %s", async (_, options) => {
    const checks = await withStore((store, snapshots) =>
      Effect.andThen(writeSnapshots(store, snapshots, { identity: 20, compute: 80 }), verifyReadModels(store, snapshots, 9, options())),
    );
    expect(outcomes(checks)).toEqual({ identity: "match", image: "match", compute: "match", placement: "match" });
    expect(checks.find((check) => check.name === "identity")).toMatchObject({ position: 20 });
    expect(checks.find((check) => check.name === "compute")).toMatchObject({ position: 80 });
    expect(checks.find((check) => check.name === "image")!.liveSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["in one thread", () => ({})],
    ["with a second thread", () => ({ thread: { eventStore: `sqlite:${join(dir, "events.sqlite")}` } })],
  ])("names a snapshot whose document is not what the log folds to, %s", async (_, options) => {
    const compute = readModelNamed("compute")!.projection!;
    const identity = readModelNamed("identity")!.projection!;
    const checks = await withStore((store, snapshots) =>
      Effect.gen(function* () {
        yield* writeSnapshots(store, snapshots, {});
        // A snapshot written one event early but labelled with the head's position.
        const early = yield* replay(store, [{ model: readModelNamed("compute")! }], { kind: "position", position: 106 });
        const bytes = new Packr({ useRecords: true }).pack({ position: 107, snapshot: compute.toSnapshot(early.models[0]!.doc) });
        yield* Effect.promise(() => writeFile(snapshotPath(snapshots, compute), bytes));
        // And an empty identity document labelled with the head's: the second thread folds identity.
        const empty = new Packr({ useRecords: true }).pack({ position: 107, snapshot: identity.toSnapshot(identity.initial()) });
        yield* Effect.promise(() => writeFile(snapshotPath(snapshots, identity), empty));
        return yield* verifyReadModels(store, snapshots, undefined, options());
      }),
    );
    expect(outcomes(checks)).toEqual({ identity: "differs", image: "match", compute: "differs", placement: "match" });
    for (const name of ["identity", "compute"]) {
      const differing = checks.find((check) => check.name === name)!;
      expect(differing.liveSha256).not.toBe(differing.replayedSha256);
    }
  });

  it("tells a missing, an unreadable and a foreign snapshot apart", async () => {
    const checks = await withStore((store, snapshots) =>
      Effect.gen(function* () {
        yield* writeSnapshots(store, snapshots, {});
        yield* Effect.promise(() => unlink(snapshotPath(snapshots, readModelNamed("image")!.projection!)));
        yield* Effect.promise(() => writeFile(snapshotPath(snapshots, readModelNamed("placement")!.projection!), "not msgpack at all"));
        const identity = readModelNamed("identity")!.projection!;
        yield* Effect.promise(() => writeFile(snapshotPath(snapshots, identity), new Packr().pack({ position: 5_000, snapshot: identity.toSnapshot(identity.initial()) })));
        return yield* verifyReadModels(store, snapshots);
      }),
    );
    expect(outcomes(checks)).toEqual({ identity: "ahead", image: "missing", compute: "match", placement: "unreadable" });
    expect(checks.find((check) => check.name === "identity")!.detail).toContain("the log ends at 107");
  });

  it("names a snapshot whose position reads but whose document does not", async () => {
    const compute = readModelNamed("compute")!.projection!;
    const checks = await withStore((store, snapshots) =>
      Effect.gen(function* () {
        yield* writeSnapshots(store, snapshots, {});
        // The position is read here, the document in the live snapshots' thread.
        const bytes = new Packr({ useRecords: true }).pack({ position: 50, snapshot: { servers: "not a list" } });
        yield* Effect.promise(() => writeFile(snapshotPath(snapshots, compute), bytes));
        return yield* verifyReadModels(store, snapshots);
      }),
    );
    expect(outcomes(checks)).toEqual({ identity: "match", image: "match", compute: "unreadable", placement: "match" });
    expect(checks.find((check) => check.name === "compute")!.detail).toContain("not a compute read-model snapshot");
  });
});
