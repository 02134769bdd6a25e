/**
 * The subscriber side of `events.bench.ts`, in a process of its own so its work does not share
 * the gateway's event loop: `count` SSE connections to `/events/v1/stream` (ProjectCreated only).
 * Each event of the load is a project named `bench-<epoch ms when its command was sent>`; its lag
 * is the receipt time minus that. Connections are node:http requests (lighter than fetch's web
 * streams), frames are split with the client's `sseParser`, and the name is found in the JSON by
 * search, not `JSON.parse`: this process shares the 2 cores with the cloud, and should cost it as
 * little as it can (the bench reports what the full client costs per event separately).
 * Prints `ready` once every connection has seen a `warmup-*` project and `delivered` once each
 * has seen `bench-end`; then reads the store's append time of each event (JSON on stdin) and
 * prints one JSON line of results, lags from the command's send and from the event's append.
 * Usage: node bench/eventSubscribers.ts <gateway url> <token> <count>
 */
import { get } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { sseParser } from "@weft/infra/events";
import { Samples } from "./stats.ts";

const [url, token, countText] = process.argv.slice(2);
const count = Number(countText);
if (url === undefined || token === undefined || !Number.isSafeInteger(count)) throw new Error("usage: eventSubscribers.ts <url> <token> <count>");

const now = () => performance.timeOrigin + performance.now();
const lags = new Samples(1 << 20);
// Every delivery's position and receipt time, for the lag from append once the bench sends the
// times the store recorded.
const deliveredPositions = new Float64Array(1 << 21);
const deliveredAt = new Float64Array(1 << 21);
let deliveries = 0;
let outOfOrder = 0;
let warmedUp = 0;
let cpuAtFirst: NodeJS.CpuUsage | undefined;
let firstAt = 0;

const nameOf = (json: string) => {
  const start = json.indexOf('"name":"') + '"name":"'.length;
  return json.slice(start, json.indexOf('"', start));
};

/** One connection, read with node:http's data events (lighter than fetch's web streams). */
const follow = () =>
  new Promise<number>((resolve, reject) => {
    const request = get(`${url}/events/v1/stream?type=ProjectCreated`, { headers: { "x-auth-token": token }, agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      const parser = sseParser();
      let warm = false;
      let last = 0;
      let taken = 0;
      let ended = false;
      const take = (position: number, name: string) => {
        if (ended) return;
        if (position <= last) outOfOrder += 1;
        last = position;
        if (name.startsWith("warmup-")) {
          if (!warm) {
            warm = true;
            if (++warmedUp === count) console.log("ready");
          }
        } else if (name === "bench-end") {
          ended = true;
          request.destroy();
          resolve(taken);
        } else if (name.startsWith("bench-")) {
          if (cpuAtFirst === undefined) {
            cpuAtFirst = process.cpuUsage();
            firstAt = performance.now();
          }
          const at = now();
          lags.add(at - Number(name.slice("bench-".length)));
          deliveredPositions[deliveries] = position;
          deliveredAt[deliveries++] = at;
          taken += 1;
        }
      };
      response.on("data", (chunk: Buffer) => {
        for (const message of parser.push(chunk)) if (message.data !== undefined) take(Number(message.id), nameOf(message.data));
      });
      response.on("end", () => ended || reject(new Error("stream ended before bench-end")));
    });
    request.on("error", reject);
  });

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const received = await Promise.all(Array.from({ length: count }, follow));
const cpu = process.cpuUsage(cpuAtFirst);
const cpuShare = (cpu.user + cpu.system) / 1_000 / (performance.now() - firstAt);
loop.disable();

// Then the bench sends `{ position: recordedAt }` for the load's events on stdin.
console.log("delivered");
let input = "";
for await (const chunk of process.stdin) input += String(chunk);
const recordedAt = JSON.parse(input) as Record<string, number>;
const fromAppend = new Samples(deliveries);
for (let i = 0; i < deliveries; i++) fromAppend.add(deliveredAt[i]! - recordedAt[String(deliveredPositions[i])]!);

console.log(JSON.stringify({
  received,
  outOfOrder,
  p50: lags.percentile(50),
  p99: lags.percentile(99),
  max: lags.percentile(100),
  appendP50: fromAppend.percentile(50),
  appendP99: fromAppend.percentile(99),
  appendMax: fromAppend.percentile(100),
  samples: lags.count,
  cpuShare,
  loopDelayP99: loop.percentile(99) / 1e6,
}));
