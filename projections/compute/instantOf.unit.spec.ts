/**
 * instantOf: a time already in the canonical form is returned as it is, and every other form
 * (offsets, other precisions, days a date rolls over) comes out exactly as parsing and printing it.
 */
import { describe, expect, it } from "vitest";
import { instantOf } from "./servers.ts";

const parsed = (time: string) => {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString();
};

describe("instantOf", () => {
  it("agrees with parsing and printing on every form", () => {
    const times = [
      "2026-11-22T10:00:00.123Z", "2026-01-28T23:59:59.999Z", "2024-02-29T23:59:59.999Z", "2026-02-30T00:00:00.000Z",
      "2026-04-31T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T23:60:00.000Z", "2026-11-22T10:00:00Z",
      "2026-11-22T10:00:00.123456Z", "2026-11-22T12:00:00.000+02:00", "2026-11-22", "not a time", "",
    ];
    for (const time of times) expect(instantOf(time), time).toBe(parsed(time));
  });

  it("returns a canonical time itself", () => {
    const time = "2026-11-22T10:00:00.123Z";
    expect(instantOf(time)).toBe(time);
  });
});
