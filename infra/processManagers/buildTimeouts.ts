/**
 * Build timeouts (Nova's `instance_build_timeout`): a server still building `buildTimeoutMs`
 * after its build was recorded gets TimeOutServerBuild, so no build stays BUILD forever (an
 * agent killed mid-boot and never back, a lost instruction, a scheduler that is down).
 *
 * It keeps no checkpoint: at start it folds the builds still open from `$all` (requests minus
 * outcomes, a few event types read through the store's type filter), then follows `$all` live.
 * A restart therefore forgets nothing, and a timeout sent before a crash is either in the log
 * (the build is closed) or sent again with the same command id (`<build event id>:timeout`),
 * which appends nothing twice.
 */
import { Clock, Effect, Schedule, Schema, Stream } from "effect";
import { eventMetadataCodec, systemActor } from "@weft/proto";
import { CommandBus } from "../bus/index.ts";
import { computeCommandCodec, computeEventCodec } from "../contexts/compute.ts";
import { EventStore, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import { causedCommandId } from "../runtime/processManager.ts";

/** Published: a build request's timeout command id is `<event id>:<this>`. */
export const buildTimeoutStep = "timeout";

/** Nova's default `instance_build_timeout` is 0 (none); ten minutes keeps a stuck build visible without waiting forever. */
export const defaultBuildTimeoutMs = 10 * 60 * 1_000;

export interface BuildTimeoutOptions {
  readonly buildTimeoutMs?: number;
  /** How often open builds are checked; a tenth of the timeout by default, at most every 10 s. */
  readonly checkEveryMs?: number;
  readonly commandTimeoutMs?: number;
}

export class BuildTimeoutCommandFailed extends Schema.TaggedError<BuildTimeoutCommandFailed>()("BuildTimeoutCommandFailed", {
  serverId: Schema.String,
  code: Schema.String,
  message: Schema.String,
}) {}

export interface RunningBuildTimeouts {
  /** Builds open now, by server id. */
  readonly open: () => ReadonlySet<string>;
  /** The position of the last event folded. */
  readonly position: () => Position;
}

const opening = "ServerBuildRequested";
// Every event after which a server is no longer building.
const closing = ["ServerSpawned", "ServerBuildFailed", "ServerSpawnFailed", "ServerBuildTimedOut", "ServerDeletionRequested", "ServerDeleted"];
const eventTypes = [opening, ...closing];

interface OpenBuild {
  readonly serverId: string;
  readonly event: RecordedEvent;
  readonly deadline: number;
}

const serverIdOf = (recorded: RecordedEvent): string => (computeEventCodec.decode(recorded.type, recorded.data).data as { serverId: string }).serverId;

export const runBuildTimeouts = Effect.fnUntraced(function* (options: BuildTimeoutOptions = {}) {
  const store = yield* EventStore;
  const bus = yield* CommandBus;
  const timeoutMs = options.buildTimeoutMs ?? defaultBuildTimeoutMs;
  const checkEveryMs = options.checkEveryMs ?? Math.min(Math.max(timeoutMs / 10, 10), 10_000);

  // Insertion order is recording order, hence deadline order: a check stops at the first open one.
  const open = new Map<string, OpenBuild>();
  let folded: Position = 0;
  const fold = (recorded: RecordedEvent) => {
    const serverId = serverIdOf(recorded);
    if (recorded.type === opening) open.set(serverId, { serverId, event: recorded, deadline: recorded.recordedAt + timeoutMs });
    else open.delete(serverId);
    folded = recorded.position;
  };

  const head = yield* store.head;
  for (let after = 0; after < head;) {
    const page = yield* store.readAll(after, 1_000, { eventTypes });
    if (page.length === 0) break;
    for (const recorded of page) if (recorded.position <= head) fold(recorded);
    after = page.at(-1)!.position;
  }
  folded = head;

  const timeOut = (build: OpenBuild) =>
    Effect.gen(function* () {
      const { serverId } = build;
      const metadata = eventMetadataCodec.decode(build.event.metadata);
      const commandId = causedCommandId(build.event, buildTimeoutStep);
      const reply = yield* bus.send(
        "compute",
        {
          commandId,
          requestId: metadata.requestId,
          actor: systemActor,
          issuedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
          type: "TimeOutServerBuild",
          payload: computeCommandCodec.encode({ type: "TimeOutServerBuild", data: { serverId } }),
          correlationId: metadata.correlationId || commandId,
          causationId: build.event.id,
        },
        options.commandTimeoutMs === undefined ? undefined : { timeoutMs: options.commandTimeoutMs },
      );
      if (reply.outcome === "failed") return yield* new BuildTimeoutCommandFailed({ serverId, code: reply.failed.code, message: reply.failed.message });
      if (reply.outcome === "accepted" && reply.accepted.eventCount > 0 && !reply.accepted.duplicate) yield* Effect.logInfo(`build of server ${serverId} timed out after ${timeoutMs} ms`);
      // Accepted (or refused, which a server no longer building cannot be): this build is done with.
      if (open.get(serverId) === build) open.delete(serverId);
    });

  const check = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    const due: Array<OpenBuild> = [];
    for (const build of open.values()) {
      if (build.deadline > now) break;
      due.push(build);
    }
    // One failure (the bus down) leaves the rest for the next check.
    yield* Effect.forEach(due, (build) => timeOut(build).pipe(Effect.catch((error) => Effect.logWarning(`build timeout of ${build.serverId} not sent, retrying`, error))), {
      concurrency: 16,
      discard: true,
    });
  });

  yield* Stream.runForEach(store.subscribeAll(head, { eventTypes }), (recorded) => Effect.sync(() => fold(recorded))).pipe(
    Effect.catch((error) => Effect.logError("build timeouts stopped following $all", error)),
    Effect.forkScoped,
  );
  yield* check.pipe(Effect.repeat(Schedule.spaced(checkEveryMs)), Effect.forkScoped);
  return { open: () => new Set(open.keys()), position: () => folded } satisfies RunningBuildTimeouts;
});
