/**
 * The command bus port: request/reply of protobuf `CommandEnvelope`s on
 * `weft.cmd.<context>.<CommandType>`, served by handler replicas in one queue group per context,
 * so any number of replicas share the load and each command reaches exactly one of them.
 */
import { Context, Schema, type Effect, type Scope } from "effect";
import type { CommandEnvelope, CommandReply } from "@weft/proto";

/**
 * `prefix` is "weft" in every deployment; tests give each control plane its own prefix so that
 * several can share one nats-server without serving each other's commands.
 */
export const commandSubject = (context: string, commandType: string, prefix = "weft") => `${prefix}.cmd.${context}.${commandType}`;
export const handlerQueueGroup = (context: string, prefix = "weft") => `${prefix}-handlers-${context}`;

/** No reply within the timeout: the command may or may not have been applied; re-send the same command id. */
export class CommandTimeout extends Schema.TaggedError<CommandTimeout>()("CommandTimeout", {
  subject: Schema.String,
  timeoutMs: Schema.Number,
}) {}

/** Nobody serves the subject (no handler replica is running). */
export class NoCommandHandler extends Schema.TaggedError<NoCommandHandler>()("NoCommandHandler", {
  subject: Schema.String,
}) {}

export class BusUnavailable extends Schema.TaggedError<BusUnavailable>()("BusUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

export interface CommandBusShape {
  readonly send: (
    context: string,
    envelope: CommandEnvelope,
    options?: { readonly timeoutMs?: number },
  ) => Effect.Effect<CommandReply, CommandTimeout | NoCommandHandler | BusUnavailable>;
  /**
   * Serves every command of `context` until the scope closes (then drains the subscription).
   * `handle` must not fail: infrastructure failures become `failed` replies.
   */
  readonly serve: (
    context: string,
    handle: (envelope: CommandEnvelope) => Effect.Effect<CommandReply>,
  ) => Effect.Effect<void, BusUnavailable, Scope.Scope>;
}

export class CommandBus extends Context.Service<CommandBus, CommandBusShape>()("weft/infra/CommandBus") {}
