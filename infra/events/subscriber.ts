/**
 * The subscriber client of the public event stream (docs/events.md): follows
 * `GET /events/v1/stream` over HTTP and yields each CloudEvent, typed, in position order. A
 * dropped connection is resumed with `Last-Event-ID` after a short pause, so the caller sees
 * every matching event exactly once, whatever the network does; a refused subscription (a bad
 * filter, no access) ends it with `SubscriptionRefused`.
 *
 *     for await (const event of subscribeEvents({ url, token, after: checkpoint })) { ... }
 */
import type { AnyWeftCloudEvent } from "./cloudEvents.ts";
import { sseParser } from "./sse.ts";

export interface SubscribeOptions {
  /** The gateway's base URL (`http://127.0.0.1:5000`), or the catalog's `event-stream` endpoint. */
  readonly url: string;
  /** A token, or how to get a fresh one: it is asked again after a 401 (an expired token). */
  readonly token: string | (() => string | Promise<string>);
  /** Start after this position (a checkpoint); absent: from the newest event on. */
  readonly after?: number;
  /** Event type names (`ServerSpawned`) or CloudEvents types (`weft.compute.ServerSpawned`). */
  readonly types?: ReadonlyArray<string>;
  /** Stream categories (`server`, `image`, …). */
  readonly resourceTypes?: ReadonlyArray<string>;
  readonly resourceId?: string;
  /** Ends the subscription. */
  readonly signal?: AbortSignal;
  /** The first pause before reconnecting, doubled up to `maxReconnectDelayMs`. Default 500. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** Told about every reconnect, with what ended the connection. */
  readonly onReconnect?: (cause: unknown, after: number | undefined) => void;
  /** Another fetch (an in-process app's `request`, say). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** The gateway refused the subscription (400 or 403, or 401 with a fixed token): retrying would not help. */
export class SubscriptionRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(`event subscription refused (${status}): ${message}`);
    this.name = "SubscriptionRefused";
    this.status = status;
  }
}

const faultMessage = async (response: Response) => {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return body.error?.message ?? text;
  } catch {
    return text;
  }
};

/** Waits `ms`, or less when `signal` aborts; leaves no listener behind on a long-lived signal. */
export const pause = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });

const streamUrl = (options: SubscribeOptions) => {
  const query = new URLSearchParams();
  if (options.types !== undefined && options.types.length > 0) query.set("type", options.types.join(","));
  if (options.resourceTypes !== undefined && options.resourceTypes.length > 0) query.set("resource_type", options.resourceTypes.join(","));
  if (options.resourceId !== undefined) query.set("resource_id", options.resourceId);
  const search = query.toString();
  // The gateway's base URL, or the catalog's event-stream endpoint (which ends in /events/v1).
  const base = options.url.replace(/\/+$/, "");
  return `${base.endsWith("/events/v1") ? base : `${base}/events/v1`}/stream${search === "" ? "" : `?${search}`}`;
};

/**
 * Every matching event after `options.after`, live, until `options.signal` aborts (the iteration
 * then just ends). Throws SubscriptionRefused when the gateway refuses.
 */
export async function* subscribeEvents(options: SubscribeOptions): AsyncGenerator<AnyWeftCloudEvent, void, undefined> {
  const fetchFn = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const url = streamUrl(options);
  const firstDelay = options.reconnectDelayMs ?? 500;
  const maxDelay = options.maxReconnectDelayMs ?? 30_000;
  const signal = options.signal;
  // A function, not the property: TypeScript would narrow `aborted` across awaits.
  const aborted = () => signal?.aborted === true;
  let after = options.after;
  let delay = firstDelay;
  let token = typeof options.token === "string" ? options.token : await options.token();

  while (!aborted()) {
    let cause: unknown;
    try {
      const headers: Record<string, string> = { accept: "text/event-stream", "x-auth-token": token };
      // The position goes in Last-Event-ID, as a browser's EventSource does on reconnect.
      if (after !== undefined) headers["last-event-id"] = String(after);
      const response = await fetchFn(url, { headers, ...(signal === undefined ? {} : { signal }) });
      if (response.status === 401 && typeof options.token !== "string") {
        await response.body?.cancel();
        token = await options.token();
        cause = new Error("token refused (401); a fresh one was asked for");
      } else if (response.status === 400 || response.status === 401 || response.status === 403) {
        throw new SubscriptionRefused(response.status, await faultMessage(response));
      } else if (response.status !== 200 || response.body === null) {
        await response.body?.cancel();
        cause = new Error(`event stream answered ${response.status}`);
      } else {
        const parser = sseParser();
        for await (const chunk of response.body) {
          for (const message of parser.push(chunk)) {
            const position = message.id === undefined ? Number.NaN : Number(message.id);
            if (!Number.isSafeInteger(position) || (after !== undefined && position <= after)) continue;
            after = position;
            if (message.data === undefined) continue;
            delay = firstDelay;
            yield JSON.parse(message.data) as AnyWeftCloudEvent;
          }
        }
        cause = new Error("event stream ended");
      }
    } catch (error) {
      if (error instanceof SubscriptionRefused) throw error;
      if (aborted()) return;
      cause = error;
    }
    options.onReconnect?.(cause, after);
    await pause(delay, signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}
