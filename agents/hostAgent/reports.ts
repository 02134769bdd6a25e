/**
 * How an agent talks to the control plane: commands on the bus, with ids derived from the event
 * whose instruction it carried out (so a redelivery appends nothing twice), classified into what
 * settles an instruction (accepted, or refused: the server moved on, e.g. it was deleted
 * meanwhile) and what must be tried again (no reply, no handler, a failed store).
 */
import { randomUUID } from "node:crypto";
import { Clock, Effect, Schema } from "effect";
import { CommandBus } from "@weft/infra/bus";
import { hostRegistrationCodec, hostReportCodec, type HostInstruction, type HostRegistration, type HostReport } from "@weft/infra/host";
import { systemActor, type CommandReply } from "@weft/proto";

/** The control plane did not answer, or failed: the same command is sent again later. */
export class ControlPlaneUnavailable extends Schema.TaggedError<ControlPlaneUnavailable>()("ControlPlaneUnavailable", {
  commandType: Schema.String,
  message: Schema.String,
}) {}

export interface SendOptions {
  readonly commandTimeoutMs?: number;
}

const sendCommand = (context: "compute" | "placement", type: string, payload: Uint8Array, commandId: string, cause: HostInstruction | undefined, options: SendOptions) =>
  Effect.gen(function* () {
    const bus = yield* CommandBus;
    const reply: CommandReply = yield* bus
      .send(
        context,
        {
          commandId,
          requestId: cause?.requestId || `req-${randomUUID()}`,
          actor: systemActor,
          issuedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
          type,
          payload,
          correlationId: cause?.correlationId || commandId,
          causationId: cause?.eventId ?? "",
        },
        options.commandTimeoutMs === undefined ? undefined : { timeoutMs: options.commandTimeoutMs },
      )
      .pipe(Effect.mapError((error) => new ControlPlaneUnavailable({ commandType: type, message: `${error._tag}: ${"subject" in error ? error.subject : error.message}` })));
    if (reply.outcome === "failed") return yield* new ControlPlaneUnavailable({ commandType: type, message: `${reply.failed.code}: ${reply.failed.message}` });
    return reply;
  });

/**
 * Reports the outcome of `instruction`. The command id is `<event id>:<step>`: the same on every
 * delivery of that instruction. A refusal is logged and settles the instruction, never retried.
 */
export const report = (instruction: HostInstruction, step: string, command: HostReport, options: SendOptions = {}) =>
  Effect.gen(function* () {
    const reply = yield* sendCommand("compute", command.type, hostReportCodec.encode(command), `${instruction.eventId}:${step}`, instruction, options);
    if (reply.outcome === "rejected") {
      yield* Effect.logWarning(`${command.type} for server ${instruction.serverId} refused: ${reply.rejected.tag} ${reply.rejected.message}`);
    }
    return reply;
  });

/** Registration commands: ids are fresh, the deciders make a repeat harmless (an unchanged inventory appends nothing). */
export const register = (command: HostRegistration, options: SendOptions = {}) =>
  sendCommand("placement", command.type, hostRegistrationCodec.encode(command), randomUUID(), undefined, options);
