import { describe, expect, it } from "vitest";
import { HttpFault } from "./faults.ts";
import { arrayOf, boolean, nullable, object, optional, parseBody, string } from "./validate.ts";

const schema = object({
  project: object({
    name: string({ min: 1, max: 8 }),
    enabled: optional(boolean()),
    parent_id: optional(nullable(string())),
    tags: optional(arrayOf(string(), { max: 2 })),
  }),
});

const faultOf = (body: unknown) => {
  try {
    parseBody(schema, body);
  } catch (error) {
    if (error instanceof HttpFault) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a fault");
};

describe("body validation", () => {
  it("returns the parsed body, reading null as absent", () => {
    expect(parseBody(schema, { project: { name: "demo", enabled: false, parent_id: null } })).toEqual({
      project: { name: "demo", enabled: false, parent_id: undefined },
    });
  });

  it("names the field and the problem in a 400", () => {
    expect(faultOf({ project: { name: 7 } })).toEqual({ status: 400, message: "Invalid input for field 'project.name': number is not of type 'string'" });
    expect(faultOf({ project: { name: "" } }).message).toContain("'project.name': '' is too short");
    expect(faultOf({ project: { name: "x".repeat(9) } }).message).toContain("too long");
    expect(faultOf({ project: { name: "a", enabled: "yes" } }).message).toContain("'project.enabled': string is not of type 'boolean'");
    expect(faultOf({ project: {} }).message).toContain("'project.name': 'name' is a required property");
    expect(faultOf({}).message).toContain("'project': 'project' is a required property");
    expect(faultOf({ project: { name: "a", tags: ["a", "b", "c"] } }).message).toContain("too many items");
  });

  it("refuses unknown fields", () => {
    expect(faultOf({ project: { name: "a", color: "red" } }).message).toBe(
      "Invalid input for field 'project': Additional properties are not allowed ('color' was unexpected)",
    );
  });
});
