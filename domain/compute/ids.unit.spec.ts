/** Stream ids: both spellings of a uuid name the same stream. */
import { describe, expect, it } from "vitest";
import { uuidOf } from "./ids.ts";

describe("uuidOf", () => {
  it("dashes a Keystone id", () => expect(uuidOf("9b59e0c4a1b24c3d8e9f001122334455")).toBe("9b59e0c4-a1b2-4c3d-8e9f-001122334455"));
  it("lowercases either spelling", () => {
    expect(uuidOf("9B59E0C4A1B24C3D8E9F001122334455")).toBe("9b59e0c4-a1b2-4c3d-8e9f-001122334455");
    expect(uuidOf("9B59E0C4-A1B2-4C3D-8E9F-001122334455")).toBe("9b59e0c4-a1b2-4c3d-8e9f-001122334455");
  });
  it("returns any other id unchanged", () => {
    expect(uuidOf("default")).toBe("default");
    expect(uuidOf("9b59e0c4a1b24c3d8e9f00112233445")).toBe("9b59e0c4a1b24c3d8e9f00112233445");
  });
});
