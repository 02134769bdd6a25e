/**
 * Usage over a period, from the metering document, counted as Nova's os-simple-tenant-usage
 * counts it (nova/api/openstack/compute/simple_tenant_usage.py): a server is in a period when it
 * launched before the period's end and was not deleted by its start; its hours are its interval
 * clipped to the period, a server still running counting to the period's end. A project's query
 * reads that project's intervals only.
 */
import type { MeteringDocument, ServerStatus, UsageInterval } from "./document.ts";

/** Milliseconds since the epoch; `start < end`. */
export interface Period {
  readonly start: number;
  readonly end: number;
}

export interface ServerPeriodUsage {
  readonly interval: UsageInterval;
  readonly hours: number;
}

export interface UsageTotals {
  readonly hours: number;
  readonly vcpuHours: number;
  readonly ramMbHours: number;
  readonly diskGbHours: number;
}

export interface ProjectPeriodUsage extends UsageTotals {
  readonly projectId: string;
  readonly servers: ReadonlyArray<ServerPeriodUsage>;
}

export const noUsage: UsageTotals = { hours: 0, vcpuHours: 0, ramMbHours: 0, diskGbHours: 0 };

const HOUR_MS = 3_600_000;

/** Nova's `_hours_for`: the interval clipped to the period, in hours (0 when they do not meet). */
export const hoursIn = (interval: UsageInterval, period: Period): number => {
  if (interval.endedAt !== undefined && interval.endedAt < period.start) return 0;
  if (interval.startedAt > period.end) return 0;
  const start = Math.max(interval.startedAt, period.start);
  const stop = interval.endedAt === undefined ? period.end : Math.min(period.end, interval.endedAt);
  return Math.max(0, stop - start) / HOUR_MS;
};

/** Nova's `get_active_by_window_joined`: launched before the end, not deleted by the start. */
export const inPeriod = (interval: UsageInterval, period: Period): boolean =>
  interval.startedAt < period.end && (interval.endedAt === undefined || interval.endedAt > period.start);

export const addUsage = (totals: UsageTotals, usage: ServerPeriodUsage): UsageTotals => ({
  hours: totals.hours + usage.hours,
  vcpuHours: totals.vcpuHours + usage.interval.flavor.vcpus * usage.hours,
  ramMbHours: totals.ramMbHours + usage.interval.flavor.ramMb * usage.hours,
  diskGbHours: totals.diskGbHours + usage.interval.flavor.localGb * usage.hours,
});

export interface UsagePage {
  /** Projects with a server in the page, in the order their servers come. */
  readonly projects: ReadonlyArray<ProjectPeriodUsage>;
  /** The page's servers, in order: the last one is the next page's marker. */
  readonly servers: ReadonlyArray<ServerPeriodUsage>;
  /** False when a marker was given and is not a server of the listing. */
  readonly markerFound: boolean;
}

export interface PageOptions {
  /** Only this project's servers. */
  readonly projectId?: string;
  /** The server id after which the page starts (Nova 2.40). */
  readonly marker?: string;
  readonly limit?: number;
}

const intervalsOf = (doc: MeteringDocument, projectId: string | undefined): Iterable<UsageInterval> =>
  projectId === undefined ? doc.usage.valueSeq().flatMap((intervals) => intervals.valueSeq()) : (doc.usage.get(projectId)?.valueSeq() ?? []);

/**
 * The usage of the servers in the period, grouped by project, a page at a time: servers in launch
 * order (per project, projects in order of their first launch), from after `marker`.
 */
