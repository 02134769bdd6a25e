/**
 * The one way compute routes change state: send the command as the caller, under the request's
 * id, and turn a rejection into its Nova fault.
 */
import type { Context } from "hono";
import type { FlavorCommand, KeypairCommand, QuotaCommand, ServerGroupCommand } from "@weft/domain/compute";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { expectAccepted } from "../http/commands.ts";
import { computeRejectionStatus } from "./faults.ts";

export const runComputeCommand = async (deps: ComputeDeps, c: Context<ComputeEnv>, command: FlavorCommand | KeypairCommand | QuotaCommand | ServerGroupCommand) => {
  const result = await deps.commands.execute("compute", command, { actor: c.get("caller").actor, requestId: c.get("requestId") });
  expectAccepted(computeRejectionStatus, result);
  return result;
};
