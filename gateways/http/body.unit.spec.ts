/**
 * Request bodies through a hono app in-process: JSON that parses, an object where one is expected,
 * and only well-formed Unicode (a lone surrogate escaped in JSON has no UTF-8 form, so no command
 * or event could carry it), each refused with a 400 in the fault shape.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { readJsonObject } from "./body.ts";
import { HttpFault } from "./faults.ts";

const app = new Hono()
  .post("/", async (c) => c.json(await readJsonObject(c)))
  .onError((error, c) => (error instanceof HttpFault ? c.json({ badRequest: { code: error.status, message: error.message } }, error.status as 400) : c.json({ error: String(error) }, 500)));

const post = (body: string) => app.request("/", { method: "POST", body, headers: { "content-type": "application/json" } });

describe("request bodies", () => {
  it("give back the JSON object, escaped pairs and non-ASCII text included", async () => {
    const response = await post(`{"server": {"name": "web-\\ud83d\\ude00-é", "metadata": {"k\\u00e9": "v"}}}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ server: { name: "web-😀-é", metadata: { "ké": "v" } } });
  });

  it.each([
    ["a lone high surrogate in a value", `{"server": {"name": "a\\ud800b"}}`, "a\\ud800b"],
    ["a lone low surrogate deep in an array", `{"items": [{"tags": ["ok", "\\udc00"]}]}`, "\\udc00"],
    ["a lone surrogate in a key", `{"metadata": {"\\ud83d": "v"}}`, "\\ud83d"],
  ])("refuse %s with a 400 naming it", async (_, body, named) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { badRequest } = (await response.json()) as { badRequest: { code: number; message: string } };
    expect(badRequest.code).toBe(400);
    expect(badRequest.message).toContain("lone UTF-16 surrogate");
    expect(badRequest.message).toContain(named);
  });

  it("refuse JSON that does not parse, and a top level that is not an object", async () => {
    expect((await post(`{"server": `)).status).toBe(400);
    expect((await post(`["a"]`)).status).toBe(400);
    expect((await post(``)).status).toBe(400);
  });
});
