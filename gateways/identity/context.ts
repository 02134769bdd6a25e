/**
 * What the identity routes are given (the composition root builds it) and the hono environment
 * they share: the request id and, once authenticated, who is calling.
 */
import type { IdentityDocument } from "@weft/projections/identity";
import type { Actor } from "@weft/proto";
import type { CommandSender } from "../http/commands.ts";
import type { RequestIdVariables } from "../http/requestId.ts";
import type { ScryptCost } from "./passwords.ts";
import type { TokenClaims, TokenSealer } from "./tokens.ts";

export interface IdentityDeps {
  /** Base URL clients reach the gateway on, without a trailing slash: the catalog is built from it. */
  readonly publicUrl: string;
  readonly region: string;
  readonly directory: () => IdentityDocument;
  readonly commands: CommandSender;
  readonly tokens: TokenSealer;
  readonly tokenTtlMs: number;
  readonly scryptCost?: ScryptCost;
  readonly now: () => number;
  readonly newId: () => string;
}

/** A validated token and what it grants now. */
export interface Caller {
  readonly token: string;
  readonly claims: TokenClaims;
  readonly roleNames: ReadonlyArray<string>;
  readonly actor: Actor;
}

export interface IdentityEnv {
  Variables: RequestIdVariables & { caller: Caller };
}
