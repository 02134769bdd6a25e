/**
 * The scheduler (docs/compute-design.md, Scheduling), a process manager: it follows `$all`, folds
 * its own view (`@weft/domain/scheduler`) from the events it sees, and on a build request claims
 * the server's resources on the best host in placement, then schedules the server there. No host
 * left fails the build with Nova's "No valid host was found." and gives the quota back. Deleted
 * servers give back their allocation and quota; servers failed on a host give back only their
 * allocation (Nova counts ERROR instances against quota until they are deleted).
 *
 * Every command's id derives from the event that caused it and, where a host is involved, from
 * the provider, so a redelivered event (a retry, a restart before the checkpoint) appends nothing
 * twice. Claims and schedules the scheduler makes are folded into its view at once, before the
 * recorded events come round in `$all`, so the next build in a burst already sees them.
 *
 * Several builds are placed at once (`concurrency`, default 32; a server's own events stay in
 * order). Each decision is synchronous, over the view plus the places the builds under way hold
 * (`withHeldPlaces`): a build holds its place before its claim is sent and lets go once the claim
 * and schedule are answered, so builds decided together never count the same room twice or put
 * two anti-affinity members on one host. Placement's claim stays the judge (it is atomic per
 * provider); a refusal (the view was behind: another replica's claims, a smaller inventory)
 * re-decides without that host.
 */
