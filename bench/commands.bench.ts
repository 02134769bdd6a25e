/**
 * Command round trip as the all-in-one runs it: a private nats-server, the sqlite store in a temp
 * dir, the identity command handler served on the bus (`serveCommandHandlers` of cli/roles.ts)
 * and commands sent on the same connection, as the all-in-one's gateway sends them. After the
 * bootstrap: CreateProject commands one at a time (each awaited), then with 64 in flight. Every
 * command is decided against the one identity directory and appended durably before its reply.
 * Run from the repository root: `node_modules/.bin/node bench/commands.bench.ts`.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { CommandBus } from "@weft/infra/bus";
import { startNatsServer } from "@weft/infra/nats";
import { createProjectCommand, identityEnvelope } from "../infra/testing/identityCommands.ts";
import type { CommandReply } from "@weft/proto";
import { bootstrapIdentity, infrastructureLayer, serveCommandHandlers } from "../cli/roles.ts";
import { report, Samples } from "./stats.ts";

const WARMUP = 1_000;
const SEQUENTIAL = 5_000;
const CONCURRENT = 20_000;
const IN_FLIGHT = 64;

let created = 0;
const createProject = () => identityEnvelope(createProjectCommand(`bench-${created++}`));

const expectAccepted = (reply: CommandReply) => {
  if (reply.outcome !== "accepted" || reply.accepted.duplicate || reply.accepted.eventCount !== 1) {
    throw new Error(`CreateProject not accepted: ${JSON.stringify(reply)}`);
  }
};

const bench = Effect.gen(function* () {
  yield* serveCommandHandlers;
  const bus = yield* CommandBus;
  yield* bootstrapIdentity({ adminPassword: randomUUID() });

  const timedSend = Effect.fnUntraced(function* (samples: Samples) {
    const envelope = createProject();
    const start = performance.now();
    const reply = yield* bus.send("identity", envelope);
    samples.add(performance.now() - start);
    expectAccepted(reply);
  });

  const warmup = new Samples(WARMUP);
  for (let i = 0; i < WARMUP; i++) yield* timedSend(warmup);

  const sequential = new Samples(SEQUENTIAL);
  const sequentialStart = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) yield* timedSend(sequential);
  const sequentialSeconds = (performance.now() - sequentialStart) / 1_000;

  const concurrent = new Samples(CONCURRENT);
  const cpu = process.cpuUsage();
  const concurrentStart = performance.now();
  yield* Effect.forEach(Array.from({ length: CONCURRENT }), () => timedSend(concurrent), { concurrency: IN_FLIGHT, discard: true });
  const concurrentSeconds = (performance.now() - concurrentStart) / 1_000;
  const used = process.cpuUsage(cpu);

  report("commands.roundtrip.sequential.p50_ms", sequential.percentile(50), 3);
  report("commands.roundtrip.sequential.p99_ms", sequential.percentile(99), 3);
  report("commands.roundtrip.sequential.per_s", SEQUENTIAL / sequentialSeconds);
  report(`commands.inflight${IN_FLIGHT}.per_s`, CONCURRENT / concurrentSeconds);
  report(`commands.inflight${IN_FLIGHT}.p50_ms`, concurrent.percentile(50), 2);
  report(`commands.inflight${IN_FLIGHT}.p99_ms`, concurrent.percentile(99), 2);
  // Sender, handler and store share this process: the CPU of a whole command, both ends.
  report(`commands.inflight${IN_FLIGHT}.cpu_us_per_command`, (used.user + used.system) / CONCURRENT);
  report("commands.directory.projects", created + 1);
});

const dir = await mkdtemp(join(tmpdir(), "weft-bench-commands-"));
const nats = await startNatsServer();
try {
  await Effect.runPromise(bench.pipe(Effect.scoped, Effect.provide(infrastructureLayer(nats.url, `sqlite:${join(dir, "events.sqlite")}`))));
} finally {
  await nats.stop();
  await rm(dir, { recursive: true, force: true });
}
