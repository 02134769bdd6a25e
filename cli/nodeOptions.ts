/**
 * The Node options every long-running `weft` process is started with: by the npm scripts, by the
 * `weft` bin's shebang, and by the tests and benches that spawn it (they import this list; a unit
 * spec keeps the scripts and the shebang in step with it). V8 itself cannot change them once the
 * process runs.
 *
 * `--max-semi-space-size=16`: on a machine with tens of GiB, Node 24's V8 grows each young
 * generation semi-space to 64 MB, 134 MB resident for garbage that dies young. 16 MB (V8's
 * default for years) took `weft up` with 10,000 servers from about 620 MB to about 520 MB
 * resident (docs/benchmarks.md).
 */
export const weftNodeOptions: ReadonlyArray<string> = ["--max-semi-space-size=16"];
