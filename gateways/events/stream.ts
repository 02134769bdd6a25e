/**
 * One subscriber's SSE body, pulled: the HTTP server asks for the next chunk only once the
 * socket has drained what it had (@hono/node-server waits for `drain`), and only then does this
 * read the feed, so a slow consumer holds at most one chunk (one feed page, ~64 KiB) here and the
 * socket's buffers there. A consumer that leaves a chunk unread past the stall timeout is
 * disconnected; it resumes with Last-Event-ID, losing nothing.
 */
import { heartbeatFrame, openingFrame, type EventFeed, type FeedQuery } from "@weft/infra/events";

export interface EventStreamBodyOptions {
  readonly feed: EventFeed;
  /** Events strictly after this position are sent. */
  readonly after: number;
  readonly filters: Omit<FeedQuery, "project">;
  /**
   * Whose events the caller may see right now (its token is checked again before every chunk):
   * `{}` for all, `{ project }` for one project's, undefined to end the stream.
   */
  readonly scope: () => Pick<FeedQuery, "project"> | undefined;
  readonly heartbeatMs: number;
  readonly stallTimeoutMs: number;
  /** Closes the connection under a stalled consumer (the body erroring is noticed only on its next read). */
  readonly onStall?: () => void;
}

export class ConsumerStalled extends Error {
  constructor(stallTimeoutMs: number) {
    super(`the consumer read nothing for ${stallTimeoutMs} ms; resume with Last-Event-ID`);
    this.name = "ConsumerStalled";
  }
}

export const eventStreamBody = (options: EventStreamBodyOptions): ReadableStream<Uint8Array> => {
  const { feed } = options;
  let cursor = options.after;
  const stop = new AbortController();
  let stallTimer: ReturnType<typeof setTimeout> | undefined;

  const disarm = () => {
    if (stallTimer !== undefined) clearTimeout(stallTimer);
    stallTimer = undefined;
  };
  const close = () => {
    disarm();
    stop.abort();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(openingFrame(cursor));
        // The gateway is shutting down: end the response, so the server's close is not held up.
        const shutDown = () => {
          if (stop.signal.aborted) return;
          close();
          controller.close();
        };
        if (feed.closing.aborted) shutDown();
        else feed.closing.addEventListener("abort", shutDown, { once: true, signal: stop.signal });
      },
      async pull(controller) {
        disarm();
        for (;;) {
          if (stop.signal.aborted) return;
          const scope = options.scope();
          if (scope === undefined) {
            close();
            controller.close();
            return;
          }
          const page = await feed.read(cursor, { ...options.filters, ...scope });
          if (stop.signal.aborted) return;
          cursor = page.scannedTo;
          let chunk: Uint8Array | undefined;
          if (page.events.length > 0) {
            chunk = Buffer.concat(page.events.map((event) => event.frame));
          } else if (cursor >= feed.position() && !(await feed.waitBeyond(cursor, options.heartbeatMs, stop.signal))) {
            if (stop.signal.aborted) return;
            chunk = heartbeatFrame(cursor);
          }
          if (chunk === undefined) continue;
          controller.enqueue(chunk);
          // Full: the consumer has not taken the previous chunk. Not asked again until it does.
          if ((controller.desiredSize ?? 0) <= 0) {
            stallTimer = setTimeout(() => {
              close();
              controller.error(new ConsumerStalled(options.stallTimeoutMs));
              options.onStall?.();
            }, options.stallTimeoutMs);
          }
          return;
        }
      },
      cancel() {
        close();
      },
    },
    // One chunk queued at most: everything else waits in the store.
    { highWaterMark: 1 },
  );
};