export const usageForPeriod = (doc: MeteringDocument, period: Period, options: PageOptions = {}): UsagePage => {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const projects = new Map<string, { totals: UsageTotals; servers: ServerPeriodUsage[] }>();
  const servers: ServerPeriodUsage[] = [];
  let markerFound = options.marker === undefined;
  for (const interval of intervalsOf(doc, options.projectId)) {
    if (!inPeriod(interval, period)) continue;
    if (!markerFound) {
      markerFound = interval.serverId === options.marker;
      continue;
    }
    if (servers.length >= limit) break;
    const usage = { interval, hours: hoursIn(interval, period) };
    servers.push(usage);
    const project = projects.get(interval.projectId) ?? { totals: noUsage, servers: [] };
    project.totals = addUsage(project.totals, usage);
    project.servers.push(usage);
    projects.set(interval.projectId, project);
  }
  return {
    projects: [...projects].map(([projectId, { totals, servers }]) => ({ projectId, ...totals, servers })),
    servers,
    markerFound,
  };
};

/** A project's totals over the period, without paging. */
export const projectTotals = (doc: MeteringDocument, projectId: string, period: Period): UsageTotals => {
  let totals = noUsage;
  for (const interval of intervalsOf(doc, projectId)) {
    if (inPeriod(interval, period)) totals = addUsage(totals, { interval, hours: hoursIn(interval, period) });
  }
  return totals;
};

export interface FlavorPeriodUsage extends UsageTotals {
  readonly flavorId: string;
  readonly flavorName: string;
}

/** A project's usage over the period per flavor (instance-hours per flavor), in first-seen order. */
export const flavorUsage = (doc: MeteringDocument, projectId: string, period: Period): ReadonlyArray<FlavorPeriodUsage> => {
  const flavors = new Map<string, FlavorPeriodUsage>();
  for (const interval of intervalsOf(doc, projectId)) {
    if (!inPeriod(interval, period)) continue;
    const seen = flavors.get(interval.flavor.id) ?? { flavorId: interval.flavor.id, flavorName: interval.flavor.name, ...noUsage };
    flavors.set(interval.flavor.id, { ...seen, ...addUsage(seen, { interval, hours: hoursIn(interval, period) }) });
  }
  return [...flavors.values()];
};

export interface SeriesPoint extends UsageTotals {
  readonly start: number;
  readonly end: number;
}

/** A project's usage in consecutive steps from the period's start (the last step cut at its end). */
export const usageSeries = (doc: MeteringDocument, projectId: string, period: Period, stepMs: number): ReadonlyArray<SeriesPoint> => {
  const points: SeriesPoint[] = [];
  for (let start = period.start; start < period.end; start += stepMs) {
    points.push({ start, end: Math.min(start + stepMs, period.end), ...noUsage });
  }
  for (const interval of intervalsOf(doc, projectId)) {
    if (!inPeriod(interval, period)) continue;
    // Only the steps the interval overlaps, so a long series costs what its servers touch.
    const first = Math.max(0, Math.floor((interval.startedAt - period.start) / stepMs));
    const last = interval.endedAt === undefined ? points.length - 1 : Math.min(points.length - 1, Math.floor((interval.endedAt - period.start) / stepMs));
    for (let index = first; index <= last; index += 1) {
      const point = points[index]!;
      const hours = hoursIn(interval, point);
      if (hours > 0) points[index] = { ...point, ...addUsage(point, { interval, hours }) };
    }
  }
  return points;
};

/** Servers that exist (not deleted) by Nova status, for the `weft_servers` gauge. */
export const serversByStatus = (doc: MeteringDocument): ReadonlyMap<ServerStatus, number> => {
  const counts = new Map<ServerStatus, number>();
  for (const server of doc.live.values()) counts.set(server.status, (counts.get(server.status) ?? 0) + 1);
  return counts;
};

/** Usage of every server from its launch to `asOf` (the meter's clock): the fabric's counters. */
export const usageToDate = (doc: MeteringDocument, asOf: number): UsageTotals => {
  let totals = noUsage;
  for (const intervals of doc.usage.values()) {
    for (const interval of intervals.values()) {
      const stop = Math.min(interval.endedAt ?? asOf, asOf);
      if (stop > interval.startedAt) totals = addUsage(totals, { interval, hours: (stop - interval.startedAt) / HOUR_MS });
    }
  }
  return totals;
};
