#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=100
/**
 * `weft`: the operator command and the composition root, the one place that imports gateways,
 * agents and infra together. `weft up` runs the all-in-one cloud; each subcommand runs until it
 * finishes or is interrupted, and SIGINT/SIGTERM close its resources before exit.
 */
import { spawnSync } from "node:child_process";
import { enableCompileCache } from "node:module";
import { constants } from "node:os";
import type { Effect as EffectType } from "effect";
import { restartArguments } from "./nodeOptions.ts";

// A folding command (replay, show, verify) started with `weft up`'s Node options runs again
// without them, before anything else is loaded (nodeOptions.ts says why).
const again = restartArguments(process.execArgv, process.argv);
if (again !== undefined) {
  const { status, signal } = spawnSync(process.execPath, again, { stdio: "inherit" });
  process.exit(status ?? 128 + (signal === null ? 0 : constants.signals[signal]));
}

// V8 keeps the compiled code of every module (effect alone is hundreds) in the OS temp dir, which
// halves start-up (1.2 s to 0.55 s on the reference machine). Modules imported statically are
// compiled before this line runs, so everything else is imported after it.
enableCompileCache();
const { Cause, Effect, Exit, Fiber } = await import("effect");

// Each command's module is loaded only when it runs: `weft up` does not load the replay engine,
// and `weft audit` does not load the gateway.
const commands: Record<string, () => Promise<EffectType.Effect<unknown, unknown>>> = {
  up: async () => (await import("./up.ts")).up,
  agent: async () => (await import("./agent.ts")).agent,
  meter: async () => (await import("./meter.ts")).meter,
  audit: async () => (await import("./audit.ts")).audit,
  replay: async () => (await import("./replay.ts")).replay,
  show: async () => (await import("./show.ts")).show,
  verify: async () => (await import("./replay.ts")).verify,
};

/** The help text, which reads every command's usage line from its module: loaded only to be shown. */
const usage = async () => {
  const [{ agentUsage }, { meterUsage }, { auditUsage }, { replayUsage, verifyUsage }, { showUsage }] = await Promise.all([
    import("./agent.ts"),
    import("./meter.ts"),
    import("./audit.ts"),
    import("./replay.ts"),
    import("./show.ts"),
  ]);
  return `usage: weft <command>

commands:
  up        run the all-in-one cloud (settings: WEFT_HTTP_PORT, WEFT_DATA_DIR, WEFT_NATS_URL,
            WEFT_EVENT_STORE, WEFT_ADMIN_PASSWORD, WEFT_HOST, WEFT_BUILD_TIMEOUT_MS; see README.md)
  agent     run compute host agents joined to a running cloud:
            ${agentUsage}
  replay    fold every read model from the log up to a time or position, print their hashes:
            ${replayUsage}
  show      print a resource as it was at a time:
            ${showUsage}
  verify    compare the read models in the data dir with a replay of the log (exit 1 on a difference):
            ${verifyUsage}
  audit     the audit trail of a resource, or what a user did, as CADF records, from the event log:
            ${auditUsage}
  meter     run the metering service apart from the gateway (weft up runs one in-process):
            ${meterUsage}
  help      show this help`;
};

const name = process.argv[2] ?? "help";
const load = commands[name];
if (load === undefined) {
  console.log(await usage());
  process.exit(name === "help" || name === "--help" ? 0 : 2);
}

const fiber = Effect.runFork(await load());
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  Effect.runFork(Fiber.interrupt(fiber));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

fiber.addObserver((exit) => {
  if (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) process.exit(0);
  const error = Cause.squash(exit.cause) as { readonly _tag?: string; readonly message?: string };
  if (error?._tag === "UsageError") {
    void usage().then((text) => {
      console.error(`weft ${name}: ${error.message}\n\n${text}`);
      process.exit(2);
    });
    return;
  }
  if (error?._tag === "CheckFailed") {
    console.error(`weft ${name}: ${error.message}`);
    process.exit(1);
  }
  console.error(`weft ${name} failed:\n${Cause.pretty(exit.cause)}`);
  process.exit(1);
});
