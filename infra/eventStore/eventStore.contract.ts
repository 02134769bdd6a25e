/**
 * The behaviour every `EventStore` adapter owes its callers, as one suite that is a function of a
 * factory: expected revisions, atomic multi-event appends, stream and `$all` reads, filters, head,
 * catch-up-then-live subscriptions, racing writers and exact bytes. Each test writes to streams
 * of its own fresh category and reads `$all` only after the head it saw first, so the suite also
 * runs against a shared server that already holds events (EventStoreDB).
 */
import { randomUUID } from "node:crypto";
import { Clock, Deferred, Effect, Fiber, ManagedRuntime, Result, Stream, type Layer } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EventStore,
  StreamRevisionConflict,
  type AllFilter,
  type EventStoreUnavailable,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from "./EventStore.ts";

export interface EventStoreFixture {
  readonly layer: Layer.Layer<EventStore, EventStoreUnavailable>;
  readonly cleanup?: () => Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (bytes: Uint8Array) => decoder.decode(bytes);

export const freshCategory = () => `contract${randomUUID().replaceAll("-", "").slice(0, 12)}`;
export const streamIn = (category: string) => `${category}-${randomUUID()}`;
export const newEvent = (type: string, body: string): NewEvent => ({
  id: randomUUID(),
  type,
  data: encoder.encode(body),
  metadata: encoder.encode(`meta:${body}`),
});
export const bodies = (events: ReadonlyArray<RecordedEvent>) => events.map((event) => text(event.data));

const summary = (event: RecordedEvent) => ({
  stream: event.stream,
  revision: event.revision,
  type: event.type,
  data: text(event.data),
  metadata: text(event.metadata),
});

const expectIncreasing = (positions: ReadonlyArray<Position>) =>
  positions.forEach((position, i) => i > 0 && expect(position).toBeGreaterThan(positions[i - 1]!));

/** Every page of `readAll(after, pageSize, filter)` until an empty one. */
const readAllPaged = (after: Position, pageSize: number, filter: AllFilter) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const pages: Array<ReadonlyArray<RecordedEvent>> = [];
    for (let cursor = after; ;) {
      const page = yield* store.readAll(cursor, pageSize, filter);
      if (page.length === 0) return pages;
      pages.push(page);
      cursor = page[page.length - 1]!.position;
    }
  });

