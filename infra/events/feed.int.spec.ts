/**
 * The SSE feed over a real sqlite store with a ring of three: reading from the start pages
 * through the store and carries on in the ring without a gap, filters the same on both sides,
 * resolves owners of streams created before it started, keeps to its limits, and wakes waiters.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Context, Effect, Exit, Layer, Scope, Stream } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "@weft/domain/shared";
import { eventMetadataCodec, systemActor, type Actor, type PayloadCodec } from "@weft/proto";
import { computeEventCodec } from "../contexts/compute.ts";
import { identityEventCodec } from "../contexts/identity.ts";
import { imageEventCodec } from "../contexts/image.ts";
import { placementEventCodec } from "../contexts/placement.ts";
import { EventStore, type EventStoreShape } from "../eventStore/EventStore.ts";
import { sqliteEventStoreLayer } from "../eventStore/sqliteEventStore.ts";
import { tempDir, type TempDir } from "../testing/index.ts";
import { contextOf, type EventContext } from "./cloudEvents.ts";
import { makeEventFeed, type EventFeed, type FeedEvent, type FeedLimits, type FeedQuery } from "./feed.ts";
import { sseParser } from "./sse.ts";

const codecs: Record<EventContext, PayloadCodec<Message>> = {
  identity: identityEventCodec as PayloadCodec<Message>,
  compute: computeEventCodec,
  image: imageEventCodec as PayloadCodec<Message>,
  placement: placementEventCodec as PayloadCodec<Message>,
};

const P1 = "11111111111111111111111111111111";
const P2 = "22222222222222222222222222222222";
const s1 = randomUUID();
const i1 = randomUUID();
const member: Actor = { userId: "u1", userName: "alice", projectId: P1, domainId: "default", roles: ["member"], systemScope: false };

let dir: TempDir;
let scope: Scope.Closeable;
let store: EventStoreShape;
let feed: EventFeed;

const append = (stream: string, ...events: ReadonlyArray<Message>) =>
  Effect.runPromise(store.append(stream, "any", events.map((event) => ({
    type: event.type,
    data: codecs[contextOf(event.type)!].encode(event),
    metadata: eventMetadataCodec.encode({ commandId: randomUUID(), requestId: "req-1", correlationId: "", causationId: "", actor: event.type.startsWith("Server") ? member : systemActor, occurredAt: new Date().toISOString() }),
  }))));

const build = (serverId: string, projectId: string): Message => ({
  type: "ServerBuildRequested",
  data: {
    serverId, projectId, userId: "u1", name: "vm", flavor: { flavorId: "f1", name: "m1", vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
    image: { imageId: i1, name: "cirros", minDiskGb: 0, minRamMb: 0 }, keyName: "", keyPublicKey: "", serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: "2030-01-01T00:00:00Z",
  },
});

beforeAll(async () => {
  dir = await tempDir();
  scope = Effect.runSync(Scope.make());
  const context = await Effect.runPromise(Layer.buildWithScope(sqliteEventStoreLayer(join(dir.path, "events.sqlite")), scope));
  store = Context.get(context, EventStore);
  // Before the feed starts: only the store has these.
  await append(`server-${s1}`, build(s1, P1), { type: "ServerSpawned", data: { serverId: s1 } });
  await append(`image-${i1}`, { type: "ImageCreated", data: { imageId: i1, owner: P2, name: "cirros", diskFormat: "raw", containerFormat: "bare", visibility: "private" } });
  await append("identity-d", { type: "ProjectCreated", data: { projectId: P1, domainId: "default", name: "a", description: "", enabled: true, tags: [] } });
  await append("resourceProvider-rp", { type: "AllocationClaimed", data: { providerId: "rp", consumerId: s1, projectId: P1, userId: "u1", resources: { VCPU: 1 } } });
  feed = await Effect.runPromise(makeEventFeed({ ringSize: 3, pageSize: 2 }).pipe(Effect.provideService(EventStore, store), Scope.provide(scope)));
  // After: the feed takes these in, and its ring of three keeps the last of them.
  await append(`server-${s1}`, { type: "ServerStopRequested", data: { serverId: s1, host: "h1" } }, { type: "ServerStopped", data: { serverId: s1 } });
  await append(`image-${i1}`, { type: "ImageRenamed", data: { imageId: i1, name: "cirros-2" } });
  await append("identity-d", { type: "ProjectRenamed", data: { projectId: P1, name: "b" } });
  await append(`server-${s1}`, { type: "ServerStarted", data: { serverId: s1 } });
  const head = await Effect.runPromise(store.head);
  expect(await feed.waitBeyond(head - 1, 10_000)).toBe(true);
});
afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void));
  await dir?.remove();
});

/** Everything matching, page by page from the start, each page starting where the last stopped. */
const readFromStart = async (query: FeedQuery, limits?: FeedLimits) => {
  const events: Array<FeedEvent> = [];
  for (let after = 0; after < feed.position();) {
    const page = await feed.read(after, query, limits);
    expect(page.scannedTo).toBeGreaterThan(after);
    events.push(...page.events);
    after = page.scannedTo;
  }
  return events;
};
const cloudEventOf = (event: FeedEvent) => JSON.parse(sseParser().push(event.frame)[0]!.data!) as Record<string, unknown>;

