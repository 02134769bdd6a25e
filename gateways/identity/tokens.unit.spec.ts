import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeTokenSealer, newAuditId, type TokenClaims } from "./tokens.ts";

const claims: TokenClaims = {
  userId: "u1",
  scope: { kind: "project", projectId: "p1" },
  methods: ["password"],
  issuedAt: 1_700_000_000_000,
  expiresAt: 1_700_003_600_000,
  auditId: newAuditId(),
};

describe("token sealer", () => {
  const sealer = makeTokenSealer(randomBytes(32));

  it("opens what it sealed, for every scope kind", () => {
    for (const scope of [claims.scope, { kind: "system" } as const, { kind: "unscoped" } as const]) {
      expect(sealer.open(sealer.seal({ ...claims, scope }))).toEqual({ ...claims, scope });
    }
  });

  it("seals the same claims differently each time (random IV), and both open", () => {
    const [a, b] = [sealer.seal(claims), sealer.seal(claims)];
    expect(a).not.toBe(b);
    expect(sealer.open(a)).toEqual(sealer.open(b));
  });

  it("refuses a token with any byte flipped", () => {
    const raw = Buffer.from(sealer.seal(claims), "base64url");
    for (const index of [0, 13, raw.byteLength - 1]) {
      const forged = Buffer.from(raw);
      forged[index] = forged[index]! ^ 0x01;
      expect(sealer.open(forged.toString("base64url"))).toBeUndefined();
    }
  });

  it("refuses tokens sealed under another key, garbage and oversized input", () => {
    expect(makeTokenSealer(randomBytes(32)).open(sealer.seal(claims))).toBeUndefined();
    expect(sealer.open("not-a-token")).toBeUndefined();
    expect(sealer.open("A".repeat(60))).toBeUndefined();
    expect(sealer.open("A".repeat(5000))).toBeUndefined();
  });

  it("gives 22-character url-safe audit ids like Keystone", () => {
    expect(newAuditId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
