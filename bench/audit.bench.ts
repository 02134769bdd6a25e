/**
 * The audit trail over a large log: how fast the index folds a cold log (what the gateway does at
 * start and `weft audit` on every run), what the index costs in memory, and how long a server's
 * history and a user's recent actions take to answer. The log is written through the sqlite
 * store's own append (real codecs and metadata): 20 projects with a user each, then servers, 50
 * in flight, each living a whole life across three streams (its own, its project's quota, its
 * host's allocations): quota reserved, build requested, allocation claimed, scheduled, spawned,
 * stop requested, stopped, deletion requested, deleted, allocation and quota released (11 events;
 * 22,000 for the default 2,000 servers: each append is its own commit, so a larger log takes long
 * to write, and the figures scale with it: the fold is linear, a query reads only its own events).
 * Run from the repository root: `node_modules/.bin/node bench/audit.bench.ts [servers]`.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Effect } from "effect";
import type { Message } from "@weft/domain/shared";
import { makeAuditTrail } from "@weft/infra/audit";
import { computeEventCodec, placementEventCodec } from "@weft/infra/contexts";
import { EventStore, sqliteEventStoreLayer, type NewEvent } from "@weft/infra/eventStore";
import { eventMetadataCodec, systemActor, type Actor, type PayloadCodec } from "@weft/proto";
import { report, Samples } from "./stats.ts";

const SERVERS = Number(process.argv[2] ?? 2_000);
const IN_FLIGHT = 50;
const QUERIES = 500;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const hex = () => randomUUID().replaceAll("-", "");
const uuidOf = (id: string) => `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
const projects = Array.from({ length: 20 }, () => {
  const id = hex();
  const user: Actor = { userId: hex(), userName: "bench", projectId: id, domainId: "default", roles: ["member"], systemScope: false };
  return { id, user };
});
const providers = Array.from({ length: 10 }, () => randomUUID());
const start = Date.now() - SERVERS * 11 * 10;
let clock = 0;

const event = (codec: PayloadCodec<Message>, message: Message, actor: Actor, command: string): NewEvent => {
  const commandId = randomUUID();
  const occurredAt = new Date(start + 10 * clock++).toISOString();
  return {
    type: message.type,
    data: codec.encode(message),
    metadata: eventMetadataCodec.encode({ commandId, requestId: `req-${randomUUID()}`, correlationId: commandId, causationId: commandId, actor, occurredAt, commandType: command }),
  };
};

/** One server's life, as (stream, event) steps in the order the cloud records them. */
function* serverLife(index: number): Generator<readonly [string, NewEvent]> {
  const serverId = randomUUID();
  const project = projects[index % projects.length]!;
  const provider = providers[index % providers.length]!;
  const quota = `quota-${uuidOf(project.id)}`;
  const server = `server-${serverId}`;
  const host = `resourceProvider-${provider}`;
  const user = project.user;
  const resources = { projectId: project.id, serverId, instances: 1, cores: 1, ramMb: 512 };
  const allocation = { providerId: provider, consumerId: serverId, projectId: project.id, userId: user.userId, resources: { VCPU: 1, MEMORY_MB: 512 } };
  yield [quota, event(computeEventCodec, { type: "ServerResourcesReserved", data: resources }, user, "ReserveServerResources")];
  yield [server, event(computeEventCodec, { type: "ServerBuildRequested", data: { serverId, projectId: project.id, userId: user.userId, name: `s-${index}` } }, user, "RequestServerBuild")];
  yield [host, event(placementEventCodec as PayloadCodec<Message>, { type: "AllocationClaimed", data: allocation }, systemActor, "ClaimAllocation")];
  yield [server, event(computeEventCodec, { type: "ServerScheduled", data: { serverId, host: "node", providerId: provider } }, systemActor, "ScheduleServer")];
  yield [server, event(computeEventCodec, { type: "ServerSpawned", data: { serverId } }, systemActor, "ReportServerSpawned")];
  yield [server, event(computeEventCodec, { type: "ServerStopRequested", data: { serverId, host: "node" } }, user, "StopServer")];
  yield [server, event(computeEventCodec, { type: "ServerStopped", data: { serverId } }, systemActor, "ReportServerStopped")];
  yield [server, event(computeEventCodec, { type: "ServerDeletionRequested", data: { serverId, host: "node" } }, user, "DeleteServer")];
  yield [server, event(computeEventCodec, { type: "ServerDeleted", data: { serverId, projectId: project.id, providerId: provider } }, systemActor, "ReportServerDestroyed")];
  yield [host, event(placementEventCodec as PayloadCodec<Message>, { type: "AllocationReleased", data: { providerId: provider, consumerId: serverId } }, systemActor, "ReleaseAllocation")];
  yield [quota, event(computeEventCodec, { type: "ServerResourcesReleased", data: { projectId: project.id, serverId } }, systemActor, "ReleaseServerResources")];
}

