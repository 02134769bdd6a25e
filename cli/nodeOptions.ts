/**
 * The Node options every long-running `weft` process is started with: by the npm scripts, by the
 * `weft` bin's shebang, and by the tests and benches that spawn it (they import this list; a unit
 * spec keeps the scripts and the shebang in step with it). V8 itself cannot change them once the
 * process runs.
 *
 * `--max-semi-space-size=8`: on a machine with tens of GiB, Node 24's V8 grows each young
 * generation semi-space to 64 MB, 134 MB resident for garbage that dies young. 16 MB (V8's
 * default for years) took `weft up` with 10,000 servers from about 620 MB to about 520 MB
 * resident; 8 MB saves ~25 MB more, which the background roles thread's isolate needed
 * (docs/benchmarks.md), and its scavenges are shorter pauses for requests.
 *
 * `--heap-growing-percent=100`: the read models are persistent structures, so every event turns
 * a few old nodes into old-generation garbage; GC being cheap, V8 let the old generation grow to
 * three times what survived a full collection (250 MB to free 80). Twice is the limit here:
 * `weft up` with 10,000 servers went from 586–637 MB to 461 MB resident with the same
 * throughput (at 1.5 times, 415 MB, but 40% fewer creates per second).
 */
export const weftNodeOptions: ReadonlyArray<string> = ["--max-semi-space-size=8", "--heap-growing-percent=100"];

/**
 * The commands that fold a whole log in one go and end: they do better with V8's own young
 * generation and heap growth than with `weft up`'s memory-bound settings (`weft verify` on
 * 1,000,000 events ~1.2 s quicker, docs/benchmarks.md), so started with `weftNodeOptions` (as the
 * bin and npm start every command) they start again without them.
 */
export const foldingCommands: ReadonlySet<string> = new Set(["replay", "show", "verify"]);

/**
 * The arguments to start this process again without `weftNodeOptions` (its other Node options
 * kept), when it runs a folding command with them; undefined when it should go on as it is.
 */
export const restartArguments = (execArgv: ReadonlyArray<string>, argv: ReadonlyArray<string>): ReadonlyArray<string> | undefined => {
  const command = argv[2];
  if (command === undefined || !foldingCommands.has(command) || !weftNodeOptions.every((option) => execArgv.includes(option))) return undefined;
  return [...execArgv.filter((option) => !weftNodeOptions.includes(option)), ...argv.slice(1)];
};
