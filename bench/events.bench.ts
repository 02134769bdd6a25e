/**
 * SSE delivery under load, as the all-in-one runs it: a private nats-server, the sqlite store,
 * the command handlers and the gateway in this process; 100 subscribers (the subscriber client,
 * `bench/eventSubscribers.ts`) in a child process follow `/events/v1/stream` over HTTP while
 * CreateProject commands go through the bus at 1,000 a second for 10 s, each appending one event.
 * Lag is from the moment the store recorded an event's append (its `recordedAt`, ms resolution)
 * to the moment a subscriber has that event parsed, and also from the moment its command was sent;
 * every subscriber must receive every event, in order.
 * Run from the repository root: `node_modules/.bin/node bench/events.bench.ts`
 * (`WEFT_BENCH_SUBSCRIBERS=1` for the same load with one subscriber).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect, Fiber } from "effect";
import { runGateway } from "@weft/gateways";
import { CommandBus } from "@weft/infra/bus";
import { EventStore } from "@weft/infra/eventStore";
import { eventFrame, sseParser, toCloudEvent } from "@weft/infra/events";
import { startNatsServer } from "@weft/infra/nats";
import { createProjectCommand, identityEnvelope } from "../infra/testing/identityCommands.ts";
import { bootstrapIdentity, infrastructureLayer, serveCommandHandlers } from "../cli/roles.ts";
import { report } from "./stats.ts";

const SUBSCRIBERS = Number(process.env.WEFT_BENCH_SUBSCRIBERS ?? 100);
const RATE = 1_000;
const SECONDS = 10;
const TICK_MS = 10;
const PASSWORD = "bench-admin-password";

interface Results {
  readonly received: ReadonlyArray<number>;
  readonly outOfOrder: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly appendP50: number;
  readonly appendP99: number;
  readonly appendMax: number;
  readonly samples: number;
  /** CPU time of the subscriber process per second of wall time while the load ran. */
  readonly cpuShare: number;
  readonly loopDelayP99: number;
}

const login = async (url: string) => {
  const response = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: { identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: PASSWORD } } }, scope: { project: { name: "admin", domain: { id: "default" } } } } }),
  });
  const token = response.headers.get("x-subject-token");
  if (token === null) throw new Error(`admin login failed: ${response.status}`);
  return token;
};

/**
 * The subscriber process: `ready` when every subscription is live, `delivered` when all have the
 * whole load, `results` once `sendAppendTimes` has given it the store's append times.
 */
const startSubscribers = (url: string, token: string) => {
  const script = fileURLToPath(new URL("eventSubscribers.ts", import.meta.url));
  const child = spawn(process.execPath, [script, url, token, String(SUBSCRIBERS)], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  let signalReady: () => void;
  let signalDelivered: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  const delivered = new Promise<void>((resolve) => (signalDelivered = resolve));
  const results = new Promise<Results>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("ready\n")) signalReady();
      if (output.includes("delivered\n")) signalDelivered();
      const last = output.trim().split("\n").at(-1) ?? "";
      if (last.startsWith("{")) resolve(JSON.parse(last) as Results);
    });
    child.once("exit", (code) => reject(new Error(`subscribers exited (${code}) without results:\n${output}`)));
  });
  // Awaited only at the end: a failure before that is the bench's own, reported by it.
  results.catch(() => undefined);
  const sendAppendTimes = (times: Record<number, number>) => child.stdin.end(JSON.stringify(times));
  return { ready, delivered, results, sendAppendTimes, kill: () => child.kill() };
};

