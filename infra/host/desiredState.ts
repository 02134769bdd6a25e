/**
 * What a host should run, asked for by its agent after a (re)start and answered by the relay,
 * which folds it from the log: the agent never reads the store (ARCHITECTURE.md), and JetStream
 * alone cannot tell it (a stream that aged out or lost messages after a power cut, instructions
 * still unacknowledged from the agent's previous life for another ack-wait).
 */
import { Effect, Exit, type Scope } from "effect";
import { Nats } from "../bus/Nats.ts";
import { HostChannelUnavailable } from "./hostStream.ts";
import { desiredStateCodec, desiredStateRequestCodec, type DesiredState } from "./messages.ts";
import { defaultSubjectPrefix, desiredStateSubject, desiredStateWildcard, relayQueueGroup } from "./names.ts";

export interface RequestDesiredStateOptions {
  readonly subjectPrefix?: string;
  readonly timeoutMs?: number;
}

/** Fails with HostChannelUnavailable when no relay answers in time. */
export const requestDesiredState = (host: string, options: RequestDesiredStateOptions = {}) =>
  Nats.use(({ connection }) =>
    Effect.tryPromise({
      try: () => connection.request(desiredStateSubject(host, options.subjectPrefix), desiredStateRequestCodec.encode({ host }), { timeout: options.timeoutMs ?? 5_000 }),
      catch: (cause) => new HostChannelUnavailable({ message: `no relay answered for the desired state of ${host}: ${String(cause)}`, cause }),
    }).pipe(Effect.map((msg) => desiredStateCodec.decode(msg.data))),
  );

/** Answers desired-state requests with `answer` until the scope closes; replicas share the load. */
export const serveDesiredState = (
  answer: (host: string) => Effect.Effect<DesiredState, unknown>,
  subjectPrefix = defaultSubjectPrefix,
): Effect.Effect<void, never, Nats | Scope.Scope> =>
  Effect.gen(function* () {
    const { connection } = yield* Nats;
    const run = Effect.runCallbackWith(yield* Effect.context<never>());
    const hostOffset = `${subjectPrefix}.desired.`.length;
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        connection.subscribe(desiredStateWildcard(subjectPrefix), {
          queue: relayQueueGroup(subjectPrefix),
          callback: (error, msg) => {
            if (error !== null) return;
            run(answer(msg.subject.slice(hostOffset)), {
              onExit: (exit) => {
                // No answer on failure: the agent times out and asks again.
                if (Exit.isSuccess(exit)) msg.respond(desiredStateCodec.encode(exit.value));
                else run(Effect.logWarning(`desired state of ${msg.subject.slice(hostOffset)} not answered`, exit.cause));
              },
            });
          },
        }),
      ),
      (subscription) => Effect.promise(() => subscription.drain().catch(() => undefined)),
    );
    yield* Effect.promise(() => connection.flush().catch(() => undefined));
  });
