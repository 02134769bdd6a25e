/**
 * `npm run bench`: runs every `bench/*.bench.ts` one after another, each in its own Node process
 * (so one bench's heap, JIT state and servers never weigh on the next), passing their
 * `name: value` lines through. Exits non-zero if any bench fails. `node bench/main.ts identity
 * commands` runs only the benches whose names are given.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.includes(file.slice(0, -".bench.ts".length)))
  .sort();

const run = (file: string) =>
  new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [`${dir}${file}`], { stdio: "inherit", cwd: fileURLToPath(new URL("..", import.meta.url)) });
    child.once("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });

let failed = 0;
for (const file of benches) {
  console.log(`# ${file}`);
  const started = performance.now();
  const code = await run(file);
  console.log(`# ${file}: ${code === 0 ? "done" : `FAILED (exit ${code})`} in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
  if (code !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
