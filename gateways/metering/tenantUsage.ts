/**
 * Nova's os-simple-tenant-usage, answered from the metering document, so `openstack usage list`
 * and `openstack usage show` work:
 *
 *   GET /compute/v2.1/os-simple-tenant-usage              every project (admin); `start`, `end`,
 *                                                         `detailed=1`, `limit`/`marker` at 2.40+
 *   GET /compute/v2.1/os-simple-tenant-usage/{tenant_id}  one project (its readers, admins)
 *
 * Times are Nova's: `start`/`end` in `%Y-%m-%dT%H:%M:%S[.%f]` or `%Y-%m-%d %H:%M:%S.%f`, UTC,
 * now when absent; written back with microseconds and no zone. Paging (2.40+) is by server, in
 * launch order, a `next` link when a page is full; the marker is a server id. A project with no
 * usage in the period is `{"tenant_usage": {}}`, as in Nova, not a 404.
 */
import { Hono, type Context } from "hono";
import { usageForPeriod, type Period, type ProjectPeriodUsage, type ServerPeriodUsage, type UsageInterval } from "@weft/projections/metering";
import { HttpFault } from "../http/faults.ts";
import { atLeast, negotiateMicroversion, type Microversion } from "../compute/microversions.ts";
import type { MeteringDeps, MeteringEnv } from "./context.ts";
import { enforceMetering, meterDocument, requireMeterCaller } from "./policy.ts";

type TenantUsageEnv = { Variables: MeteringEnv["Variables"] & { microversion: Microversion } };

// Nova's `max_limit`.
const MAX_LIMIT = 1000;
const novaTime = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?| (\d{2}):(\d{2}):(\d{2})\.(\d{1,6}))$/;

/** Nova's `_parse_datetime`, in milliseconds (microseconds as a fraction); now when absent. */
export const parseNovaTime = (text: string | undefined, now: number): number => {
  if (text === undefined || text === "") return now;
  const match = novaTime.exec(text);
  const parts = match === null ? [] : match.slice(1).filter((part) => part !== undefined);
  const [year, month, day, hour, minute, second, fraction] = parts.map((part, index) => (index === 6 ? Number(`0.${part}`) : Number(part)));
  if (match !== null && year !== undefined && month !== undefined && day !== undefined && hour !== undefined && minute !== undefined && second !== undefined) {
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    const date = new Date(ms);
    // Date.UTC rolls 2030-02-30 over into March; strptime refuses it.
    if (date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60) return ms + (fraction ?? 0) * 1000;
  }
  throw new HttpFault(400, "Invalid datetime string: Datetime is in invalid format");
};

/** `2030-01-01T00:00:00.000000`: how Nova writes its naive UTC datetimes. */
export const novaTimeText = (ms: number): string => {
  const whole = Math.floor(ms);
  const micros = String((whole % 1000) * 1000 + Math.min(999, Math.round((ms - whole) * 1000))).padStart(6, "0");
  return `${new Date(whole).toISOString().slice(0, 19)}.${micros}`;
};

const listParameters = new Set(["start", "end", "detailed", "limit", "marker"]);
const showParameters = new Set(["start", "end", "limit", "marker"]);

const periodOf = (deps: MeteringDeps, c: Context<TenantUsageEnv>, known: ReadonlySet<string>): Period & { now: number; limit: number; marker: string | undefined } => {
  const version = c.get("microversion");
  const queries = c.req.queries();
  // 2.75 closed the query schema: an unknown parameter is refused rather than ignored.
  if (atLeast(version, 75)) {
    const unexpected = Object.keys(queries).filter((name) => !known.has(name));
    if (unexpected.length > 0) throw new HttpFault(400, `Invalid input for query parameters ${unexpected[0]}. Value: ${queries[unexpected[0]!]?.[0] ?? ""}. Additional properties are not allowed ('${unexpected[0]}' was unexpected)`);
  }
  const now = deps.now();
  const start = parseNovaTime(c.req.query("start"), now);
  const end = parseNovaTime(c.req.query("end"), now);
  if (!(start < end)) throw new HttpFault(400, "Invalid start time. The start time cannot occur after the end time.");
  const paging = atLeast(version, 40);
  const limitText = paging ? c.req.query("limit") : undefined;
  if (limitText !== undefined && !/^\d+$/.test(limitText)) throw new HttpFault(400, `Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' does not match '^[0-9]*$'`);
  const limit = Math.min(limitText === undefined ? MAX_LIMIT : Number(limitText), MAX_LIMIT);
  // Nova bills no further than now (`if period_stop > now: period_stop = now`): the CLI's default
  // end is tomorrow, and a running server has not run those hours yet.
  return { start, end: Math.min(end, now), now, limit, marker: paging ? c.req.query("marker") : undefined };
};