import { Clock, Effect, Schema } from "effect";
import type { ServerBuildRequested } from "@weft/domain/compute";
import { NO_VALID_HOST } from "@weft/domain/placement";
import {
  claimResources,
  evolveSchedulerView,
  initialSchedulerView,
  placeServer,
  providersHolding,
  schedulerViewEventTypes,
  withHeldPlaces,
  type HeldPlace,
  type SchedulerEvent,
  type SchedulerView,
} from "@weft/domain/scheduler";
import type { Message } from "@weft/domain/shared";
import { eventMetadataCodec, systemActor, type CommandReply, type PayloadCodec } from "@weft/proto";
import { CommandBus } from "../bus/index.ts";
import { computeCommandCodec, computeEventCodec } from "../contexts/compute.ts";
import { placementCommandCodec, placementEventCodec } from "../contexts/placement.ts";
import { EventStore, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import type { CheckpointStore } from "../runtime/checkpoints.ts";
import { causedCommandId, runProcessManager, type ProcessManager, type ProcessManagerOptions } from "../runtime/processManager.ts";

/** Published: it names the scheduler's checkpoint. */
export const schedulerName = "scheduler";

export interface SchedulerOptions extends ProcessManagerOptions {
  /**
   * Whether a host's agent is alive. Liveness is in memory, never in the log; until agents
   * heartbeat, every registered host is up.
   */
  readonly isUp?: (host: string) => boolean;
  /** How long each command waits for its reply; past it, the event is handled again. */
  readonly commandTimeoutMs?: number;
}

/**
 * Builds placed at once. Each waits for two command round trips, which take 100 ms and more
 * while the all-in-one's one thread is busy with a burst; 16 let the scheduler fall behind the
 * creates. Each decision folds the places held by the others (about 1 µs each with 10 hosts).
 */
export const defaultSchedulerConcurrency = 32;

/** A command the scheduler sent came back `failed` (the store was down…): the event is retried. */
export class SchedulerCommandFailed extends Schema.TaggedError<SchedulerCommandFailed>()("SchedulerCommandFailed", {
  commandType: Schema.String,
  code: Schema.String,
  message: Schema.String,
}) {}

export interface RunningScheduler {
  /** The position at or below which every event was handled. */
  readonly position: () => Position;
  /** Events under way: builds being placed, deletions giving back. */
  readonly inFlight: () => number;
  readonly view: () => SchedulerView;
}

/** Nova's fault for a build no host can take. */
const noValidHost = { code: 500, message: NO_VALID_HOST, details: "" };

const eventTypes: ReadonlySet<string> = new Set([...schedulerViewEventTypes, "ServerSpawnFailed", "ServerBuildTimedOut"]);

// Both codecs know only their own package's messages, and every type in `eventTypes` is in one.
const decode = (recorded: RecordedEvent): SchedulerEvent =>
  (placementEventCodec.has(recorded.type) ? placementEventCodec : computeEventCodec).decode(recorded.type, recorded.data) as SchedulerEvent;

const codecs: Readonly<Record<"compute" | "placement", PayloadCodec<Message>>> = { compute: computeCommandCodec, placement: placementCommandCodec };

/**
 * Runs the scheduler until the scope closes. Its view is rebuilt from `$all` up to the head
 * before the first event is handled, so events re-handled after a restart are decided against
 * what the cloud holds now (a claim made before the crash included), not against the past.
 */
export const runScheduler = Effect.fnUntraced(function* (options: SchedulerOptions) {
  const store = yield* EventStore;
  const bus = yield* CommandBus;
  const isUp = options.isUp ?? (() => true);

  let view = initialSchedulerView();
  // The position of the last event folded: a retried event, or one re-handled after a restart,
  // is folded once.
  let folded: Position = 0;

  const start = yield* options.checkpoints.load(schedulerName);
  const head = yield* store.head;
  for (let after = 0; after < head;) {
    const page = yield* store.readAll(after, 1_000, { eventTypes: [...schedulerViewEventTypes] });
    if (page.length === 0) break;
    for (const recorded of page) if (recorded.position <= head) view = evolveSchedulerView(view, decode(recorded));
    after = page.at(-1)!.position;
  }
  folded = head;

  const apply = (event: SchedulerEvent) => Effect.sync(() => void (view = evolveSchedulerView(view, event)));

  const send = (cause: RecordedEvent, step: string, context: keyof typeof codecs, command: Message) =>
    Effect.gen(function* () {
      const metadata = eventMetadataCodec.decode(cause.metadata);
      const commandId = causedCommandId(cause, step);
      const reply: CommandReply = yield* bus.send(
        context,
        {
          commandId,
          // The request that built the server, so its logs show what the scheduler did for it.
          requestId: metadata.requestId,
          actor: systemActor,
          issuedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
          type: command.type,
          payload: codecs[context].encode(command),
          correlationId: metadata.correlationId || commandId,
          causationId: cause.id,
        },
        options.commandTimeoutMs === undefined ? undefined : { timeoutMs: options.commandTimeoutMs },
      );
      if (reply.outcome === "failed") {
        return yield* Effect.fail(new SchedulerCommandFailed({ commandType: command.type, code: reply.failed.code, message: reply.failed.message }));
      }
      if (reply.outcome === "rejected") yield* Effect.logDebug(`${schedulerName}: ${command.type} refused: ${reply.rejected.tag} ${reply.rejected.message}`);
      return reply;
    });

  const releaseAllocation = (cause: RecordedEvent, step: string, providerId: string, consumerId: string) =>
    Effect.gen(function* () {
      const reply = yield* send(cause, step, "placement", { type: "ReleaseAllocation", data: { providerId, consumerId } });
      // Refused only for a provider that never existed: there is nothing to give back.
      if (reply.outcome === "accepted") yield* apply({ type: "AllocationReleased", data: { providerId, consumerId, resources: {} } });
    });

  const releaseAllocations = (cause: RecordedEvent, serverId: string, providerId: string) => {
    const providers = new Set(providersHolding(view, serverId));
    if (providerId !== "") providers.add(providerId);
    return Effect.forEach(providers, (id) => releaseAllocation(cause, `release:${id}`, id, serverId), { discard: true });
  };

  const releaseQuota = (cause: RecordedEvent, projectId: string, serverId: string) =>
    send(cause, "release-quota", "compute", { type: "ReleaseServerResources", data: { projectId, serverId } });

  const failBuild = (cause: RecordedEvent, build: ServerBuildRequested) =>
    Effect.gen(function* () {
      yield* Effect.logInfo(`${schedulerName}: no valid host for server ${build.serverId}`);
      const failed = yield* send(cause, "fail", "compute", { type: "FailServerBuild", data: { serverId: build.serverId, fault: noValidHost } });
      // Only a build this command failed gives its quota back: a server deleted meanwhile gives it
      // back on deletion, one timed out keeps it until deleted, one placed by an earlier delivery keeps it.
      if (failed.outcome === "accepted" && failed.accepted.eventCount > 0) yield* releaseQuota(cause, build.projectId, build.serverId);
    });

  // Places held by builds under way, by server: at most one each, as a server's events never overlap.
  const held = new Map<string, HeldPlace>();

  /** The best host not tried yet, over the view and the places other builds hold. */
  const nextHost = (build: ServerBuildRequested, tried: ReadonlySet<string>) => {
    const { request, hosts } = placeServer(held.size === 0 ? view : withHeldPlaces(view, held.values()), build, isUp);
    return { resources: claimResources(request.resources), host: hosts.find((host) => !tried.has(host.providerId)) };
  };

  /** Claims on the host, then schedules there: "refused" when the claim was, so another host is tried. */
  const claimAndSchedule = (cause: RecordedEvent, { claim, placement }: HeldPlace) =>
    Effect.gen(function* () {
      // Refused (InsufficientCapacity, AllocationConflict…): the view was behind placement; try the next host.
      const claimed = yield* send(cause, `claim:${claim.providerId}`, "placement", { type: "ClaimAllocation", data: claim });
      if (claimed.outcome !== "accepted") return "refused" as const;
      yield* apply({ type: "AllocationClaimed", data: claim });
      // Per provider: a redelivery that lands elsewhere must be decided, not answered as the first.
      const scheduled = yield* send(cause, `schedule:${claim.providerId}`, "compute", { type: "ScheduleServer", data: placement });
      if (scheduled.outcome === "accepted") {
        yield* apply({ type: "ServerScheduled", data: placement });
        return "scheduled" as const;
      }
      // Deleted or timed out while we claimed, or placed elsewhere by an earlier delivery: the claim is not needed.
      yield* releaseAllocation(cause, `unclaim:${claim.providerId}`, claim.providerId, claim.consumerId);
      return "settled" as const;
    });

  const schedule = (cause: RecordedEvent, build: ServerBuildRequested) =>
    Effect.gen(function* () {
      const tried = new Set<string>();
      for (;;) {
        const { resources, host } = nextHost(build, tried);
        if (host === undefined) return yield* failBuild(cause, build);
        tried.add(host.providerId);
        const place: HeldPlace = {
          claim: { providerId: host.providerId, consumerId: build.serverId, projectId: build.projectId, userId: build.userId, resources },
          placement: { serverId: build.serverId, host: host.host, providerId: host.providerId, availabilityZone: host.availabilityZone },
        };
        held.set(build.serverId, place);
        const outcome = yield* claimAndSchedule(cause, place).pipe(Effect.ensuring(Effect.sync(() => held.delete(build.serverId))));
        if (outcome !== "refused") return;
      }
    });

  // The fold happens here, in log order, when the runtime hands the event over; only the commands
  // run alongside other events' (and are what a failure retries).
  const handle = (recorded: RecordedEvent): Effect.Effect<void, unknown> => {
    const event = decode(recorded);
    if (recorded.position > folded) {
      view = evolveSchedulerView(view, event);
      folded = recorded.position;
    }
    switch (event.type) {
      case "ServerBuildRequested":
        return schedule(recorded, event.data);
      case "ServerDeleted":
        // Lazily: the holders are looked up once the build before it is done.
        return Effect.suspend(() => releaseAllocations(recorded, event.data.serverId, event.data.providerId)).pipe(
          Effect.andThen(releaseQuota(recorded, event.data.projectId, event.data.serverId)),
        );
      case "ServerSpawnFailed":
      case "ServerBuildTimedOut":
        return Effect.suspend(() => releaseAllocations(recorded, event.data.serverId, ""));
      default:
        return Effect.void;
    }
  };

  const manager: ProcessManager<never> = { name: schedulerName, eventTypes, handle };
  // The view was folded for the checkpoint just loaded: the runtime must start from that one.
  const checkpoints: CheckpointStore = { load: () => Effect.succeed(start), save: options.checkpoints.save };
  const running = yield* runProcessManager(manager, { concurrency: defaultSchedulerConcurrency, ...options, checkpoints });
  return { position: running.position, inFlight: running.inFlight, view: () => view } satisfies RunningScheduler;
});
