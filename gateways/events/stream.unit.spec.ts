/**
 * One subscriber's SSE body over a feed that never runs dry (the stand-in for a long log): the
 * body reads the feed only as fast as its consumer takes chunks, disconnects one that stops, and
 * heartbeats or ends as its feed and its caller's token say.
 */
import { describe, expect, it } from "vitest";
import { eventFrame, sseParser, type EventFeed, type FeedPage, type FeedQuery } from "@weft/infra/events";
import { ConsumerStalled, eventStreamBody } from "./stream.ts";

/** A feed 100 events past any position; or, `idle`, one where nothing happens until it shuts down. */
const endlessFeed = (options: { idle?: boolean } = {}) => {
  const reads: Array<{ after: number; query: FeedQuery }> = [];
  const shutdown = new AbortController();
  const feed: EventFeed = {
    closing: shutdown.signal,
    position: () => (options.idle === true ? 0 : Number.MAX_SAFE_INTEGER),
    head: () => Promise.resolve(0),
    read: (after, query): Promise<FeedPage> => {
      reads.push({ after, query });
      if (options.idle === true) return Promise.resolve({ events: [], scannedTo: after });
      const events = Array.from({ length: 100 }, (_, i) => {
        const position = after + i + 1;
        return { position, type: "ServerSpawned", resourceType: "server", resourceId: "s", owner: "p", frame: eventFrame(position, "weft.compute.ServerSpawned", "{}") };
      });
      return Promise.resolve({ events, scannedTo: after + 100 });
    },
    waitBeyond: (_after, timeoutMs, signal) =>
      new Promise((resolve) => {
        if (options.idle !== true) return resolve(false);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve(false);
        });
      }),
  };
  return { feed, reads, shutDown: () => shutdown.abort() };
};

const text = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

describe("the SSE body", () => {
  it("reads the feed only as its consumer takes chunks, and drops a consumer that stops", async () => {
    const { feed, reads } = endlessFeed();
    const body = eventStreamBody({ feed, after: 0, filters: {}, scope: () => ({}), heartbeatMs: 60_000, stallTimeoutMs: 50 });
    const reader = body.getReader();
    expect(text((await reader.read()).value)).toContain("id: 0");
    const first = sseParser().push((await reader.read()).value!);
    expect(first.map((message) => Number(message.id))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    // Nothing more is read: only the one chunk queued ahead was taken from the feed.
    await expect(reader.closed).rejects.toBeInstanceOf(ConsumerStalled);
    expect(reads.map((read) => read.after)).toEqual([0, 100]);
  });

  it("passes the caller's scope, checked again for every chunk, and ends when it is gone", async () => {
    const { feed, reads } = endlessFeed();
    const scopes: Array<Pick<FeedQuery, "project"> | undefined> = [{ project: "p1" }, { project: "p1" }, undefined];
    const body = eventStreamBody({ feed, after: 5, filters: { resourceId: "r" }, scope: () => scopes.shift(), heartbeatMs: 60_000, stallTimeoutMs: 60_000 });
    const reader = body.getReader();
    const chunks: Array<string> = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(text(read.value));
    expect(chunks).toHaveLength(3);
    expect(reads.map((read) => read.query)).toEqual([{ resourceId: "r", project: "p1" }, { resourceId: "r", project: "p1" }]);
  });

  it("heartbeats while nothing happens, with the position looked at so far", async () => {
    const { feed } = endlessFeed({ idle: true });
    const reader = eventStreamBody({ feed, after: 0, filters: {}, scope: () => ({}), heartbeatMs: 10, stallTimeoutMs: 60_000 }).getReader();
    await reader.read();
    expect(text((await reader.read()).value)).toBe(": keepalive\nid: 0\n\n");
    await reader.cancel();
  });

  it("ends while waiting for events when the gateway shuts down", async () => {
    const { feed, shutDown } = endlessFeed({ idle: true });
    const reader = eventStreamBody({ feed, after: 0, filters: {}, scope: () => ({}), heartbeatMs: 60_000, stallTimeoutMs: 60_000 }).getReader();
    await reader.read();
    const next = reader.read();
    shutDown();
    expect(await next).toEqual({ done: true, value: undefined });
  });
});
