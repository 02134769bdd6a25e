/**
 * The Server-Sent Events framing of the public stream, both ways: the frames the gateway writes
 * (`id:` the event's position, `event:` its CloudEvents type, `data:` the CloudEvent as one line
 * of JSON) and a parser for the subscriber client. Heartbeats are comments; a heartbeat may carry
 * an `id:` alone, the position scanned so far, so a filtered subscriber resumes past events it
 * was never shown (an id-only frame dispatches nothing, per the SSE spec, but moves the last id).
 */

const utf8 = new TextEncoder();

/** One event's frame, encoded once and written to every subscriber it matches. */
export const eventFrame = (position: number, type: string, json: string): Uint8Array =>
  utf8.encode(`id: ${position}\nevent: ${type}\ndata: ${json}\n\n`);

/** A heartbeat: a comment, and the position everything up to which has been looked at. */
export const heartbeatFrame = (scannedTo: number): Uint8Array => utf8.encode(`: keepalive\nid: ${scannedTo}\n\n`);

/**
 * The first bytes of a stream, sent at once so headers go out: it names the start position as an
 * id, so a subscriber that came "from now" and is cut off before any event resumes exactly.
 */
export const openingFrame = (from: number): Uint8Array => utf8.encode(`: weft events after position ${from}\nid: ${from}\n\n`);

/** A dispatched frame: an event, or an id-only frame (no data) that only moves the last id. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  /** Undefined for an id-only frame. */
  readonly data: string | undefined;
}

/**
 * An incremental parser (the WHATWG event-stream rules: lines end in LF, CRLF or CR; `:` starts a
 * comment; `data` lines join with LF; a blank line dispatches). `push` returns the frames completed.
 */
export const sseParser = () => {
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | undefined;
  let event: string | undefined;
  let data: Array<string> = [];
  let sawId = false;

  const line = (text: string, out: Array<SseMessage>) => {
    if (text === "") {
      if (data.length > 0 || sawId) out.push({ id, event, data: data.length > 0 ? data.join("\n") : undefined });
      event = undefined;
      data = [];
      sawId = false;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) {
      id = value;
      sawId = true;
    }
  };

  return {
    push: (chunk: Uint8Array): ReadonlyArray<SseMessage> => {
      buffer += decoder.decode(chunk, { stream: true });
      const out: Array<SseMessage> = [];
      let start = 0;
      // A native search for line ends: a frame is one JSON line of hundreds of characters.
      const lineEnd = /\r\n|\r|\n/g;
      for (let match = lineEnd.exec(buffer); match !== null; match = lineEnd.exec(buffer)) {
        // A CR at the very end may be half of a CRLF: wait for the next chunk.
        if (match[0] === "\r" && match.index === buffer.length - 1) break;
        line(buffer.slice(start, match.index), out);
        start = match.index + match[0].length;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
};