const dir = await mkdtemp(join(tmpdir(), "weft-audit-bench-"));
try {
  await Effect.runPromise(
    Effect.gen(function* () {
      const store = yield* EventStore;
      // IN_FLIGHT lives interleaved, a new one starting as one ends, so a server's events are spread over the log.
      const lives: Array<Generator<readonly [string, NewEvent]>> = [];
      const serverIds: Array<string> = [];
      let started = 0;
      const begin = () => lives.push(serverLife(started++));
      for (let i = 0; i < IN_FLIGHT; i++) begin();
      let written = 0;
      while (lives.length > 0) {
        for (let i = 0; i < lives.length; i++) {
          const next = lives[i]!.next();
          if (next.done) {
            lives.splice(i--, 1);
            if (started < SERVERS) begin();
            continue;
          }
          const [stream, recorded] = next.value;
          if (stream.startsWith("server-") && recorded.type === "ServerBuildRequested") serverIds.push(stream.slice("server-".length));
          yield* store.append(stream, "any", [recorded]);
          written += 1;
        }
      }
      report("audit log events", written);

      const before = heapMb();
      const trail = yield* makeAuditTrail();
      const folding = performance.now();
      yield* Effect.promise(() => trail.catchUp());
      const foldMs = performance.now() - folding;
      report("audit index cold fold events/s", Math.round(written / (foldMs / 1000)));
      report("audit index heap MB", Math.round((heapMb() - before) * 10) / 10);
      report("audit index heap bytes per event", Math.round(((heapMb() - before) * 1024 * 1024) / written));

      const history = new Samples(QUERIES);
      for (let i = 0; i < QUERIES; i++) {
        const id = serverIds[Math.floor(Math.random() * serverIds.length)]!;
        const began = performance.now();
        const page = yield* Effect.promise(() => trail.history(id, { limit: 1000 }));
        history.add(performance.now() - began);
        if (page?.records.length !== 11) throw new Error(`history of ${id}: ${page?.records.length} records, expected 11`);
      }
      report("audit server history p50 ms", history.percentile(50), 2);
      report("audit server history p99 ms", history.percentile(99), 2);

      // A user's last hour of actions: ~1/20 of the users' events, the newest first page of 1000.
      const since = start + 10 * (clock - 360_000);
      const actions = new Samples(QUERIES / 10);
      for (let i = 0; i < QUERIES / 10; i++) {
        const user = projects[i % projects.length]!.user.userId;
        const began = performance.now();
        const page = yield* Effect.promise(() => trail.actions(user, { limit: 1000, since }));
        actions.add(performance.now() - began);
        if (page.records.length === 0) throw new Error(`no actions of ${user}`);
      }
      report("audit user actions since (page of up to 1000) p50 ms", actions.percentile(50), 2);
      report("audit user actions since (page of up to 1000) p99 ms", actions.percentile(99), 2);
    }).pipe(Effect.scoped, Effect.provide(sqliteEventStoreLayer(join(dir, "events.sqlite")))),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
