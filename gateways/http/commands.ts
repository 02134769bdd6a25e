/**
 * How a handler runs a command: wrap it in an envelope (ids and time decided here, at the edge),
 * send it on the bus, and on acceptance wait until this gateway's read models have folded the
 * position the handler returned, so the response (and the client's next GET) reads its own write.
 * Rejections come back as values for the service's fault table; infrastructure trouble is a 503.
 */
import { randomUUID } from "node:crypto";
import type { Message } from "@weft/domain/shared";
import type { Actor, CommandEnvelope, CommandReply, PayloadCodec } from "@weft/proto";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HttpFault } from "./faults.ts";

export type CommandResult =
  | { readonly kind: "accepted"; readonly stream: string; readonly position: number; readonly duplicate: boolean }
  | { readonly kind: "rejected"; readonly tag: string; readonly message: string };

export interface CommandMeta {
  readonly actor: Actor;
  readonly requestId: string;
  /** Re-sending the same id is safe: the command is applied at most once. */
  readonly commandId?: string;
}

export interface CommandSenderDeps {
  /** Sends on the bus; rejects with an Error whose name says what failed (timeout, no handler…). */
  readonly send: (context: string, envelope: CommandEnvelope) => Promise<CommandReply>;
  readonly codecFor: (context: string) => PayloadCodec<Message>;
  /** Resolves true once the read models have seen the position. */
  readonly readYourWrites: (position: number) => Promise<boolean>;
  readonly now: () => number;
}

export interface CommandSender {
  readonly execute: (context: string, command: Message, meta: CommandMeta) => Promise<CommandResult>;
}

export const makeCommandSender = (deps: CommandSenderDeps): CommandSender => ({
  execute: async (context, command, meta) => {
    const commandId = meta.commandId ?? randomUUID();
    const envelope: CommandEnvelope = {
      commandId,
      requestId: meta.requestId,
      actor: meta.actor,
      issuedAt: new Date(deps.now()).toISOString(),
      type: command.type,
      payload: deps.codecFor(context).encode(command),
      correlationId: commandId,
      causationId: "",
    };
    let reply: CommandReply;
    try {
      reply = await deps.send(context, envelope);
    } catch (error) {
      throw new HttpFault(503, `The ${context} service is unavailable (${(error as Error).name}); retry the request.`, { "Retry-After": "1" });
    }
    switch (reply.outcome) {
      case "rejected":
        return { kind: "rejected", tag: reply.rejected.tag, message: reply.rejected.message };
      case "failed":
        throw new HttpFault(503, `The ${context} service could not complete the request (${reply.failed.code}); retry it.`, { "Retry-After": "1" });
      case "accepted": {
        const { stream, position, duplicate } = reply.accepted;
        if (!(await deps.readYourWrites(position))) {
          throw new HttpFault(503, "The request was applied but the read model is lagging; retry the read.", { "Retry-After": "1" });
        }
        return { kind: "accepted", stream, position, duplicate };
      }
    }
  },
});

/** A service's HTTP status for each of its rejection tags (each `faults.ts` checks its table complete). */
export type RejectionStatuses = Readonly<Record<string, ContentfulStatusCode>>;

/** The fault for a refused command: the service's status for the tag, the decider's message as is. */
export const rejectionFault = (statuses: RejectionStatuses, rejected: Extract<CommandResult, { kind: "rejected" }>): HttpFault =>
  new HttpFault(statuses[rejected.tag] ?? 500, rejected.message);

/** Returns normally only when the command was accepted. */
export function expectAccepted(statuses: RejectionStatuses, result: CommandResult): asserts result is Extract<CommandResult, { kind: "accepted" }> {
  if (result.kind === "rejected") throw rejectionFault(statuses, result);
}
