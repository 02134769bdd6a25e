import { describe, expect, it } from "vitest";
import { eventFrame, heartbeatFrame, openingFrame, sseParser } from "./sse.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("SSE framing", () => {
  it("writes an event as id, event and one data line, and parses it back", () => {
    const frame = eventFrame(12, "weft.compute.ServerSpawned", '{"a":1}');
    expect(new TextDecoder().decode(frame)).toBe('id: 12\nevent: weft.compute.ServerSpawned\ndata: {"a":1}\n\n');
    expect(sseParser().push(frame)).toEqual([{ id: "12", event: "weft.compute.ServerSpawned", data: '{"a":1}' }]);
  });

  it("reads heartbeats and the opening frame as id-only frames that dispatch no data", () => {
    const parser = sseParser();
    expect(parser.push(openingFrame(3))).toEqual([{ id: "3", event: undefined, data: undefined }]);
    expect(parser.push(heartbeatFrame(9))).toEqual([{ id: "9", event: undefined, data: undefined }]);
    expect(parser.push(bytes(": a comment only\n\n"))).toEqual([]);
  });

  it("joins frames split anywhere across chunks, CRLF and CR line ends included", () => {
    const parser = sseParser();
    const text = "id: 1\r\nevent: e\r\ndata: x\r\n\r\nid: 2\rdata: a\rdata: b\r\r\n";
    const out = [...text].flatMap((char) => parser.push(bytes(char)));
    expect(out).toEqual([
      { id: "1", event: "e", data: "x" },
      { id: "2", event: undefined, data: "a\nb" },
    ]);
  });

  it("splits multi-byte characters across chunks correctly", () => {
    const parser = sseParser();
    const frame = eventFrame(5, "t", '{"name":"é✓"}');
    const out = [...frame].flatMap((byte) => parser.push(new Uint8Array([byte])));
    expect(out).toEqual([{ id: "5", event: "t", data: '{"name":"é✓"}' }]);
  });
});