// Formatting two datetimes is most of a server's cost in a big report (~1.2 µs each); intervals
// are immutable (a change makes a new one), so their texts are kept by identity.
const timeTexts = new WeakMap<UsageInterval, { readonly startedAt: string; readonly endedAt: string | null }>();
const timeTextsOf = (interval: UsageInterval) => {
  let texts = timeTexts.get(interval);
  if (texts === undefined) {
    texts = { startedAt: novaTimeText(interval.startedAt), endedAt: interval.endedAt === undefined ? null : novaTimeText(interval.endedAt) };
    timeTexts.set(interval, texts);
  }
  return texts;
};

const serverUsageView = (usage: ServerPeriodUsage, now: number) => {
  const { interval, hours } = usage;
  const until = interval.endedAt ?? now;
  const texts = timeTextsOf(interval);
  return {
    instance_id: interval.serverId,
    name: interval.name,
    tenant_id: interval.projectId,
    flavor: interval.flavor.name,
    hours,
    memory_mb: interval.flavor.ramMb,
    local_gb: interval.flavor.localGb,
    vcpus: interval.flavor.vcpus,
    started_at: texts.startedAt,
    ended_at: texts.endedAt,
    state: interval.endedAt === undefined ? interval.vmState : "terminated",
    uptime: Math.max(0, Math.floor((until - interval.startedAt) / 1000)),
  };
};

const tenantUsageView = (usage: ProjectPeriodUsage, period: Period, detailed: boolean, now: number) => ({
  tenant_id: usage.projectId,
  ...(detailed ? { server_usages: usage.servers.map((server) => serverUsageView(server, now)) } : {}),
  total_local_gb_usage: usage.diskGbHours,
  total_vcpus_usage: usage.vcpuHours,
  total_memory_mb_usage: usage.ramMbHours,
  total_hours: usage.hours,
  start: novaTimeText(period.start),
  stop: novaTimeText(period.end),
});

/** Nova's `get_links`: a `next` link with the page's last server as the marker, when the page is full. */
const pageLinks = (deps: MeteringDeps, c: Context<TenantUsageEnv>, path: string, servers: ReadonlyArray<ServerPeriodUsage>, limit: number) => {
  const last = servers.at(-1);
  if (!atLeast(c.get("microversion"), 40) || last === undefined || servers.length < limit) return undefined;
  const params = new URLSearchParams(c.req.query());
  params.set("marker", last.interval.serverId);
  return [{ rel: "next", href: `${deps.publicUrl}/compute/v2.1/${path}?${params.toString()}` }];
};

export const tenantUsageRoutes = (deps: MeteringDeps) =>
  new Hono<TenantUsageEnv>()
    .use("*", negotiateMicroversion())
    .use("*", requireMeterCaller(deps))
    .get("/", (c) => {
      enforceMetering(c.get("meterCaller"), "os_compute_api:os-simple-tenant-usage:list");
      const query = periodOf(deps, c, listParameters);
      const detailed = c.req.query("detailed") === "1";
      const page = usageForPeriod(meterDocument(deps), query, { limit: query.limit, ...(query.marker === undefined ? {} : { marker: query.marker }) });
      if (!page.markerFound) throw new HttpFault(400, `marker [${query.marker ?? ""}] not found`);
      const links = pageLinks(deps, c, "os-simple-tenant-usage", page.servers, query.limit);
      return c.json({
        // The request's one clock: the period was cut at it, and uptimes run to it.
        tenant_usages: page.projects.map((usage) => tenantUsageView(usage, query, detailed, query.now)),
        ...(links === undefined ? {} : { tenant_usages_links: links }),
      });
    })
    .get("/:tenantId", (c) => {
      const tenantId = c.req.param("tenantId");
      enforceMetering(c.get("meterCaller"), "os_compute_api:os-simple-tenant-usage:show", tenantId);
      const query = periodOf(deps, c, showParameters);
      const page = usageForPeriod(meterDocument(deps), query, {
        projectId: tenantId,
        limit: query.limit,
        ...(query.marker === undefined ? {} : { marker: query.marker }),
      });
      if (!page.markerFound) throw new HttpFault(400, `marker [${query.marker ?? ""}] not found`);
      const usage = page.projects[0];
      const links = pageLinks(deps, c, `os-simple-tenant-usage/${tenantId}`, page.servers, query.limit);
      return c.json({
        tenant_usage: usage === undefined ? {} : tenantUsageView(usage, query, true, query.now),
        ...(links === undefined ? {} : { tenant_usage_links: links }),
      });
    });