describe("the event feed", () => {
  it("reads from the start across the store and its ring without a gap", async () => {
    const events = await readFromStart({});
    expect(events.map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events.map((event) => event.type)).toEqual([
      "ServerBuildRequested", "ServerSpawned", "ImageCreated", "ProjectCreated", "AllocationClaimed",
      "ServerStopRequested", "ServerStopped", "ImageRenamed", "ProjectRenamed", "ServerStarted",
    ]);
    expect(events.map((event) => cloudEventOf(event).weftposition)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("shows a project its own resources' events only, owners of older streams read from the store", async () => {
    const p1 = await readFromStart({ project: P1 });
    expect(p1.map((event) => event.type)).toEqual(["ServerBuildRequested", "ServerSpawned", "ServerStopRequested", "ServerStopped", "ServerStarted"]);
    expect(p1.every((event) => cloudEventOf(event).weftproject === P1)).toBe(true);
    const p2 = await readFromStart({ project: P2.toLowerCase() });
    expect(p2.map((event) => event.type)).toEqual(["ImageCreated", "ImageRenamed"]);
    expect((await readFromStart({ project: "33333333333333333333333333333333" }))).toEqual([]);
  });

  it("filters by type, resource type and resource id alike in the store and the ring", async () => {
    const stopped = await readFromStart({ eventTypes: new Set(["ServerSpawned", "ServerStarted"]) });
    expect(stopped.map((event) => event.position)).toEqual([2, 10]);
    const images = await readFromStart({ resourceTypes: new Set(["image", "identity"]) });
    expect(images.map((event) => event.type)).toEqual(["ImageCreated", "ProjectCreated", "ImageRenamed", "ProjectRenamed"]);
    const server = await readFromStart({ resourceId: s1.replaceAll("-", "").toUpperCase() });
    expect(server.map((event) => event.position)).toEqual([1, 2, 6, 7, 10]);
  });

  it("keeps a page within its limits and resumes after the last event it gave", async () => {
    const first = await feed.read(0, {}, { events: 1, bytes: 1_000_000 });
    expect(first.events.map((event) => event.position)).toEqual([1]);
    expect(first.scannedTo).toBe(1);
    const inRing = await feed.read(7, {}, { events: 10, bytes: 1 });
    expect(inRing.events.map((event) => event.position)).toEqual([8]);
    expect(inRing.scannedTo).toBe(8);
    expect(await readFromStart({}, { events: 1, bytes: 1 })).toHaveLength(10);
  });

  it("never reads past its own tail, even when the store is ahead of it", async () => {
    const frozen = await Effect.runPromise(makeEventFeed({ ringSize: 3, pageSize: 4 }).pipe(
      Effect.provideService(EventStore, { ...store, subscribeAll: () => Stream.never }),
      Scope.provide(scope),
    ));
    const tail = frozen.position();
    await append("identity-d", { type: "ProjectRenamed", data: { projectId: P1, name: "c" } });
    expect(await Effect.runPromise(store.head)).toBe(tail + 1);
    // Only ProjectRenamed events: the store's page holds the one past the tail, the feed stops short.
    const page = await frozen.read(8, { eventTypes: new Set(["ProjectRenamed"]) });
    expect(page.events.map((event) => event.position)).toEqual([9]);
    expect(page.scannedTo).toBe(tail);
    expect(await frozen.read(tail, {})).toEqual({ events: [], scannedTo: tail });
  });

  it("wakes a waiter once an event arrives past its position, and lets a timed-out one go", async () => {
    const head = feed.position();
    expect(await feed.waitBeyond(head, 10)).toBe(false);
    const aborted = new AbortController();
    const abandoned = feed.waitBeyond(head, 60_000, aborted.signal);
    aborted.abort();
    expect(await abandoned).toBe(false);
    const woken = feed.waitBeyond(head, 60_000);
    await append(`server-${s1}`, { type: "ServerStopRequested", data: { serverId: s1, host: "h1" } });
    expect(await woken).toBe(true);
    expect(await feed.head()).toBe(head + 1);
  });
});
