import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.ts";

// A low cost keeps the spec fast; the parameters travel in the hash, so verification follows them.
const cost = { logN: 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse", cost);
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horse ", hash)).toBe(false);
  });

  it("never keeps the password in the hash, and salts each hash", async () => {
    const [a, b] = [await hashPassword("hunter2", cost), await hashPassword("hunter2", cost)];
    expect(a).not.toContain("hunter2");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  });

  it("refuses hashes it did not write, and absurd costs, without throwing", async () => {
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await verifyPassword("x", "$2b$12$bcrypthashbcrypthashbcrypthashbcrypthashbcrypthash12")).toBe(false);
    expect(await verifyPassword("x", "$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaA")).toBe(false);
  });

  it("uses the default cost recorded in the hash", async () => {
    expect(await hashPassword("x")).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
  });
});
