/**
 * The event stream, mounted at `/events` (docs/events.md). It needs a valid `X-Auth-Token`:
 * admins see every event, anyone else with a role on a project only the events of resources
 * that project owns (`@weft/infra/events` ownership), checked again as the stream runs.
 *
 *   GET /v1/stream    Server-Sent Events: `id:` position, `event:` CloudEvents type,
 *                     `data:` the CloudEvent; `type`, `resource_type`, `resource_id` filters;
 *                     resumes after `Last-Event-ID` or `?from=`
 */
import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import type { FeedQuery } from "@weft/infra/events";
import { HttpFault } from "../http/faults.ts";
import { resolveCaller } from "../identity/callers.ts";
import type { Caller } from "../identity/context.ts";
import { requireToken } from "../identity/requireToken.ts";
import type { EventsDeps, EventsEnv } from "./context.ts";
import { parseFilters, requestedPosition } from "./filters.ts";
import { eventStreamBody } from "./stream.ts";

/** Every event for an admin, its project's for anyone else with a role there, nothing unscoped. */
const scopeOf = (caller: Caller): Pick<FeedQuery, "project"> | undefined =>
  caller.roleNames.includes("admin") ? {} : caller.actor.projectId !== "" ? { project: caller.actor.projectId } : undefined;

export const eventServiceRoutes = (deps: EventsDeps) =>
  // Bindings are the node server's when served, absent for in-process `app.request()`.
  new Hono<EventsEnv & { Bindings: Partial<HttpBindings> }>()
    .use("/v1/*", requireToken({ deps }))
    .get("/v1/stream", async (c) => {
      // A reconnect on a kept-alive connection while the gateway shuts down: answer and close it,
      // or the server's close would wait on a connection that never goes idle.
      if (deps.feed.closing.aborted) throw new HttpFault(503, "The gateway is shutting down: resume with Last-Event-ID.", { connection: "close", "retry-after": "1" });
      const caller = c.get("caller");
      if (scopeOf(caller) === undefined) throw new HttpFault(403, "The event stream needs a project-scoped token (or the admin role).");
      const queries = c.req.queries();
      const filters = parseFilters(queries);
      const requested = requestedPosition(queries, c.req.header("last-event-id"));
      const head = await deps.feed.head();
      if (requested !== undefined && requested > head) throw new HttpFault(400, `Position ${requested} is beyond the newest event (${head}).`);

      const body = eventStreamBody({
        feed: deps.feed,
        after: requested ?? head,
        filters,
        scope: () => {
          const now = resolveCaller(deps.directory(), deps.tokens, caller.token, deps.now());
          return now === undefined ? undefined : scopeOf(now);
        },
        heartbeatMs: deps.heartbeatMs ?? 15_000,
        stallTimeoutMs: deps.stallTimeoutMs ?? 60_000,
        onStall: () => c.env?.outgoing?.destroy(),
      });
      return c.body(body, 200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
    });
