/**
 * Events written by earlier versions replay forever: `fixtures/schema-v1.jsonl` holds events
 * encoded with the first schema version of every event type (see its generator), appended here
 * to a real sqlite store and replayed with today's code into every read model, whose content
 * must be the story the fixture tells. A schema change that cannot read them any more fails
 * here; the fix is an upcaster (docs/replay.md), never an edit of the fixture.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchedulerView } from "@weft/domain/scheduler";
import { getFlavor, getKeypair, getServer, listInstanceActions, serverStatus, type ComputeDocument } from "@weft/projections/compute";
import { getProject, getUser, listAssignments, type IdentityDocument } from "@weft/projections/identity";
import { getImage, type ImageDocument } from "@weft/projections/image";
import { getProvider, type PlacementDocument } from "@weft/projections/placement";
import { makeSqliteEventStore } from "../eventStore/sqliteEventStore.ts";
import type { HostView } from "../relay/hostView.ts";
import { eventCodecByType, readModelNamed, readModels } from "./readModels.ts";
import { canonicalHash } from "./canonical.ts";
import { appendSchemaV1, schemaV1Lines, type FixtureLine } from "./fixtures/schemaV1.ts";
import { parseReplayBound, replay, type ReplayResult } from "./replay.ts";


const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const hex = (n: number) => id(n).replaceAll("-", "");

let dir: string;
let lines: ReadonlyArray<FixtureLine>;
let result: ReplayResult;
let again: ReplayResult;
let toPosition: ReplayResult;
let toTime: ReplayResult;
let perModel: ReplayResult;
let evolving: ReplayResult;
let threaded: ReplayResult;
let threadedToTime: ReplayResult;
const modelOf = (replayed: ReplayResult, name: string) => replayed.models.find((entry) => entry.model.name === name)!;
const docOf = <Doc>(name: string) => modelOf(result, name).doc as Doc;
const hashes = (replayed: ReplayResult) => replayed.models.map(({ model, doc }) => [model.name, canonicalHash(doc)]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "weft-schema-v1-"));
  lines = schemaV1Lines();
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeSqliteEventStore(join(dir, "events.sqlite"));
        yield* appendSchemaV1(store);
        const all = readModels.map((model) => ({ model }));
        // Small pages, so page boundaries fall inside the story.
        result = yield* replay(store, all, { kind: "head" }, 7);
        again = yield* replay(store, all, { kind: "head" });
        toPosition = yield* replay(store, all, { kind: "position", position: 60 });
        // Event n occurred at 00:00:(n-1): this time lies between events 60 and 61.
        toTime = yield* replay(store, all, parseReplayBound("2026-01-01T00:00:59.500Z")!);
        // Every read model folded event by event with its `evolve`, none with its batch fold.
        evolving = yield* replay(store, readModels.map(({ batch: _batch, ...model }) => ({ model })), { kind: "head" }, 7);
        // Every portable read model folded in a second thread that opens the store itself.
        const thread = { thread: { eventStore: `sqlite:${join(dir, "events.sqlite")}` } };
        threaded = yield* replay(store, all, { kind: "head" }, 7, thread);
        threadedToTime = yield* replay(store, all, parseReplayBound("2026-01-01T00:00:59.500Z")!, 7, thread);
        perModel = yield* replay(store, [{ model: readModelNamed("identity")!, until: 10 }, { model: readModelNamed("compute")! }], { kind: "head" });
      }),
    ),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the schema v1 fixture", () => {
  it("holds only event types the current code still decodes, and all of them fold", () => {
    expect(lines.length).toBe(107);
    for (const line of lines) expect(eventCodecByType.has(line.type), line.type).toBe(true);
    expect(result.events).toBe(lines.length);
    expect(result.position).toBe(lines.length);
  });

  it("replays into identity: users, projects, roles and grants as last changed", () => {
    const doc = docOf<IdentityDocument>("identity");
    expect(getUser(doc, hex(302))).toMatchObject({ name: "alice", email: "alice@example.org", description: "Alice of the demo project", enabled: true, defaultProjectId: hex(202) });
    expect(getUser(doc, hex(303))).toBeUndefined();
    expect(getProject(doc, hex(202))).toMatchObject({ name: "demo", description: "The demo project", enabled: true, tags: ["fixture"] });
    expect(getProject(doc, hex(203))).toBeUndefined();
    expect(listAssignments(doc, { userId: hex(302) }).map((assignment) => assignment.roleId)).toEqual([hex(102)]);
    expect(doc.roles.has(hex(104))).toBe(false);
    expect(doc.revokedTokens.has("fixture-audit-id-1")).toBe(true);
  });

  it("replays into image: the changed image active, the aborted one gone", () => {
    const doc = docOf<ImageDocument>("image");
    expect(getImage(doc, id(401))).toMatchObject({
      name: "cirros", status: "active", visibility: "public", protected: true, minDisk: 1, minRam: 64, size: 16384, tags: ["tiny", "test"],
    });
    expect(getImage(doc, id(401))!.properties).toMatchObject({ os_distro: "cirros", hw_disk_bus: "virtio" });
    expect(getImage(doc, id(401))!.properties).not.toHaveProperty("os_version");
    expect(getImage(doc, id(402))).toBeUndefined();
  });

  it("replays into compute: servers in every end state, flavors, key pairs, groups and quota", () => {
    const doc = docOf<ComputeDocument>("compute");
    const web = getServer(doc, id(801))!;
    expect(web).toMatchObject({ name: "web-1", host: "host-1", keyName: "k1", serverGroupId: id(701), metadata: { role: "web", tier: "front" } });
    expect(web.flavor).toMatchObject({ flavorId: id(601), name: "m1.small", vcpus: 1, ramMb: 512 });
    expect(serverStatus(web).status).toBe("ACTIVE");
    expect(listInstanceActions(doc, id(801)).map((action) => action.action)).toEqual(expect.arrayContaining(["create", "stop", "start", "reboot"]));
    expect(serverStatus(getServer(doc, id(802))!).status).toBe("ERROR");
    expect(getServer(doc, id(802))!.fault).toMatchObject({ code: 500, message: "No valid host was found. " });
    expect(serverStatus(getServer(doc, id(803))!).status).toBe("ERROR");
    expect(serverStatus(getServer(doc, id(804))!).status).toBe("ERROR");
    expect(getServer(doc, id(805))!.deleted).toBe(true);
    expect(getFlavor(doc, id(601))).toMatchObject({ name: "m1.small", extraSpecs: { "hw:cpu_policy": "shared" } });
    expect(getFlavor(doc, id(602))).toBeUndefined();
    expect(getKeypair(doc, hex(302), "k1")).toMatchObject({ type: "ssh", publicKey: expect.stringMatching(/^ssh-ed25519 /) });
    expect(getKeypair(doc, hex(302), "k2")).toBeUndefined();
    expect(doc.serverGroups.byId.get(id(701))!.members).toEqual([id(801)]);
    expect(doc.serverGroups.byId.has(id(702))).toBe(false);
  });

  it("replays into placement, the scheduler's view and the relay's host view: one server holds host-1", () => {
    const placement = docOf<PlacementDocument>("placement");
    expect([...getProvider(placement, id(501))!.provider.allocations.keys()]).toEqual([id(801)]);
    expect(getProvider(placement, id(502))).toBeUndefined();
    const scheduler = docOf<SchedulerView>("scheduler");
    expect([...scheduler.providers.keys()]).toEqual([id(501)]);
    expect(scheduler.providers.get(id(501))!.provider.usage).toMatchObject({ VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 });
    const hosts = docOf<HostView>("hosts");
    expect([...(hosts.byHost.get("host-1")?.keys() ?? [])].sort()).toEqual([id(801), id(803), id(804)]);
    expect(hosts.servers.get(id(801))).toMatchObject({ power: "running", failed: false });
  });
});

describe("replay over the fixture", () => {
  it("is deterministic: another replay, in other pages, hashes the same", () => {
    expect(hashes(again)).toEqual(hashes(result));
    expect(again.models.map((model) => model.folded)).toEqual(result.models.map((model) => model.folded));
  });

  it("stops after a position, and before the first event that occurred after a time", () => {
    expect(toPosition.position).toBe(60);
    expect(toPosition.events).toBe(60);
    expect(hashes(toTime)).toEqual(hashes(toPosition));
    expect(toTime.position).toBe(60);
    expect(hashes(toPosition)).not.toEqual(hashes(result));
    expect(parseReplayBound("1999-12-31")).toEqual({ kind: "time", time: "1999-12-31", epochMs: Date.parse("1999-12-31T00:00:00Z") });
    expect(parseReplayBound("2026-01-01T10:00:00")!.kind === "time" && parseReplayBound("2026-01-01T10:00:00")).toMatchObject({ epochMs: Date.parse("2026-01-01T10:00:00Z") });
    for (const bad of ["yesterday", "2026-13-45T00:00:00Z", "2026-02-30", "2027-02-29T00:00:00Z", "12abc", "-5", ""]) expect(parseReplayBound(bad), bad).toBeUndefined();
    expect(parseReplayBound("2028-02-29")).toMatchObject({ epochMs: Date.parse("2028-02-29T00:00:00Z") });
  });

  it("folds every read model in its batch to the document evolve folds: the same hash and snapshot", () => {
    expect(readModelNamed("compute")!.batch).toBeDefined();
    expect(hashes(evolving)).toEqual(hashes(result));
    for (const { model, doc } of result.models) {
      if (model.projection === undefined) continue;
      expect(model.projection.toSnapshot(doc), model.name).toEqual(model.projection.toSnapshot(modelOf(evolving, model.name).doc));
    }
  });

  it("folds the portable read models in a second thread to the same documents, positions and counts", () => {
    const summary = (replayed: ReplayResult) =>
      replayed.models.map(({ model, doc, folded, position }) => [model.name, canonicalHash(doc), folded, position]);
    expect(threaded.models.map(({ model }) => model.name)).toEqual(readModels.map((model) => model.name));
    expect(readModels.filter((model) => model.portable !== undefined).length).toBeGreaterThan(0);
    expect(summary(threaded)).toEqual(summary(result));
    expect(summary(threadedToTime)).toEqual(summary(toTime));
    expect([threaded.events, threaded.position]).toEqual([result.events, result.position]);
  });

  it("fails as the store does when the thread cannot open it", async () => {
    const failure = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* makeSqliteEventStore(join(dir, "events.sqlite"));
          return yield* Effect.flip(replay(store, readModels.map((model) => ({ model })), { kind: "head" }, 7, { thread: { eventStore: "nowhere:" } }));
        }),
      ),
    );
    expect(failure._tag).toBe("EventStoreUnavailable");
    expect(failure.message).toMatch(/replay thread failed: .*nowhere/);
  });

  it("holds a read model at its own bound while the others go on", () => {
    const identity = modelOf(perModel, "identity");
    expect(identity.position).toBe(10);
    expect(identity.folded).toBe(10);
    expect(modelOf(perModel, "compute").position).toBe(lines.length);
    expect(canonicalHash(modelOf(perModel, "compute").doc)).toBe(canonicalHash(docOf("compute")));
    expect(canonicalHash(identity.doc)).not.toBe(canonicalHash(docOf("identity")));
  });
});
