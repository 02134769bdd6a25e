/**
 * The metering routes' dependencies when the meter runs inside the gateway's process (the
 * all-in-one): callers are authenticated by the gateway's own token check against its identity
 * read model, as every other service's are, rather than by asking Keystone over HTTP.
 */
import type { IdentityDocument } from "@weft/projections/identity";
import type { MeteringDocument } from "@weft/projections/metering";
import { resolveCaller } from "../identity/callers.ts";
import type { TokenSealer } from "../identity/tokens.ts";
import type { MeteringDeps } from "./context.ts";

export const meteringDeps = (
  publicUrl: string,
  meter: () => MeteringDocument | undefined,
  directory: () => IdentityDocument,
  tokens: TokenSealer,
  now: () => number,
): MeteringDeps => ({
  publicUrl,
  meter,
  now,
  authenticate: (token) => {
    const caller = resolveCaller(directory(), tokens, token, now());
    return caller === undefined ? undefined : { userId: caller.actor.userId, projectId: caller.actor.projectId, roleNames: caller.roleNames };
  },
});
