/**
 * The command bus over core NATS request/reply: `send` requests `weft.cmd.<context>.<type>`,
 * `serve` answers from a queue group so each command reaches one replica. The hot path is one
 * protobuf encode and decode each way and one fiber per served message; NATS errors stop here and
 * become the port's `CommandTimeout`, `NoCommandHandler` or `BusUnavailable`.
 *
 * `send` multiplexes replies on one inbox subscription of its own instead of `nc.request`, which
 * (nats.js 3.4) constructs a `RequestError`, stack trace and all, for every request it completes
 * (about a fifth of the client's CPU per command in bench/bus.bench.ts).
 */
import { createInbox, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { commandEnvelopeCodec, commandReplyCodec, type CommandEnvelope, type CommandReply } from "@weft/proto";
import { Cause, Effect, Exit, Layer } from "effect";
import {
  BusUnavailable,
  CommandBus,
  CommandTimeout,
  NoCommandHandler,
  commandSubject,
  handlerQueueGroup,
  type CommandBusShape,
} from "./CommandBus.ts";
import { Nats } from "./Nats.ts";

export interface NatsCommandBusOptions {
  /** How long `send` waits for a reply when the caller gives no timeout. */
  readonly defaultTimeoutMs?: number;
  /** How long closing a `serve` scope waits for handlers already running to reply. */
  readonly drainTimeoutMs?: number;
  /** First subject token; "weft" unless tests isolate control planes sharing one server. */
  readonly subjectPrefix?: string;
}

/** Reply codes this adapter produces itself; published names, so only ever add. */
export const busFailureCodes = {
  badEnvelope: "BadEnvelope",
  handlerDefect: "HandlerDefect",
  interrupted: "Interrupted",
} as const;

const failed = (code: string, message: string): CommandReply => ({ outcome: "failed", failed: { code, message } });
const badEnvelopeReply = commandReplyCodec.encode(failed(busFailureCodes.badEnvelope, "the request is not a CommandEnvelope"));

const decodeEnvelope = (bytes: Uint8Array): CommandEnvelope | undefined => {
  try {
    return commandEnvelopeCodec.decode(bytes);
  } catch {
    return undefined;
  }
};

type SendResult = Effect.Effect<CommandReply, CommandTimeout | NoCommandHandler | BusUnavailable>;

interface PendingRequest {
  readonly resume: (result: SendResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly subject: string;
  readonly timeoutMs: number;
}

const replyResult = (msg: Msg, subject: string): SendResult => {
  // The server answers a request nobody subscribes to with an empty 503 status message.
  if (msg.data.length === 0 && msg.headers?.code === 503) return Effect.fail(new NoCommandHandler({ subject }));
  try {
    const reply = commandReplyCodec.decode(msg.data);
    // An empty oneof decodes without an outcome: whatever answered was not a command handler.
    if (reply.outcome !== undefined) return Effect.succeed(reply);
  } catch (cause) {
    return Effect.fail(new BusUnavailable({ message: `undecodable reply on ${subject}`, cause }));
  }
  return Effect.fail(new BusUnavailable({ message: `a reply on ${subject} carries no outcome` }));
};

const replyOf = (exit: Exit.Exit<CommandReply>): CommandReply => {
  if (Exit.isSuccess(exit)) return exit.value;
  return Cause.hasInterruptsOnly(exit.cause)
    ? failed(busFailureCodes.interrupted, "the handler was interrupted; re-send the same command id")
    : failed(busFailureCodes.handlerDefect, "the handler died; see its log");
};

const respond = (msg: Msg, bytes: Uint8Array) => {
  try {
    msg.respond(bytes);
  } catch {
    // The connection closed under a late handler; the sender times out and re-sends the same id.
  }
};

/** The command bus on an open NATS connection. */
export const makeNatsCommandBus = (connection: NatsConnection, options: NatsCommandBusOptions = {}): CommandBusShape => {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;

  const inbox = `${createInbox()}.`;
  const pending = new Map<string, PendingRequest>();
  let nextToken = 0;
  connection.subscribe(`${inbox}*`, {
    callback: (error, msg) => {
      if (error !== null) return;
      const token = msg.subject.slice(inbox.length);
      const request = pending.get(token);
      // A reply after its timeout, or to an interrupted send: nobody is waiting any more.
      if (request === undefined) return;
      pending.delete(token);
      clearTimeout(request.timer);
      request.resume(replyResult(msg, request.subject));
    },
  });
  const expire = (token: string) => {
    const request = pending.get(token);
    if (request === undefined) return;
    pending.delete(token);
    request.resume(Effect.fail(new CommandTimeout({ subject: request.subject, timeoutMs: request.timeoutMs })));
  };
  const forget = (token: string) => {
    const request = pending.get(token);
    if (request === undefined) return;
    pending.delete(token);
    clearTimeout(request.timer);
  };

  const send: CommandBusShape["send"] = (context, envelope, sendOptions) =>
    Effect.callback<CommandReply, CommandTimeout | NoCommandHandler | BusUnavailable>((resume) => {
      const subject = commandSubject(context, envelope.type, options.subjectPrefix);
      const timeoutMs = sendOptions?.timeoutMs ?? defaultTimeoutMs;
      const token = (nextToken++).toString(36);
      try {
        connection.publish(subject, commandEnvelopeCodec.encode(envelope), { reply: inbox + token });
      } catch (cause) {
        resume(Effect.fail(new BusUnavailable({ message: `cannot send on ${subject}: ${String(cause)}`, cause })));
        return;
      }
      pending.set(token, { resume, timer: setTimeout(expire, timeoutMs, token), subject, timeoutMs });
      return Effect.sync(() => forget(token));
    });

  const serve: CommandBusShape["serve"] = (context, handle) =>
    Effect.gen(function* () {
      const subject = commandSubject(context, ">", options.subjectPrefix);
      const run = Effect.runCallbackWith(yield* Effect.context<never>());
      let inFlight = 0;
      let onIdle: (() => void) | undefined;
      const settle = () => {
        inFlight -= 1;
        if (inFlight === 0 && onIdle !== undefined) onIdle();
      };
      const logDefect = (exit: Exit.Exit<CommandReply>, envelope: CommandEnvelope) => {
        if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
          run(Effect.logError(`command handler for ${envelope.type} died`, exit.cause).pipe(
            Effect.annotateLogs({ commandId: envelope.commandId, requestId: envelope.requestId }),
          ));
        }
      };
      // Runs in the NATS client's read loop: every message starts its own fiber and returns at
      // once, so a slow handler never holds back the next command.
      const onMessage = (error: Error | null, msg: Msg) => {
        if (error !== null) return;
        const envelope = decodeEnvelope(msg.data);
        if (envelope === undefined) return respond(msg, badEnvelopeReply);
        inFlight += 1;
        // suspend: a handler that throws instead of returning an effect is a defect, not a crash
        // of the client's read loop.
        run(Effect.suspend(() => handle(envelope)), {
          onExit: (exit) => {
            respond(msg, commandReplyCodec.encode(replyOf(exit)));
            logDefect(exit, envelope);
            settle();
          },
        });
      };
      const whenIdle = Effect.callback<void>((resume) => {
        if (inFlight === 0) resume(Effect.void);
        else onIdle = () => resume(Effect.void);
      });

      yield* Effect.acquireRelease(
        Effect.try({
          try: () => connection.subscribe(subject, { queue: handlerQueueGroup(context, options.subjectPrefix), callback: onMessage }),
          catch: (cause) => new BusUnavailable({ message: `cannot subscribe to ${subject}: ${String(cause)}`, cause }),
        }),
        (subscription) =>
          Effect.promise(() => subscription.drain().catch(() => undefined)).pipe(
            Effect.andThen(whenIdle),
            Effect.timeoutOption(drainTimeoutMs),
          ),
      );
      // Until the server has the subscription, a send from elsewhere would find no responders.
      yield* Effect.tryPromise({
        try: () => connection.flush(),
        catch: (cause) => new BusUnavailable({ message: `cannot register ${subject}: ${String(cause)}`, cause }),
      });
    });

  return { send, serve };
};

/** `CommandBus` on the process's NATS connection. */
export const natsCommandBusLayer = (options?: NatsCommandBusOptions): Layer.Layer<CommandBus, never, Nats> =>
  Layer.effect(
    CommandBus,
    Effect.map(Nats, ({ connection }) => CommandBus.of(makeNatsCommandBus(connection, options))),
  );
