/**
 * Nova's datetime rules for os-simple-tenant-usage: the three formats `_parse_datetime` tries,
 * everything else a 400, and the naive microsecond form Nova writes back.
 */
import { describe, expect, it } from "vitest";
import { HttpFault } from "../http/faults.ts";
import { novaTimeText, parseNovaTime } from "./tenantUsage.ts";

const jan1 = Date.UTC(2030, 0, 1);

describe("parseNovaTime", () => {
  it("reads Nova's three formats as UTC, microseconds as a fraction of a millisecond", () => {
    expect(parseNovaTime("2030-01-01T00:00:00", 0)).toBe(jan1);
    expect(parseNovaTime("2030-01-01T00:00:00.5", 0)).toBe(jan1 + 500);
    expect(parseNovaTime("2030-01-01T00:00:00.000250", 0)).toBe(jan1 + 0.25);
    expect(parseNovaTime("2030-01-01 12:30:00.000000", 0)).toBe(jan1 + 12.5 * 3_600_000);
  });

  it("is now when absent or empty", () => {
    expect(parseNovaTime(undefined, 42)).toBe(42);
    expect(parseNovaTime("", 42)).toBe(42);
  });

  it.each(["2030-01-01", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00+01:00", "2030-01-01 00:00:00", "2030-02-30T00:00:00", "2030-01-01T24:00:00", "yesterday", "2030-01-01T00:00:00.1234567"])(
    "refuses %s with Nova's 400",
    (text) => {
      const refusal = (() => {
        try {
          parseNovaTime(text, 0);
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(HttpFault);
      expect(refusal).toMatchObject({ status: 400, message: "Invalid datetime string: Datetime is in invalid format" });
    },
  );
});

describe("novaTimeText", () => {
  it("writes naive UTC with six digits of microseconds", () => {
    expect(novaTimeText(jan1)).toBe("2030-01-01T00:00:00.000000");
    expect(novaTimeText(jan1 + 1_234.5)).toBe("2030-01-01T00:00:01.234500");
  });
});
