/**
 * `WEFT_EVENT_STORE` parsing: each accepted form builds its adapter, anything else is refused
 * with the accepted forms and without echoing credentials.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { EventStore } from "./EventStore.ts";
import { eventStoreFromUrl, InvalidEventStoreUrl } from "./eventStoreFromUrl.ts";

const build = (url: string) => Effect.runPromise(Effect.scoped(Layer.build(eventStoreFromUrl(url))));

describe("eventStoreFromUrl", () => {
  it("opens the embedded store for sqlite:<path>", async () => {
    const dir = await mkdtemp(join(tmpdir(), "weft-url-"));
    try {
      const head = await Effect.runPromise(EventStore.use((store) => store.head).pipe(Effect.provide(eventStoreFromUrl(`sqlite:${join(dir, "events.db")}`))));
      expect(head).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(["esdb://localhost:2113?tls=false", "esdb+discover://a,b:2113", "kurrentdb://localhost:2113?tls=false", "kurrentdb+discover://a:2113"])(
    "builds the KurrentDB adapter for %s without connecting yet",
    async (url) => {
      const context = await build(url);
      expect(context).toBeDefined();
    },
  );

  it.each(["", "sqlite:", "events.db", "postgres://weft:s3cret@db/weft", "http://localhost:2113"])("refuses %j, naming the accepted forms", async (url) => {
    const error = await Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(eventStoreFromUrl(url)))));
    expect(error).toBeInstanceOf(InvalidEventStoreUrl);
    expect(error.message).toContain("sqlite:<path>");
    expect(error.message).toContain("esdb://");
    expect(error.message).toContain("kurrentdb+discover://");
    expect(error.message).not.toContain("s3cret");
  });
});
