/**
 * The audit trail, mounted at `/audit` (docs/audit.md): every event of a resource, or every
 * action of a user, as CADF records, oldest first, paged with `limit` and `marker`. It needs a
 * valid `X-Auth-Token`: admins see everything; anyone else with a role on a project sees only the
 * resources that project owns (the event stream's scoping), and any other resource is a 404, as
 * OpenStack answers for what a caller may not see.
 *
 *   GET /v1/resources/{id}/history   ?since=&limit=&marker=
 *   GET /v1/events                   ?user_id=&since=&limit=&marker=  (a non-admin: its own user only)
 */
import { Hono } from "hono";
import type { AuditPage, AuditQuery } from "@weft/infra/audit";
import { foldedId } from "@weft/infra/events";
import { HttpFault } from "../http/faults.ts";
import type { Caller } from "../identity/context.ts";
import { requireToken } from "../identity/requireToken.ts";
import type { AuditDeps, AuditEnv } from "./context.ts";
import { checkedId, parseAuditQuery } from "./query.ts";

/** Everything for an admin, its project's resources for anyone else with a role there. */
const scopeOf = (caller: Caller): Pick<AuditQuery, "project"> => {
  if (caller.roleNames.includes("admin")) return {};
  if (caller.actor.projectId === "") throw new HttpFault(403, "The audit trail needs a project-scoped token (or the admin role).");
  return { project: caller.actor.projectId };
};

// The store is the one thing that can fail here: a 503 the client may retry, not a 500.
const read = async <A>(query: () => Promise<A>): Promise<A> => {
  try {
    return await query();
  } catch (error) {
    if ((error as { _tag?: string })._tag === "EventStoreUnavailable") throw new HttpFault(503, "The event store is unavailable; try again.");
    throw error;
  }
};

const body = (page: AuditPage, publicUrl: string, url: URL, query: AuditQuery) => {
  const last = page.records.at(-1);
  if (!page.more || last === undefined) return { records: page.records };
  const next = new URL(url);
  next.searchParams.set("limit", String(query.limit));
  next.searchParams.set("marker", String(last.weft.position));
  return { records: page.records, next: `${publicUrl}${next.pathname}${next.search}` };
};

export const auditServiceRoutes = (deps: AuditDeps) =>
  new Hono<AuditEnv>()
    .use("/v1/*", requireToken({ deps }))
    .get("/v1/resources/:id/history", async (c) => {
      const id = checkedId(c.req.param("id"), "resource id");
      const query: AuditQuery = { ...parseAuditQuery(c.req.queries(), ["since", "limit", "marker"]), ...scopeOf(c.get("caller")) };
      const page = await read(() => deps.trail.history(id, query));
      if (page === undefined) throw new HttpFault(404, `Could not find resource ${id}.`);
      return c.json(body(page, deps.publicUrl, new URL(c.req.url), query));
    })
    .get("/v1/events", async (c) => {
      const queries = c.req.queries();
      if (queries.user_id?.length !== 1) throw new HttpFault(400, "user_id is required, once: the user whose actions to list.");
      const userId = checkedId(queries.user_id[0], "user_id");
      const caller = c.get("caller");
      const scope = scopeOf(caller);
      if (scope.project !== undefined && foldedId(userId) !== foldedId(caller.actor.userId)) {
        throw new HttpFault(403, "Only an admin may list another user's actions.");
      }
      const query: AuditQuery = { ...parseAuditQuery(queries, ["user_id", "since", "limit", "marker"]), ...scope };
      const page = await read(() => deps.trail.actions(userId, query));
      return c.json(body(page, deps.publicUrl, new URL(c.req.url), query));
    });
