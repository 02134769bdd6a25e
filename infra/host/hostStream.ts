/**
 * The JetStream side of the host channel: one stream per control plane (`WEFT_HOST`, subjects
 * `<prefix>.host.>`) that the relay fills, and one durable consumer per host (`agent-<host>`)
 * that its agent drains. Both sides ensure the stream, so either may start first.
 *
 * The stream is a delivery channel, not a record (ARCHITECTURE.md): messages age out after a
 * week, and an agent that finds the channel lost or behind reconciles against the relay's
 * desired state. Its duplicate window (an hour) drops a relay's re-publish of an event it had
 * published before a restart; the relay also resumes after the last position the stream holds.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { ensureRelayedStream } from "../bus/relayedStream.ts";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { Effect, Schema, type Scope } from "effect";
import { hostInstructionCodec, type HostInstruction } from "./messages.ts";
import { agentConsumerName, defaultSubjectPrefix, hostFilterSubject, hostStreamName, hostStreamSubjects } from "./names.ts";

export class HostChannelUnavailable extends Schema.TaggedError<HostChannelUnavailable>()("HostChannelUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

const attempt = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new HostChannelUnavailable({ message: `${what}: ${String(cause)}`, cause }) });

/** The header carrying the `$all` position of the event a message was made from. */
export { positionHeader } from "../bus/relayedStream.ts";

/** Creates the host stream, or brings an existing one to this configuration. */
export const ensureHostStream = (connection: NatsConnection, prefix = defaultSubjectPrefix) =>
  attempt(`cannot set up the JetStream stream ${hostStreamName(prefix)}`, () => ensureRelayedStream(connection, hostStreamName(prefix), hostStreamSubjects(prefix)));

/** How long an instruction may run unacknowledged before JetStream offers it again. */
const ackWaitMs = 30_000;

/** The host's durable consumer: explicit acks, everything addressed to the host, never given up. */
export const ensureAgentConsumer = (connection: NatsConnection, host: string, prefix = defaultSubjectPrefix) =>
  attempt(`cannot set up the JetStream consumer ${agentConsumerName(host)}`, async () => {
    const jsm = await jetstreamManager(connection);
    const stream = hostStreamName(prefix);
    const config = {
      durable_name: agentConsumerName(host),
      filter_subject: hostFilterSubject(host, prefix),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      max_deliver: -1,
      max_ack_pending: 1_024,
    };
    await jsm.consumers.add(stream, config).catch((refused: unknown) => jsm.consumers.update(stream, config.durable_name, config).catch(() => Promise.reject(refused)));
  });

/** One delivery of an instruction; settle it exactly once. */
export interface InstructionDelivery {
  readonly instruction: HostInstruction;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  readonly ack: () => void;
  /** Offer it again after `delayMs`. */
  readonly nak: (delayMs: number) => void;
  /** Tells JetStream the instruction is still being carried out (a long boot). */
  readonly working: () => void;
}

/** Every `ackWaitMs / 3` a delivery in progress should say it is still working. */
export const workingEveryMs = ackWaitMs / 3;

const deliveryOf = (msg: JsMsg, instruction: HostInstruction): InstructionDelivery => ({
  instruction,
  deliveryCount: msg.info.deliveryCount,
  ack: () => msg.ack(),
  nak: (delayMs) => msg.nak(delayMs),
  working: () => msg.working(),
});

export interface ConsumeInstructionsOptions {
  readonly host: string;
  readonly subjectPrefix?: string;
  /** Called in arrival order, synchronously: keep it short and settle the delivery later. */
  readonly onDelivery: (delivery: InstructionDelivery) => void;
  /** A message that is no instruction: it is terminated, never redelivered. */
  readonly onUndecodable?: (subject: string, cause: unknown) => void;
}

/** Drains the host's durable consumer until the scope closes. */
export const consumeInstructions = (options: ConsumeInstructionsOptions, connection: NatsConnection): Effect.Effect<void, HostChannelUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    attempt(`cannot consume ${agentConsumerName(options.host)}`, async () => {
      const consumer = await jetstream(connection).consumers.get(hostStreamName(options.subjectPrefix), agentConsumerName(options.host));
      return consumer.consume({
        max_messages: 256,
        callback: (msg) => {
          let instruction: HostInstruction;
          try {
            instruction = hostInstructionCodec.decode(msg.data);
          } catch (cause) {
            msg.term("undecodable host instruction");
            options.onUndecodable?.(msg.subject, cause);
            return;
          }
          options.onDelivery(deliveryOf(msg, instruction));
        },
      });
    }),
    (messages) => Effect.promise(() => messages.close().catch(() => undefined)),
  ).pipe(Effect.asVoid);
