/**
 * Heartbeats: each agent publishes on core NATS `<prefix>.heartbeat.<host>` every few seconds,
 * and a monitor in the control plane remembers when it last heard each host. Liveness is in
 * memory, never in the log (a beat every 2 s per host would drown it), so a monitor knows only
 * what it heard since it started: a host never heard from is given the benefit of the doubt for
 * one `downAfterMs` after the monitor starts (its agent may simply not have beaten yet), and is
 * down afterwards. Times are the monitor's own clock at receipt, never the sender's.
 */
import { Clock, Effect, Schedule } from "effect";
import { Nats } from "../bus/Nats.ts";
import { heartbeatCodec } from "./messages.ts";
import { defaultSubjectPrefix, heartbeatSubject, heartbeatWildcard } from "./names.ts";

export const defaultHeartbeatIntervalMs = 2_000;
export const defaultDownAfterMs = 10_000;

/** What the scheduler and the gateway (`compute service list`) ask about hosts. */
export interface HostLiveness {
  readonly isUp: (host: string) => boolean;
  /** Epoch milliseconds of the last beat heard, undefined when none was. */
  readonly lastSeen: (host: string) => number | undefined;
}

export interface PublishHeartbeatsOptions {
  readonly host: string;
  readonly subjectPrefix?: string;
  readonly intervalMs?: number;
  readonly hypervisorType?: string;
}

/** Beats until the scope closes, the first one at once. */
export const publishHeartbeats = Effect.fnUntraced(function* (options: PublishHeartbeatsOptions) {
  const { connection } = yield* Nats;
  const subject = heartbeatSubject(options.host, options.subjectPrefix);
  const startedAt = new Date(yield* Clock.currentTimeMillis).toISOString();
  const beat = heartbeatCodec.encode({ host: options.host, startedAt, hypervisorType: options.hypervisorType ?? "" });
  const publish = Effect.sync(() => {
    try {
      connection.publish(subject, beat);
    } catch {
      // Closed or reconnecting: a missed beat is what the monitor is there to notice.
    }
  });
  yield* publish.pipe(Effect.repeat(Schedule.spaced(options.intervalMs ?? defaultHeartbeatIntervalMs)), Effect.forkScoped);
});

export interface WatchHeartbeatsOptions {
  readonly subjectPrefix?: string;
  readonly downAfterMs?: number;
}

/** Listens until the scope closes. */
export const watchHeartbeats = Effect.fnUntraced(function* (options: WatchHeartbeatsOptions = {}) {
  const { connection } = yield* Nats;
  const clock = yield* Clock.Clock;
  const downAfterMs = options.downAfterMs ?? defaultDownAfterMs;
  const prefix = options.subjectPrefix ?? defaultSubjectPrefix;
  const hostOffset = `${prefix}.heartbeat.`.length;
  const startedAt = clock.currentTimeMillisUnsafe();
  const lastSeen = new Map<string, number>();

  yield* Effect.acquireRelease(
    Effect.sync(() =>
      connection.subscribe(heartbeatWildcard(prefix), {
        callback: (error, msg) => {
          if (error === null) lastSeen.set(msg.subject.slice(hostOffset), clock.currentTimeMillisUnsafe());
        },
      }),
    ),
    (subscription) => Effect.sync(() => subscription.unsubscribe()),
  );
  // Until the server has the subscription, beats sent now would be missed.
  yield* Effect.promise(() => connection.flush().catch(() => undefined));

  return {
    isUp: (host) => clock.currentTimeMillisUnsafe() - (lastSeen.get(host) ?? startedAt) < downAfterMs,
    lastSeen: (host) => lastSeen.get(host),
  } satisfies HostLiveness;
});
