/**
 * Middleware: a request must carry a valid `X-Auth-Token`; the caller it names is put on the
 * context. Missing, expired, revoked and forged tokens are all the same 401 to the client, with
 * the `WWW-Authenticate` header Keystone sends so clients know where to authenticate.
 */
import type { MiddlewareHandler } from "hono";
import { HttpFault } from "../http/faults.ts";
import { resolveCaller } from "./callers.ts";
import type { IdentityDeps, IdentityEnv } from "./context.ts";

export const unauthorized = (publicUrl: string) =>
  new HttpFault(401, "The request you have made requires authentication.", {
    "WWW-Authenticate": `Keystone uri="${publicUrl}/identity"`,
  });

export interface RequireTokenOptions {
  readonly deps: Pick<IdentityDeps, "directory" | "tokens" | "now" | "publicUrl">;
}

export const requireToken = ({ deps }: RequireTokenOptions): MiddlewareHandler<IdentityEnv> =>
  async function requireTokenMiddleware(c, next) {
    const token = c.req.header("x-auth-token");
    const caller = token === undefined ? undefined : resolveCaller(deps.directory(), deps.tokens, token, deps.now());
    if (caller === undefined) throw unauthorized(deps.publicUrl);
    c.set("caller", caller);
    await next();
  };
