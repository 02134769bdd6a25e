/**
 * Weft's own metering API, mounted at `/metering/v1` (docs/metering.md): usage per project per
 * period, per resource, and as a time series. Times are RFC 3339; usage is counted up to the
 * period's end or now, whichever comes first, as os-simple-tenant-usage counts it.
 *
 *   GET /metering/v1/usage                           every project's totals (admin)
 *   GET /metering/v1/projects/{id}/usage             one project's totals and per-flavor usage
 *   GET /metering/v1/projects/{id}/resources         its servers' usage, one entry each
 *   GET /metering/v1/projects/{id}/series?step=S     its usage in steps of S seconds
 *
 * Query: `start` (required), `end` (default now), `step` (series only, seconds, at most 10,000
 * steps; steps run from start to `counted_until`, the last one cut there). Faults are Keystone-style `{"error": {code, title, message}}`.
 */
import { Hono, type Context } from "hono";
import {
  flavorUsage,
  projectTotals,
  usageForPeriod,
  usageSeries,
  type Period,
  type ServerPeriodUsage,
  type UsageTotals,
} from "@weft/projections/metering";
import { HttpFault } from "../http/faults.ts";
import type { MeteringDeps, MeteringEnv } from "./context.ts";
import { enforceMetering, meterDocument, requireMeterCaller } from "./policy.ts";

const MAX_POINTS = 10_000;
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const timeParameter = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const ms = rfc3339.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new HttpFault(400, `${name} must be an RFC 3339 time such as 2030-01-01T00:00:00Z, got "${text}".`);
  return ms;
};

const known = new Set(["start", "end", "step"]);

/** The period asked for, and the part of it that has happened: what is counted. */
const periodOf = (deps: MeteringDeps, c: Context<MeteringEnv>): { asked: Period; counted: Period } => {
  for (const name of Object.keys(c.req.queries())) {
    if (!known.has(name)) throw new HttpFault(400, `Unknown query parameter ${name}: expected start, end or step.`);
  }
  const now = deps.now();
  const start = timeParameter("start", c.req.query("start"));
  if (start === undefined) throw new HttpFault(400, "start is required (an RFC 3339 time).");
  const end = timeParameter("end", c.req.query("end")) ?? now;
  if (!(start < end)) throw new HttpFault(400, "end must be after start.");
  return { asked: { start, end }, counted: { start, end: Math.max(start, Math.min(end, now)) } };
};

const totalsView = (totals: UsageTotals) => ({
  instance_hours: totals.hours,
  vcpu_hours: totals.vcpuHours,
  ram_mb_hours: totals.ramMbHours,
  disk_gb_hours: totals.diskGbHours,
});

const periodView = ({ asked, counted }: { asked: Period; counted: Period }) => ({
  start: new Date(asked.start).toISOString(),
  end: new Date(asked.end).toISOString(),
  counted_until: new Date(counted.end).toISOString(),
});

const resourceView = ({ interval, hours }: ServerPeriodUsage) => ({
  resource_id: interval.serverId,
  resource_type: "server",
  name: interval.name,
  flavor_id: interval.flavor.id,
  flavor_name: interval.flavor.name,
  vcpus: interval.flavor.vcpus,
  ram_mb: interval.flavor.ramMb,
  disk_gb: interval.flavor.localGb,
  started_at: new Date(interval.startedAt).toISOString(),
  ended_at: interval.endedAt === undefined ? null : new Date(interval.endedAt).toISOString(),
  ...totalsView({ hours, vcpuHours: interval.flavor.vcpus * hours, ramMbHours: interval.flavor.ramMb * hours, diskGbHours: interval.flavor.localGb * hours }),
});

const projectOf = (c: Context<MeteringEnv>) => {
  const projectId = c.req.param("projectId") ?? "";
  enforceMetering(c.get("meterCaller"), "metering:usage:show", projectId);
  return projectId;
};

export const meteringApiRoutes = (deps: MeteringDeps) =>
  new Hono<MeteringEnv>()
    .use("*", requireMeterCaller(deps))
    .get("/usage", (c) => {
      enforceMetering(c.get("meterCaller"), "metering:usage:list");
      const period = periodOf(deps, c);
      const page = usageForPeriod(meterDocument(deps), period.counted);
      return c.json({ ...periodView(period), usages: page.projects.map((project) => ({ project_id: project.projectId, ...totalsView(project) })) });
    })
    .get("/projects/:projectId/usage", (c) => {
      const projectId = projectOf(c);
      const period = periodOf(deps, c);
      const doc = meterDocument(deps);
      return c.json({
        usage: {
          project_id: projectId,
          ...periodView(period),
          ...totalsView(projectTotals(doc, projectId, period.counted)),
          flavors: flavorUsage(doc, projectId, period.counted).map((flavor) => ({ flavor_id: flavor.flavorId, flavor_name: flavor.flavorName, ...totalsView(flavor) })),
        },
      });
    })
    .get("/projects/:projectId/resources", (c) => {
      const projectId = projectOf(c);
      const period = periodOf(deps, c);
      const page = usageForPeriod(meterDocument(deps), period.counted, { projectId });
      return c.json({ project_id: projectId, ...periodView(period), resources: page.servers.map(resourceView) });
    })
    .get("/projects/:projectId/series", (c) => {
      const projectId = projectOf(c);
      const period = periodOf(deps, c);
      const stepText = c.req.query("step");
      if (stepText === undefined || !/^[1-9]\d*$/.test(stepText)) throw new HttpFault(400, "step is required: a whole number of seconds, at least 1.");
      const stepMs = Number(stepText) * 1000;
      if ((period.asked.end - period.asked.start) / stepMs > MAX_POINTS) throw new HttpFault(400, `At most ${MAX_POINTS} steps per series: use a longer step or a shorter period.`);
      return c.json({
        project_id: projectId,
        ...periodView(period),
        step: Number(stepText),
        points: usageSeries(meterDocument(deps), projectId, period.counted, stepMs).map((point) => ({
          start: new Date(point.start).toISOString(),
          end: new Date(point.end).toISOString(),
          ...totalsView(point),
        })),
      });
    });