export const eventStoreContract = (name: string, make: () => Promise<EventStoreFixture>) =>
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let runtime: ManagedRuntime.ManagedRuntime<EventStore, EventStoreUnavailable>;
    const run = <A, E>(body: (store: EventStore["Service"]) => Effect.Effect<A, E, EventStore>) =>
      runtime.runPromise(EventStore.use(body));

    beforeAll(async () => {
      fixture = await make();
      runtime = ManagedRuntime.make(fixture.layer);
      await runtime.runPromise(Effect.asVoid(EventStore));
    });
    afterAll(async () => {
      await runtime?.dispose();
      await fixture?.cleanup?.();
    });

    it("appends to a new stream with no_stream and reads the event back", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        const before = yield* store.head;
        const event = newEvent("ThingCreated", "one");
        const result = yield* store.append(stream, "no_stream", [event]);
        expect(result.revision).toBe(0);
        expect(result.position).toBeGreaterThan(before);
        const read = yield* store.read(stream);
        expect(read.map(summary)).toEqual([{ stream, revision: 0, type: "ThingCreated", data: "one", metadata: "meta:one" }]);
        expect(read[0]!.id).toBe(event.id);
        expect(read[0]!.position).toBe(result.position);
        // The store's clock, maybe another machine's: only roughly ours.
        expect(Math.abs(read[0]!.recordedAt - (yield* Clock.currentTimeMillis))).toBeLessThan(3_600_000);
      })));

    it("rejects a second no_stream with StreamRevisionConflict and appends nothing", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        yield* store.append(stream, "no_stream", [newEvent("ThingCreated", "first")]);
        const error = yield* Effect.flip(store.append(stream, "no_stream", [newEvent("ThingCreated", "second")]));
        expect(error).toBeInstanceOf(StreamRevisionConflict);
        expect(error).toMatchObject({ _tag: "StreamRevisionConflict", stream, expected: "no_stream", actual: "0" });
        expect(bodies(yield* store.read(stream))).toEqual(["first"]);
      })));

    it("accepts the exact revision and rejects a stale or a future one", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        yield* store.append(stream, "no_stream", [newEvent("A", "r0")]);
        expect((yield* store.append(stream, 0, [newEvent("A", "r1")])).revision).toBe(1);
        const stale = yield* Effect.flip(store.append(stream, 0, [newEvent("A", "stale")]));
        expect(stale).toMatchObject({ _tag: "StreamRevisionConflict", expected: "0", actual: "1" });
        const future = yield* Effect.flip(store.append(stream, 5, [newEvent("A", "future")]));
        expect(future).toMatchObject({ _tag: "StreamRevisionConflict", expected: "5", actual: "1" });
        const missing = yield* Effect.flip(store.append(streamIn(freshCategory()), 0, [newEvent("A", "nothing")]));
        expect(missing).toMatchObject({ _tag: "StreamRevisionConflict", expected: "0", actual: "no_stream" });
        expect(bodies(yield* store.read(stream))).toEqual(["r0", "r1"]);
      })));

    it("rejects stream_exists on a missing stream and accepts it on an existing one", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        const error = yield* Effect.flip(store.append(stream, "stream_exists", [newEvent("A", "x")]));
        expect(error).toMatchObject({ _tag: "StreamRevisionConflict", stream, expected: "stream_exists", actual: "no_stream" });
        expect(yield* store.read(stream)).toEqual([]);
        yield* store.append(stream, "no_stream", [newEvent("A", "first")]);
        expect((yield* store.append(stream, "stream_exists", [newEvent("A", "second")])).revision).toBe(1);
        expect(bodies(yield* store.read(stream))).toEqual(["first", "second"]);
      })));

    it("accepts any whether or not the stream exists", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        expect((yield* store.append(stream, "any", [newEvent("A", "first")])).revision).toBe(0);
        expect((yield* store.append(stream, "any", [newEvent("A", "second")])).revision).toBe(1);
        expect(bodies(yield* store.read(stream))).toEqual(["first", "second"]);
      })));

    it("appends several events atomically: consecutive revisions, one increasing position each", () =>
      run((store) => Effect.gen(function* () {
        const category = freshCategory();
        const stream = streamIn(category);
        const before = yield* store.head;
        const result = yield* store.append(stream, "no_stream", ["a", "b", "c"].map((body) => newEvent("Batch", body)));
        expect(result.revision).toBe(2);
        const read = yield* store.read(stream);
        expect(read.map((event) => event.revision)).toEqual([0, 1, 2]);
        expect(bodies(read)).toEqual(["a", "b", "c"]);
        expectIncreasing(read.map((event) => event.position));
        expect(read[0]!.position).toBeGreaterThan(before);
        expect(read[2]!.position).toBe(result.position);
        const all = yield* store.readAll(before, 100, { categories: [category] });
        expect(all.map((event) => event.position)).toEqual(read.map((event) => event.position));

        const refused = yield* Effect.flip(store.append(stream, 1, [newEvent("Batch", "d"), newEvent("Batch", "e")]));
        expect(refused).toMatchObject({ _tag: "StreamRevisionConflict", actual: "2" });
        expect(bodies(yield* store.read(stream))).toEqual(["a", "b", "c"]);
      })));

    it("an empty append only checks the expectation", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        expect((yield* store.append(stream, "no_stream", [])).revision).toBe(-1);
        expect(yield* store.read(stream)).toEqual([]);
        const missing = yield* Effect.flip(store.append(stream, "stream_exists", []));
        expect(missing).toMatchObject({ _tag: "StreamRevisionConflict", actual: "no_stream" });
        const written = yield* store.append(stream, "no_stream", [newEvent("A", "only")]);
        expect(yield* store.append(stream, 0, [])).toEqual(written);
        expect(yield* Effect.flip(store.append(stream, "no_stream", []))).toMatchObject({ actual: "0" });
        expect(bodies(yield* store.read(stream))).toEqual(["only"]);
      })));

    it("reads a stream from a revision; a missing stream reads empty", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        yield* store.append(stream, "no_stream", ["r0", "r1", "r2", "r3"].map((body) => newEvent("A", body)));
        expect(bodies(yield* store.read(stream))).toEqual(["r0", "r1", "r2", "r3"]);
        expect((yield* store.read(stream, 2)).map(summary)).toEqual([
          { stream, revision: 2, type: "A", data: "r2", metadata: "meta:r2" },
          { stream, revision: 3, type: "A", data: "r3", metadata: "meta:r3" },
        ]);
        expect(yield* store.read(stream, 4)).toEqual([]);
        expect(yield* store.read(streamIn(freshCategory()))).toEqual([]);
      })));

    it("readAll returns events strictly after a position, in order, and pages by maxCount", () =>
      run((store) => Effect.gen(function* () {
        const category = freshCategory();
        const [first, second] = [streamIn(category), streamIn(category)];
        const before = yield* store.head;
        yield* store.append(first, "no_stream", [newEvent("A", "1")]);
        yield* store.append(second, "no_stream", [newEvent("A", "2")]);
        yield* store.append(first, 0, [newEvent("A", "3"), newEvent("A", "4")]);
        yield* store.append(second, 0, [newEvent("A", "5")]);
        const all = yield* store.readAll(before, 100, { categories: [category] });
        expect(bodies(all)).toEqual(["1", "2", "3", "4", "5"]);
        expect(all.map((event) => event.stream)).toEqual([first, second, first, first, second]);
        expectIncreasing(all.map((event) => event.position));
        expect(bodies(yield* store.readAll(all[1]!.position, 100, { categories: [category] }))).toEqual(["3", "4", "5"]);
        expect(bodies(yield* store.readAll(all[1]!.position, 2, { categories: [category] }))).toEqual(["3", "4"]);
        expect(yield* store.readAll(all[4]!.position, 100, { categories: [category] })).toEqual([]);

        const pages = yield* readAllPaged(before, 2, { categories: [category] });
        expect(pages.map((page) => bodies(page))).toEqual([["1", "2"], ["3", "4"], ["5"]]);

        // Unfiltered: a shared server may interleave other events, ours keep their order.
        const unfiltered: Array<RecordedEvent> = [];
        for (let cursor = before; unfiltered.filter((event) => event.stream.startsWith(category)).length < 5;) {
          const page = yield* store.readAll(cursor, 2);
          expect(page.length).toBeGreaterThan(0);
          expect(page.length).toBeLessThanOrEqual(2);
          unfiltered.push(...page);
          cursor = page[page.length - 1]!.position;
        }
        expectIncreasing(unfiltered.map((event) => event.position));
        expect(unfiltered[0]!.position).toBeGreaterThan(before);
        expect(bodies(unfiltered.filter((event) => event.stream.startsWith(`${category}-`)))).toEqual(["1", "2", "3", "4", "5"]);
      })));

    it("filters $all by category and by event type", () =>
      run((store) => Effect.gen(function* () {
        const [red, blue] = [freshCategory(), freshCategory()];
        const lookalike = `${red}x`;
        const [made, broke] = [`Made${randomUUID().slice(0, 8)}`, `Broke${randomUUID().slice(0, 8)}`];
        const before = yield* store.head;
        yield* store.append(streamIn(red), "no_stream", [newEvent(made, "red made"), newEvent(broke, "red broke")]);
        yield* store.append(streamIn(blue), "no_stream", [newEvent(made, "blue made"), newEvent(broke, "blue broke")]);
        yield* store.append(streamIn(lookalike), "no_stream", [newEvent(made, "lookalike made")]);
        expect(bodies(yield* store.readAll(before, 100, { categories: [red] }))).toEqual(["red made", "red broke"]);
        expect(bodies(yield* store.readAll(before, 100, { categories: [blue, red] }))).toEqual(
          ["red made", "red broke", "blue made", "blue broke"],
        );
        expect(bodies(yield* store.readAll(before, 100, { eventTypes: [broke] }))).toEqual(["red broke", "blue broke"]);
        expect(bodies(yield* store.readAll(before, 100, { categories: [red, lookalike], eventTypes: [made] }))).toEqual(
          ["red made", "lookalike made"],
        );
        expect(bodies(yield* store.readAll(before, 1, { categories: [blue], eventTypes: [broke] }))).toEqual(["blue broke"]);
      })));

    it("head is the position of the newest event", () =>
      run((store) => Effect.gen(function* () {
        const result = yield* store.append(streamIn(freshCategory()), "no_stream", [newEvent("A", "x"), newEvent("A", "y")]);
        expect(yield* store.head).toBe(result.position);
      })));

    it("subscribeAll catches up, then delivers later appends live", () =>
      run((store) => Effect.gen(function* () {
        const category = freshCategory();
        const stream = streamIn(category);
        const before = yield* store.head;
        yield* store.append(stream, "no_stream", ["0", "1", "2"].map((body) => newEvent("A", body)));
        const caughtUp = yield* Deferred.make<void>();
        const subscriber = yield* store.subscribeAll(before, { categories: [category] }).pipe(
          Stream.tap((event) => (event.revision === 2 ? Deferred.succeed(caughtUp, undefined) : Effect.void)),
          Stream.take(5),
          Stream.runCollect,
          Effect.forkChild,
        );
        yield* Deferred.await(caughtUp);
        yield* store.append(stream, 2, [newEvent("A", "3")]);
        yield* store.append(stream, 3, [newEvent("A", "4")]);
        const received = yield* Fiber.join(subscriber).pipe(Effect.timeout("10 seconds"));
        expect(received.map(summary)).toEqual(
          ["0", "1", "2", "3", "4"].map((body, revision) => ({ stream, revision, type: "A", data: body, metadata: `meta:${body}` })),
        );
        expectIncreasing(received.map((event) => event.position));
      })));

    it("subscribeAll from a checkpoint in the middle: no gap, no duplicate", () =>
      run((store) => Effect.gen(function* () {
        const category = freshCategory();
        const [first, second] = [streamIn(category), streamIn(category)];
        const before = yield* store.head;
        yield* store.append(first, "no_stream", [newEvent("A", "1"), newEvent("A", "2")]);
        yield* store.append(second, "no_stream", [newEvent("A", "3"), newEvent("A", "4")]);
        const checkpoint = (yield* store.readAll(before, 100, { categories: [category] }))[1]!.position;
        const subscriber = yield* store.subscribeAll(checkpoint, { categories: [category] }).pipe(
          Stream.take(4),
          Stream.runCollect,
          Effect.forkChild,
        );
        yield* store.append(first, 1, [newEvent("A", "5")]);
        yield* store.append(second, 1, [newEvent("A", "6")]);
        const received = yield* Fiber.join(subscriber).pipe(Effect.timeout("10 seconds"));
        expect(bodies(received)).toEqual(["3", "4", "5", "6"]);
        expect(received[0]!.position).toBeGreaterThan(checkpoint);
        expectIncreasing(received.map((event) => event.position));
      })));

    it("subscribeAll filters by event type across categories", () =>
      run((store) => Effect.gen(function* () {
        const [wanted, other] = [`Wanted${randomUUID().slice(0, 8)}`, `Other${randomUUID().slice(0, 8)}`];
        const before = yield* store.head;
        const subscriber = yield* store.subscribeAll(before, { eventTypes: [wanted] }).pipe(
          Stream.take(3),
          Stream.runCollect,
          Effect.forkChild,
        );
        yield* store.append(streamIn(freshCategory()), "no_stream", [newEvent(other, "no"), newEvent(wanted, "w1")]);
        yield* store.append(streamIn(freshCategory()), "no_stream", [newEvent(wanted, "w2"), newEvent(other, "no")]);
        yield* store.append(streamIn(freshCategory()), "no_stream", [newEvent(wanted, "w3")]);
        const received = yield* Fiber.join(subscriber).pipe(Effect.timeout("10 seconds"));
        expect(bodies(received)).toEqual(["w1", "w2", "w3"]);
        expect(received.every((event) => event.type === wanted)).toBe(true);
      })));

    it("200 concurrent appends expecting the same revision: exactly one wins, the rest conflict", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        yield* store.append(stream, "no_stream", [newEvent("Seed", "seed")]);
        const results = yield* Effect.forEach(
          Array.from({ length: 200 }, (_, i) => i),
          (i) => Effect.result(store.append(stream, 0, [newEvent("Raced", `writer ${i}`)])),
          { concurrency: "unbounded" },
        );
        const wins = results.filter(Result.isSuccess);
        const losses = results.filter(Result.isFailure).map((result) => result.failure);
        expect(wins.map((win) => win.success.revision)).toEqual([1]);
        expect(losses).toHaveLength(199);
        expect(losses.every((loss) => loss instanceof StreamRevisionConflict && loss.actual === "1")).toBe(true);
        const stored = yield* store.read(stream);
        expect(stored.map((event) => event.revision)).toEqual([0, 1]);
        expect(stored[1]!.position).toBe(wins[0]!.success.position);
      })));

    it("writers racing with retry on conflict win one revision each and leave no gap", () =>
      run((store) => Effect.gen(function* () {
        const stream = streamIn(freshCategory());
        const writers = 50;
        const perWriter = 4;
        // Each writer catches up from the last revision it knows, as a command handler would.
        const writer = (w: number) =>
          Effect.gen(function* () {
            let known = -1;
            const won: Array<number> = [];
            for (let n = 0; n < perWriter;) {
              known = (yield* store.read(stream, known + 1)).at(-1)?.revision ?? known;
              const attempt = yield* Effect.result(store.append(stream, known === -1 ? "no_stream" : known, [newEvent("Raced", `w${w}-${n}`)]));
              if (Result.isSuccess(attempt)) {
                won.push(attempt.success.revision);
                n += 1;
              } else if (!(attempt.failure instanceof StreamRevisionConflict)) {
                return yield* Effect.fail(attempt.failure);
              }
            }
            return won;
          });
        const won = yield* Effect.forEach(Array.from({ length: writers }, (_, w) => w), writer, { concurrency: "unbounded" });
        const stored = yield* store.read(stream);
        expect(stored.map((event) => event.revision)).toEqual(Array.from({ length: writers * perWriter }, (_, r) => r));
        expect(won.flat().sort((a, b) => a - b)).toEqual(stored.map((event) => event.revision));
        expect(new Set(bodies(stored)).size).toBe(writers * perWriter);
      })));

    it("round-trips data and metadata bytes exactly", () =>
      run((store) => Effect.gen(function* () {
        const category = freshCategory();
        const stream = streamIn(category);
        const everyByte = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
        const notUtf8 = Uint8Array.from([0xff, 0x00, 0xfe, 0x80, 0x7f, 0x00, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
        const large = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
        const written = [
          { type: "Bytes", data: everyByte, metadata: notUtf8 },
          { type: "Bytes", data: new Uint8Array(0), metadata: new Uint8Array(0) },
          { type: "Bytes", data: large, metadata: everyByte },
        ];
        const before = yield* store.head;
        yield* store.append(stream, "no_stream", written);
        const viaAll = yield* store.readAll(before, 10, { categories: [category] });
        const viaSubscription = yield* store.subscribeAll(before, { categories: [category] }).pipe(Stream.take(3), Stream.runCollect);
        for (const read of [yield* store.read(stream), viaAll, viaSubscription]) {
          expect(read.map((event) => [Array.from(event.data), Array.from(event.metadata)])).toEqual(
            written.map((event) => [Array.from(event.data), Array.from(event.metadata)]),
          );
          expect(read.every((event) => event.data instanceof Uint8Array && event.metadata instanceof Uint8Array)).toBe(true);
        }
      })));
  });
