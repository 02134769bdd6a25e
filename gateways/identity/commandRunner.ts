/**
 * The one way identity routes change the directory: send the command as the caller, under the
 * request's id, and turn a rejection into its fault.
 */
import type { Context } from "hono";
import type { IdentityCommand } from "@weft/domain/identity";
import type { IdentityDeps, IdentityEnv } from "./context.ts";
import { expectAccepted } from "../http/commands.ts";
import { identityRejectionStatus } from "./faults.ts";

export const runIdentityCommand = async (deps: IdentityDeps, c: Context<IdentityEnv>, command: IdentityCommand) => {
  const result = await deps.commands.execute("identity", command, { actor: c.get("caller").actor, requestId: c.get("requestId") });
  expectAccepted(identityRejectionStatus, result);
  return result;
};

/** `?enabled=true|false` as Keystone reads it; anything else is a 400. */
export const enabledFilter = (value: string | undefined): boolean | undefined => {
  if (value === undefined) return undefined;
  const normalized = value.toLowerCase();
  if (["true", "1", "yes", ""].includes(normalized)) return true;
  if (["false", "0", "no"].includes(normalized)) return false;
  return undefined;
};

/** Keystone ids: 32 lowercase hex characters. */
export const newKeystoneId = (deps: Pick<IdentityDeps, "newId">) => deps.newId().replaceAll("-", "");
