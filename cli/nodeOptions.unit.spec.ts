/**
 * The npm scripts and the `weft` bin's shebang start Node with exactly `weftNodeOptions`, the list
 * tests and benches spawn `weft` with: a figure measured one way must be the way users run it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { restartArguments, weftNodeOptions } from "./nodeOptions.ts";

const root = new URL("../", import.meta.url);
const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> }).scripts;
const expected = ["node", ...weftNodeOptions, "cli/main.ts"].join(" ");

describe("weft's Node options", () => {
  it.each(["start", "weft"])("npm run %s starts cli/main.ts with them", (name) => {
    expect(scripts[name]).toContain(expected);
  });

  it("the weft bin's shebang passes them", () => {
    const firstLine = readFileSync(new URL("main.ts", import.meta.url), "utf8").split("\n")[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${weftNodeOptions.join(" ")}`);
  });

  it.each(["replay", "show", "verify"])("weft %s starts again without them, its other options and arguments kept", (command) => {
    const argv = ["/usr/bin/node", "/weft/cli/main.ts", command, "--until", "2030-01-01"];
    expect(restartArguments([...weftNodeOptions, "--cpu-prof"], argv)).toEqual(["--cpu-prof", "/weft/cli/main.ts", command, "--until", "2030-01-01"]);
    // Started again, it goes on: no loop.
    expect(restartArguments(["--cpu-prof"], argv)).toBeUndefined();
  });

  it.each(["up", "agent", "meter", "audit"])("weft %s goes on with them", (command) => {
    expect(restartArguments(weftNodeOptions, ["/usr/bin/node", "/weft/cli/main.ts", command])).toBeUndefined();
  });
});