const bench = (dataDir: string) => Effect.gen(function* () {
  yield* serveCommandHandlers;
  const gateway = yield* runGateway({ host: "127.0.0.1", port: 0, tokenKey: randomBytes(32), dataDir });
  yield* bootstrapIdentity({ adminPassword: PASSWORD });
  const token = yield* Effect.promise(() => login(gateway.url));
  const bus = yield* CommandBus;
  const send = (name: string) =>
    Effect.flatMap(Effect.orDie(bus.send("identity", identityEnvelope(createProjectCommand(name)))), (reply) =>
      reply.outcome === "accepted" ? Effect.void : Effect.die(new Error(`CreateProject ${name}: ${JSON.stringify(reply)}`)));
  const now = () => performance.timeOrigin + performance.now();

  const subscribers = startSubscribers(gateway.url, token);
  yield* Effect.addFinalizer(() => Effect.sync(subscribers.kill));
  // Warm-up projects until every subscription has seen one: all are connected and following.
  const warmups = { sent: 0 };
  const warming = yield* Effect.forkChild(Effect.forever(Effect.suspend(() => Effect.andThen(send(`warmup-${warmups.sent++}`), Effect.sleep(20)))));
  yield* Effect.promise(() => subscribers.ready);
  yield* Fiber.interrupt(warming);

  const total = RATE * SECONDS;
  const perTick = (RATE * TICK_MS) / 1_000;
  const sends: Array<Fiber.Fiber<void>> = [];
  // Stalls of either event loop are where delivery lag comes from beyond the batching.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let tick = 0; tick < total / perTick; tick++) {
    const wait = started + tick * TICK_MS - performance.now();
    if (wait > 0) yield* Effect.sleep(wait);
    for (let i = 0; i < perTick; i++) sends.push(yield* Effect.forkChild(send(`bench-${now().toFixed(3)}`)));
  }
  yield* Fiber.joinAll(sends);
  const seconds = (performance.now() - started) / 1_000;
  const used = process.cpuUsage(cpu);
  loop.disable();
  yield* send("bench-end");
  yield* Effect.promise(() => subscribers.delivered);
  const recorded = yield* EventStore.use((store) => store.readAll(0, 2 * total));
  subscribers.sendAppendTimes(Object.fromEntries(recorded.map((event) => [event.position, event.recordedAt])));
  const results = yield* Effect.promise(() => subscribers.results);

  const delivered = results.received.reduce((a, b) => a + b, 0);
  report("events.sse.subscribers", SUBSCRIBERS);
  report("events.sse.appended_per_s", total / seconds);
  report("events.sse.delivered", delivered);
  report("events.sse.missed", total * SUBSCRIBERS - delivered);
  report("events.sse.out_of_order", results.outOfOrder);
  // From the append the store recorded (ms resolution), and from the command's send before it.
  report("events.sse.lag.p50_ms", results.appendP50, 2);
  report("events.sse.lag.p99_ms", results.appendP99, 2);
  report("events.sse.lag.max_ms", results.appendMax, 2);
  report("events.sse.lag_from_send.p50_ms", results.p50, 2);
  report("events.sse.lag_from_send.p99_ms", results.p99, 2);
  // This process (store, bus, handlers, gateway) and the subscribers' one, in cores.
  report("events.sse.server_cpu_cores", (used.user + used.system) / 1e6 / seconds, 2);
  report("events.sse.subscribers_cpu_cores", results.cpuShare, 2);
  report("events.sse.server_loop_delay.p99_ms", loop.percentile(99) / 1e6, 1);
  report("events.sse.subscribers_loop_delay.p99_ms", results.loopDelayP99, 1);

  // Per event, in this process on the load's own events: what the feed does once per event
  // (decode, redact, JSON, frame), and what the subscriber client does per event it receives.
  const encodeStart = performance.now();
  const frames = recorded.map((event) => {
    const cloudEvent = toCloudEvent(event);
    return eventFrame(event.position, cloudEvent.type, JSON.stringify(cloudEvent));
  });
  const encodeMs = performance.now() - encodeStart;
  const stream = Buffer.concat(frames);
  const parser = sseParser();
  let parsed = 0;
  const parseStart = performance.now();
  for (let offset = 0; offset < stream.byteLength; offset += 64 * 1024) {
    for (const message of parser.push(stream.subarray(offset, offset + 64 * 1024))) {
      if (message.data !== undefined && (JSON.parse(message.data) as { id?: string }).id !== undefined) parsed += 1;
    }
  }
  const parseMs = performance.now() - parseStart;
  report("events.feed.encode_us_per_event", (encodeMs * 1_000) / frames.length, 1);
  report("events.client.parse_us_per_event", (parseMs * 1_000) / parsed, 1);
  report("events.frame_bytes", stream.byteLength / frames.length);
});

const nats = await startNatsServer();
const dir = await mkdtemp(join(tmpdir(), "weft-bench-events-"));
try {
  await Effect.runPromise(bench(dir).pipe(Effect.scoped, Effect.provide(infrastructureLayer(nats.url, `sqlite:${join(dir, "events.sqlite")}`))));
} finally {
  await nats.stop();
  await rm(dir, { recursive: true, force: true });
}
