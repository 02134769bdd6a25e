/**
 * The host agent (docs/compute-design.md, Relay and agents): one per compute host, joined to the
 * control plane by NATS only. In order: it checks its host name (a NATS subject token), starts
 * heartbeating, registers the host in placement, reconciles the driver with the desired state
 * the relay answers, and then drains its durable JetStream consumer, carrying out each
 * instruction with the compute driver and reporting the outcome by command.
 *
 * Instructions for one server are carried out one at a time in arrival order (a destroy never
 * overtakes the spawn before it); different servers proceed in parallel. An instruction is
 * acknowledged only after its report was answered; until then it is retried in place with
 * backoff (telling JetStream it is still being worked on), never handed back, which would let
 * the server's next instruction overtake it. A refused report settles the instruction. On stop
 * it stops consuming first and gives the instructions under way `stopGraceMs` to be acknowledged.
 */
import { Effect, Fiber, FiberSet, Schedule } from "effect";
import type { CommandBus } from "@weft/infra/bus";
import { Nats } from "@weft/infra/bus";
import {
  checkHostName,
  consumeInstructions,
  ensureAgentConsumer,
  ensureHostStream,
  publishHeartbeats,
  requestDesiredState,
  workingEveryMs,
  type InstructionDelivery,
} from "@weft/infra/host";
import type { ComputeDriverShape } from "../drivers/index.ts";
import { carryOut, makeMemory, type CarryOutOptions } from "./carryOut.ts";
import { reconcile, type Reconciliation } from "./reconcile.ts";
import { registerHost } from "./registration.ts";

export interface HostAgentOptions {
  /** Letters, digits, '-' and '_'. */
  readonly host: string;
  readonly driver: ComputeDriverShape;
  /** As for the command bus: "weft" unless tests isolate control planes. */
  readonly subjectPrefix?: string;
  readonly heartbeatIntervalMs?: number;
  readonly availabilityZone?: string;
  readonly commandTimeoutMs?: number;
  /**
   * On stop, how long instructions under way may take to finish and be acknowledged before they
   * are interrupted (then redelivered after the ack wait, and reconciled on the next start).
   */
  readonly stopGraceMs?: number;
}

export interface RunningHostAgent {
  readonly host: string;
  readonly providerId: string;
  /** What the start-up reconciliation did. */
  readonly reconciliation: Reconciliation;
  /** Instructions received and not yet settled. */
  readonly pending: () => number;
}

// From 100 ms, never more than 5 s apart: the control plane may be starting or restarting.
const backoff = Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")]);

const untilAnswered = <A, E extends { readonly message: string }, R>(what: string, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.tapError((error) => Effect.logWarning(`${what}: ${error.message}; trying again`)),
    Effect.retry(backoff),
  );

/** Runs the agent until the scope closes; returns once it consumes its instructions. */
export const runHostAgent = Effect.fnUntraced(function* (options: HostAgentOptions) {
  const host = yield* checkHostName(options.host);
  const { connection } = yield* Nats;
  const { driver } = options;
  const prefix = options.subjectPrefix;
  const capacity = yield* driver.capacity;

  yield* publishHeartbeats({
    host,
    hypervisorType: capacity.hypervisorType,
    ...(prefix === undefined ? {} : { subjectPrefix: prefix }),
    ...(options.heartbeatIntervalMs === undefined ? {} : { intervalMs: options.heartbeatIntervalMs }),
  });
  const sendOptions = options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs };
  const providerId = yield* untilAnswered(
    `registering host ${host}`,
    registerHost({ host, availabilityZone: options.availabilityZone ?? "nova", capacity, ...sendOptions }).pipe(
      // A refusal will not change by asking again.
      Effect.catchTag("RegistrationRefused", (refused) => Effect.die(new Error(`host ${host} cannot register: ${refused.message}`))),
    ),
  );
  yield* untilAnswered(`setting up the host stream for ${host}`, Effect.andThen(ensureHostStream(connection, prefix), ensureAgentConsumer(connection, host, prefix)));

  const carryOutOptions: CarryOutOptions = { driver, memory: makeMemory(), ...sendOptions };
  const desired = yield* untilAnswered(`waiting for the relay to tell host ${host} what to run`, requestDesiredState(host, prefix === undefined ? {} : { subjectPrefix: prefix }));
  const reconciliation = yield* untilAnswered(`reconciling host ${host}`, reconcile(desired, carryOutOptions));
  yield* Effect.logInfo(
    `host ${host} reconciled at position ${reconciliation.position}: ${desired.instances.length} expected, ` +
      `${reconciliation.destroyed.length} destroyed, ${reconciliation.carriedOut.length} carried out, ` +
      `${reconciliation.powered.length} powered, ${reconciliation.missing.length} missing`,
  );

  const run = yield* FiberSet.makeRuntime<CommandBus>();
  const queues = new Map<string, Array<InstructionDelivery>>();
  let pending = 0;
  // Runs after the consumer stops delivering and before the fibers under way are interrupted.
  yield* Effect.addFinalizer(() =>
    Effect.gen(function* () {
      while (pending > 0) yield* Effect.sleep(10);
    }).pipe(Effect.timeoutOption(options.stopGraceMs ?? 5_000)),
  );

  const settle = (delivery: InstructionDelivery) =>
    Effect.gen(function* () {
      const keepAlive = yield* Effect.forkChild(Effect.sync(delivery.working).pipe(Effect.delay(workingEveryMs), Effect.forever));
      yield* untilAnswered(`reporting ${delivery.instruction.action} of server ${delivery.instruction.serverId}`, carryOut(delivery.instruction, carryOutOptions));
      yield* Fiber.interrupt(keepAlive);
      delivery.ack();
    });

  const drain = (serverId: string, queue: Array<InstructionDelivery>) =>
    Effect.gen(function* () {
      while (queue.length > 0) {
        yield* settle(queue[0]!);
        queue.shift();
        pending -= 1;
      }
      queues.delete(serverId);
    });

  const onDelivery = (delivery: InstructionDelivery) => {
    pending += 1;
    const { serverId } = delivery.instruction;
    const queue = queues.get(serverId);
    if (queue !== undefined) return void queue.push(delivery);
    const fresh = [delivery];
    queues.set(serverId, fresh);
    run(drain(serverId, fresh).pipe(Effect.annotateLogs({ host })));
  };

  yield* consumeInstructions(
    {
      host,
      onDelivery,
      onUndecodable: (subject, cause) => run(Effect.logError(`host ${host}: dropped an undecodable message on ${subject}`, cause)),
      ...(prefix === undefined ? {} : { subjectPrefix: prefix }),
    },
    connection,
  );
  return { host, providerId, reconciliation, pending: () => pending } satisfies RunningHostAgent;
}, (effect, options) => Effect.annotateLogs(effect, { host: options.host }));
