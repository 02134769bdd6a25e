/**
 * The one way compute routes change state: send the command as the caller, under the request's
 * id, and turn a rejection into its Nova fault. A command id derived from the request (an
 * `Idempotency-Key`) makes a retried request apply the command once.
 */
import type { Context } from "hono";
import type { FlavorCommand, KeypairCommand, QuotaCommand, ServerCommand, ServerGroupCommand } from "@weft/domain/compute";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { expectAccepted } from "../http/commands.ts";
import { computeRejectionStatus } from "./faults.ts";

export type ComputeCommand = FlavorCommand | KeypairCommand | ServerCommand | ServerGroupCommand | QuotaCommand;

/** Sends the command; the result says whether it was accepted or why it was refused. */
export const sendComputeCommand = (deps: ComputeDeps, c: Context<ComputeEnv>, command: ComputeCommand, commandId?: string) =>
  deps.commands.execute("compute", command, {
    actor: c.get("caller").actor,
    requestId: c.get("requestId"),
    ...(commandId === undefined ? {} : { commandId }),
  });

/** Sends the command and throws its Nova fault unless it was accepted. */
export const runComputeCommand = async (deps: ComputeDeps, c: Context<ComputeEnv>, command: ComputeCommand, commandId?: string) => {
  const result = await sendComputeCommand(deps, c, command, commandId);
  expectAccepted(computeRejectionStatus, result);
  return result;
};
