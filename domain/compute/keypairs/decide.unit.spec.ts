/**
 * A user's key pairs' rules: names unique per user and freed by a delete, deletes only of what
 * exists, and only Nova's two key types.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../../shared/index.ts";
import { keypairsDecider, keypairsStream, keypairsStreamFor, type ImportKeypair, type KeypairCommand, type KeypairEvent } from "./index.ts";

const spec = deciderSpecification(keypairsDecider);

const key: ImportKeypair = { userId: "u1", name: "mykey", type: "ssh", publicKey: "ssh-ed25519 AAAA alice", fingerprint: "aa:bb" };
const importKey = (changes: Partial<ImportKeypair> = {}): KeypairCommand => ({ type: "ImportKeypair", data: { ...key, ...changes } });
const imported = (changes: Partial<ImportKeypair> = {}): KeypairEvent => ({ type: "KeypairImported", data: { ...key, ...changes } });
const remove = (name = "mykey"): KeypairCommand => ({ type: "DeleteKeypair", data: { userId: "u1", name } });
const removed = (name = "mykey"): KeypairEvent => ({ type: "KeypairDeleted", data: { userId: "u1", name } });

describe("ImportKeypair", () => {
  it("imports a key pair", () => spec.given([]).when(importKey()).then([imported()]));
  it("imports an x509 certificate", () => spec.given([]).when(importKey({ type: "x509" })).then([imported({ type: "x509" })]));
  it("refuses a name in use, in Nova's words", () => {
    spec.given([imported()]).when(importKey({ publicKey: "other" })).thenRejects("KeypairNameTaken");
    expect(keypairsDecider.decide(importKey(), keypairsDecider.evolve(keypairsDecider.initialState(), imported())))
      .toEqual({ _tag: "KeypairNameTaken", message: "Key pair 'mykey' already exists." });
  });
  it("keeps other names free", () => spec.given([imported()]).when(importKey({ name: "other" })).then([imported({ name: "other" })]));
  it("treats names as data, not as object properties", () =>
    spec.given([]).when(importKey({ name: "__proto__" })).then([imported({ name: "__proto__" })]));
  it("frees the name of a deleted key pair", () => spec.given([imported(), removed()]).when(importKey()).then([imported()]));
  it("refuses an unknown key type", () => spec.given([]).when(importKey({ type: "pgp" as "ssh" })).thenRejects("InvalidKeypair"));
});

describe("DeleteKeypair", () => {
  it("deletes a key pair", () => spec.given([imported()]).when(remove()).then([removed()]));
  it("does not find a key pair never imported or already deleted, in Nova's words", () => {
    spec.given([]).when(remove()).thenRejects("KeypairNotFound");
    spec.given([imported(), removed()]).when(remove()).thenRejects("KeypairNotFound");
    expect(keypairsDecider.decide(remove("x"), keypairsDecider.initialState()))
      .toEqual({ _tag: "KeypairNotFound", message: "Keypair x not found for user u1" });
  });
});

describe("key pair streams", () => {
  it("names the stream after the user, in uuid form", () => {
    expect(keypairsStream("9B59E0C4000040008000ABCDEF012345")).toBe("keypairs-9b59e0c4-0000-4000-8000-abcdef012345");
    expect(keypairsStreamFor(importKey({ userId: "9b59e0c4000040008000abcdef012345" }))).toBe("keypairs-9b59e0c4-0000-4000-8000-abcdef012345");
  });
});
