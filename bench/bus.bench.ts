/**
 * Command bus bench: a private nats-server, one handler replica that replies at once, and a
 * sender on its own connection, as gateway and handlers would be. Measures the sequential round
 * trip (p50/p99 in microseconds) and throughput with 64 commands in flight (with the process's
 * CPU per command), and prints `name: value` lines. Run from the repository root: `npx node bench/bus.bench.ts`.
 */
import { randomUUID } from "node:crypto";
import { Context, Effect, Layer } from "effect";
import { systemActor, type CommandEnvelope, type CommandReply } from "@weft/proto";
import { CommandBus, Nats, natsCommandBusLayer } from "@weft/infra/bus";
import { startNatsServer } from "@weft/infra/nats";

const warmup = 2_000;
const sequentialCount = 5_000;
const throughputCount = 50_000;
const inFlight = 64;

const reply: CommandReply = {
  outcome: "accepted",
  accepted: { stream: "bench-00000000-0000-0000-0000-000000000000", revision: 3, position: 1234, duplicate: false, eventCount: 1 },
};

// A realistic envelope: ids, an actor and a small payload, each command with its own id.
const envelope = (): CommandEnvelope => ({
  commandId: randomUUID(),
  requestId: `req-${randomUUID()}`,
  actor: systemActor,
  issuedAt: "2025-01-01T00:00:00.000Z",
  type: "BenchCommand",
  payload: new Uint8Array(64),
  correlationId: randomUUID(),
  causationId: "",
});

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const participant = (url: string) =>
  Effect.map(
    Layer.build(natsCommandBusLayer().pipe(Layer.provide(Nats.layer(url)))),
    (context) => Context.get(context, CommandBus),
  );

const bench = (url: string) =>
  Effect.scoped(Effect.gen(function* () {
    const handlers = yield* participant(url);
    const sender = yield* participant(url);
    yield* handlers.serve("bench", () => Effect.succeed(reply));

    for (let i = 0; i < warmup; i++) yield* sender.send("bench", envelope());

    const samples = new Float64Array(sequentialCount);
    for (let i = 0; i < sequentialCount; i++) {
      const command = envelope();
      const start = performance.now();
      yield* sender.send("bench", command);
      samples[i] = (performance.now() - start) * 1_000;
    }
    const sorted = Array.from(samples).sort((a, b) => a - b);

    const commands = Array.from({ length: throughputCount }, envelope);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    yield* Effect.forEach(commands, (command) => sender.send("bench", command), { concurrency: inFlight, discard: true });
    const seconds = (performance.now() - start) / 1_000;
    const cpu = process.cpuUsage(cpu0);

    return [
      `bus.roundtrip.sequential.p50_us: ${Math.round(percentile(sorted, 50))}`,
      `bus.roundtrip.sequential.p99_us: ${Math.round(percentile(sorted, 99))}`,
      `bus.throughput.inflight${inFlight}.commands_per_s: ${Math.round(throughputCount / seconds)}`,
      // Sender and handler share this process, so this is the CPU of both ends of one command.
      `bus.throughput.inflight${inFlight}.cpu_us_per_command: ${Math.round((cpu.user + cpu.system) / throughputCount)}`,
    ];
  }));

const server = await startNatsServer();
try {
  for (const line of await Effect.runPromise(bench(server.url))) console.log(line);
} finally {
  await server.stop();
}
