/**
 * The one way image routes change images: send the command as the caller, under the request's
 * id, and turn a rejection into its Glance fault.
 */
import type { Context } from "hono";
import type { ImageCommand } from "@weft/domain/image";
import { expectAccepted, type CommandResult } from "../http/commands.ts";
import type { ImageDeps, ImageEnv } from "./context.ts";
import { imageRejectionStatus } from "./faults.ts";

/** The outcome as it came, rejections included, for callers that must clean up after one. */
export const sendImageCommand = (deps: ImageDeps, c: Context<ImageEnv>, command: ImageCommand): Promise<CommandResult> =>
  deps.commands.execute("image", command, { actor: c.get("caller").actor, requestId: c.get("requestId") });

export const runImageCommand = async (deps: ImageDeps, c: Context<ImageEnv>, command: ImageCommand) => {
  const result = await sendImageCommand(deps, c, command);
  expectAccepted(imageRejectionStatus, result);
  return result;
};
