/**
 * `weft agent --host NAME --fake [--count N] [--boot-delay-ms MS] [--availability-zone ZONE]`:
 * host agents in a process of their own, joined to a running cloud (`weft up`, or its roles) by
 * WEFT_NATS_URL only. With `--count N` it runs N hosts NAME-1 … NAME-N in this one process, each
 * with its own fake hypervisor, so a many-host cloud runs on one machine. Its hosts register in
 * ZONE (`nova`, as the all-in-one's own host, by default), so `server create --availability-zone
 * ZONE` boots on them. The fake driver keeps its instances in `<WEFT_DATA_DIR>/fake/<host>.json`,
 * so a restarted agent finds what it booted.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Effect, Layer, Schema } from "effect";
import { makeFakeDriver } from "@weft/agents/drivers";
import { runHostAgent } from "@weft/agents/hostAgent";
import { Nats, natsCommandBusLayer } from "@weft/infra/bus";
import { checkHostName } from "@weft/infra/host";
import { weftConfig } from "./config.ts";

/** Bad arguments or settings: `weft` prints the message and the usage, no stack. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String,
}) {}

export const agentUsage = "weft agent --host NAME --fake [--count N] [--boot-delay-ms MS] [--availability-zone ZONE]   (needs WEFT_NATS_URL)";

export interface AgentArguments {
  readonly hosts: ReadonlyArray<string>;
  readonly bootDelayMs: number;
  readonly availabilityZone: string;
}

/** Nova's own default zone, which the all-in-one's host is in. */
export const DEFAULT_AVAILABILITY_ZONE = "nova";

const wholeNumber = (flag: string, text: string | undefined, fallback: number, min: number) => {
  if (text === undefined) return Effect.succeed(fallback);
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min ? Effect.succeed(value) : Effect.fail(new UsageError({ message: `${flag} must be a whole number of at least ${min}, got ${text}` }));
};

export const parseAgentArguments = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* Effect.try({
      try: () =>
        parseArgs({
          args: [...args],
          options: { host: { type: "string" }, fake: { type: "boolean" }, count: { type: "string" }, "boot-delay-ms": { type: "string" }, "availability-zone": { type: "string" } },
          strict: true,
        }).values,
      catch: (error) => new UsageError({ message: (error as Error).message }),
    });
    if (parsed.host === undefined) return yield* new UsageError({ message: "--host NAME is required" });
    // The only driver so far; a real one (QEMU/KVM) comes next and will be chosen the same way.
    if (parsed.fake !== true) return yield* new UsageError({ message: "--fake is required: the fake driver is the only compute driver yet" });
    const count = yield* wholeNumber("--count", parsed.count, 0, 1);
    const bootDelayMs = yield* wholeNumber("--boot-delay-ms", parsed["boot-delay-ms"], 0, 0);
    const availabilityZone = parsed["availability-zone"] ?? DEFAULT_AVAILABILITY_ZONE;
    // Nova reads `ZONE:HOST` in a boot request as a forced host, so a zone name cannot hold a colon.
    if (availabilityZone === "" || availabilityZone.includes(":")) {
      return yield* new UsageError({ message: `--availability-zone must be a non-empty name without ':', got "${availabilityZone}"` });
    }
    const hosts = count === 0 ? [parsed.host] : Array.from({ length: count }, (_, index) => `${parsed.host}-${index + 1}`);
    for (const host of hosts) yield* checkHostName(host).pipe(Effect.mapError((invalid) => new UsageError({ message: invalid.message })));
    return { hosts, bootDelayMs, availabilityZone } satisfies AgentArguments;
  });

export const agent = Effect.gen(function* () {
  const { hosts, bootDelayMs, availabilityZone } = yield* parseAgentArguments(process.argv.slice(3));
  const config = yield* weftConfig;
  if (config.natsUrl === undefined) {
    return yield* new UsageError({ message: "WEFT_NATS_URL is not set: an agent joins a running cloud through its NATS (weft up prints the URL)" });
  }
  const natsUrl = config.natsUrl;
  yield* Effect.gen(function* () {
    const agents = yield* Effect.forEach(
      hosts,
      (host) => runHostAgent({ host, availabilityZone, driver: makeFakeDriver({ bootDelayMs, stateFile: join(config.dataDir, "fake", `${host}.json`) }) }),
      { concurrency: 16 },
    );
    const named = hosts.length === 1 ? hosts[0] : `${hosts[0]} … ${hosts.at(-1)} (${hosts.length} hosts)`;
    console.log(`weft agent: ${named} registered with the fake driver in zone ${availabilityZone}, consuming instructions (NATS ${natsUrl})`);
    yield* Effect.logDebug(`reconciled: ${agents.map((a) => `${a.host} ${a.reconciliation.carriedOut.length} carried out`).join(", ")}`);
    return yield* Effect.never;
  }).pipe(Effect.scoped, Effect.provide(natsCommandBusLayer().pipe(Layer.provideMerge(Nats.layer(natsUrl)))));
});
