/**
 * The relay (docs/compute-design.md, Relay and agents): follows `$all` from its checkpoint and
 * publishes each host-addressed event as a HostInstruction to JetStream
 * `<prefix>.host.<host>.<EventType>`, so agents, which never read the store, catch up after
 * downtime from their durable consumers. It enriches a ServerScheduled with the instance's spec
 * from the server's own stream, and turns a build that timed out on a host into a destroy.
 *
 * Up to `concurrency` events are published at once (default 32), one server's in log order, so
 * an agent never sees a server's destroy before its spawn; different servers' may interleave.
 * The event id is the JetStream message id, so the stream's duplicate window drops a re-publish
 * after a restart; and since every message carries its event's position and the position
 * through which everything was published when it was sent, a restarted relay resumes from the
 * latter or its checkpoint, whichever is later, offering again at most what was under way.
 *
 * It also folds the host view up to the head before it starts, and answers agents' desired-state
 * requests from it, so a restarted agent can reconcile without the store.
 */
import { jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { Effect } from "effect";
import { serverStream, type RequestServerBuild } from "@weft/domain/compute";
import { Nats } from "../bus/Nats.ts";
import { relayedThroughHeader, relayStartPosition } from "../bus/relayedStream.ts";
import { computeEventCodec } from "../contexts/compute.ts";
import { EventStore, type Position, type RecordedEvent } from "../eventStore/EventStore.ts";
import { serveDesiredState } from "../host/desiredState.ts";
import { ensureHostStream, HostChannelUnavailable, positionHeader } from "../host/hostStream.ts";
import { hostInstructionCodec, type DesiredState, type HostInstruction, type SpawnInstance } from "../host/messages.ts";
import { defaultSubjectPrefix, hostStreamName, hostSubject, isValidHostName } from "../host/names.ts";
import type { CheckpointStore } from "../runtime/checkpoints.ts";
import { runProcessManager, type ProcessManager, type ProcessManagerOptions } from "../runtime/processManager.ts";
import {
  causeOf,
  evolveHostView,
  hostOf,
  hostViewEventTypes,
  initialHostView,
  pendingOf,
  serversOn,
  type EventCause,
  type HostViewEvent,
  type PendingInstruction,
} from "./hostView.ts";

/** Published: it names the relay's checkpoint. */
export const relayName = "relay";

/** Events published at once: JetStream acknowledgements are waited for side by side. */
export const defaultRelayConcurrency = 32;

export interface RelayOptions extends ProcessManagerOptions {
  /** First subject token, as for the command bus; "weft" unless tests isolate control planes. */
  readonly subjectPrefix?: string;
}

export interface RunningRelay {
  /** The position at or below which every event was handled. */
  readonly position: () => Position;
  /** Instructions published (duplicates the stream dropped included) since start. */
  readonly published: () => number;
}

const eventTypes: ReadonlySet<string> = new Set(hostViewEventTypes);

const decode = (recorded: RecordedEvent) => computeEventCodec.decode(recorded.type, recorded.data) as HostViewEvent;

/** The spec an agent boots from: the build request's flavor and image, and the server's latest name. */
const spawnSpec = (build: RequestServerBuild, name: string): SpawnInstance => ({
  name,
  vcpus: build.flavor.vcpus,
  ramMb: build.flavor.ramMb,
  // A flavor without a root disk boots at the image's min_disk, as in Nova.
  diskGb: build.flavor.diskGb > 0 ? build.flavor.diskGb : build.image.minDiskGb,
  ephemeralGb: build.flavor.ephemeralGb,
  swapMb: build.flavor.swapMb,
  imageId: build.image.imageId,
  keyPublicKey: build.keyPublicKey,
  flavorId: build.flavor.flavorId,
});

export const runRelay = Effect.fnUntraced(function* (options: RelayOptions) {
  const store = yield* EventStore;
  const { connection } = yield* Nats;
  const prefix = options.subjectPrefix ?? defaultSubjectPrefix;
  const streamName = hostStreamName(prefix);
  const js = jetstream(connection);

  yield* ensureHostStream(connection, prefix);

  const view = initialHostView();
  let folded: Position = 0;
  const head = yield* store.head;
  for (let after = 0; after < head;) {
    const page = yield* store.readAll(after, 1_000, { eventTypes: hostViewEventTypes });
    if (page.length === 0) break;
    for (const recorded of page) if (recorded.position <= head) evolveHostView(view, decode(recorded), causeOf(recorded));
    after = page.at(-1)!.position;
  }
  folded = head;
  const start = yield* relayStartPosition({ relay: relayName, connection, streamName, checkpoint: yield* options.checkpoints.load(relayName), head });

  const readSpec = (serverId: string) =>
    Effect.map(store.read(serverStream(serverId)), (recorded) => {
      let build: RequestServerBuild | undefined;
      let name = "";
      for (const event of recorded) {
        if (event.type === "ServerBuildRequested") {
          build = computeEventCodec.decode(event.type, event.data).data as RequestServerBuild;
          name = build.name;
        } else if (event.type === "ServerRenamed") {
          name = (computeEventCodec.decode(event.type, event.data).data as { name: string }).name;
        }
      }
      return build === undefined ? undefined : spawnSpec(build, name);
    });

  const instructionOf = (serverId: string, pending: PendingInstruction) =>
    Effect.gen(function* () {
      const base = { eventId: pending.eventId, serverId, requestId: pending.requestId, correlationId: pending.correlationId };
      switch (pending.eventType) {
        case "ServerScheduled": {
          const spawn = yield* readSpec(serverId);
          if (spawn === undefined) {
            yield* Effect.logError(`${relayName}: server ${serverId} was scheduled but has no build request; not spawned`);
            return undefined;
          }
          return { ...base, action: "spawn", spawn } satisfies HostInstruction;
        }
        case "ServerStopRequested":
          return { ...base, action: "stop", stop: {} } satisfies HostInstruction;
        case "ServerStartRequested":
          return { ...base, action: "start", start: {} } satisfies HostInstruction;
        case "ServerRebootRequested":
          return { ...base, action: "reboot", reboot: { hard: pending.hard } } satisfies HostInstruction;
        case "ServerDeletionRequested":
        case "ServerBuildTimedOut":
          return { ...base, action: "destroy", destroy: {} } satisfies HostInstruction;
        default:
          return undefined;
      }
    });

  yield* serveDesiredState(
    (host) =>
      Effect.gen(function* () {
        const position = folded;
        const instances = yield* Effect.forEach(serversOn(view, host), (server) =>
          Effect.map(server.pending === undefined ? Effect.succeed(undefined) : instructionOf(server.serverId, server.pending), (pending) => ({
            serverId: server.serverId,
            power: server.power === "running" ? "DESIRED_POWER_RUNNING" as const : server.power === "shutoff" ? "DESIRED_POWER_SHUTOFF" as const : "DESIRED_POWER_UNSPECIFIED" as const,
            pending: pending ?? null,
          })),
        );
        return { host, position, instances } satisfies DesiredState;
      }),
    prefix,
  );

  // The host and the pending instruction an event means, or undefined when it asks nothing of a host.
  const addressed = (event: HostViewEvent, cause: () => EventCause): { host: string; pending: PendingInstruction } | undefined => {
    switch (event.type) {
      case "ServerScheduled":
      case "ServerStopRequested":
      case "ServerStartRequested":
      case "ServerDeletionRequested":
        return event.data.host === "" ? undefined : { host: event.data.host, pending: pendingOf(event.type, cause()) };
      case "ServerRebootRequested":
        return { host: event.data.host, pending: pendingOf(event.type, cause(), event.data.hard) };
      case "ServerBuildTimedOut": {
        // Known while the server is not deleted: a failed server stays in the view.
        const host = hostOf(view, event.data.serverId);
        return host === undefined ? undefined : { host, pending: pendingOf(event.type, cause()) };
      }
      default:
        return undefined;
    }
  };

  let published = 0;
  // The runtime's settled position once it runs; before, the start (nothing is published yet).
  let publishedThrough = (): Position => start;
  const publish = (recorded: RecordedEvent, host: string, instruction: HostInstruction) => {
    const send = Effect.tryPromise({
      try: () => {
        const h = headers();
        h.set(positionHeader, String(recorded.position));
        h.set(relayedThroughHeader, String(publishedThrough()));
        return js.publish(hostSubject(host, recorded.type, prefix), hostInstructionCodec.encode(instruction), { msgID: recorded.id, headers: h });
      },
      catch: (cause) => new HostChannelUnavailable({ message: `cannot publish ${recorded.type} for ${host}: ${String(cause)}`, cause }),
    });
    // The stream may have been deleted under us (an operator, a lost JetStream store): set it up again.
    return send.pipe(
      Effect.catch(() => ensureHostStream(connection, prefix).pipe(Effect.andThen(send))),
      Effect.tap(() => Effect.sync(() => void (published += 1))),
    );
  };

  // The view is folded here, in log order, as the runtime hands the event over; only reading
  // the spec and publishing run alongside other events'.
  const handle = (recorded: RecordedEvent): Effect.Effect<void, unknown> => {
    const event = decode(recorded);
    const cause = causeOf(recorded);
    // Resolved before folding: a timed-out build's host is read from the view.
    const target = addressed(event, cause);
    if (recorded.position > folded) {
      evolveHostView(view, event, cause);
      folded = recorded.position;
    }
    if (target === undefined) return Effect.void;
    if (!isValidHostName(target.host)) {
      return Effect.logWarning(`${relayName}: ${recorded.type} ${recorded.id} names host ${JSON.stringify(target.host)}, not a valid host name; not relayed`);
    }
    return Effect.flatMap(instructionOf(event.data.serverId, target.pending), (instruction) =>
      instruction === undefined ? Effect.void : publish(recorded, target.host, instruction));
  };

  const manager: ProcessManager<never> = { name: relayName, eventTypes, handle };
  const checkpoints: CheckpointStore = { load: () => Effect.succeed(start), save: options.checkpoints.save };
  const running = yield* runProcessManager(manager, { concurrency: defaultRelayConcurrency, ...options, checkpoints });
  publishedThrough = running.position;
  return { position: running.position, published: () => published } satisfies RunningRelay;
});
