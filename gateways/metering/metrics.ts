/**
 * `GET /metrics`: fabric-wide gauges and counters in the Prometheus text exposition format 0.0.4,
 * from the meter's document (admin token). Cloud-wide only, no per-project label: usage per
 * project is the metering API's business, and labels by project would grow without bound.
 */
import { Hono } from "hono";
import { serversByStatus, usageToDate, type ServerStatus } from "@weft/projections/metering";
import type { MeteringDeps, MeteringEnv } from "./context.ts";
import { enforceMetering, meterDocument, requireMeterCaller } from "./policy.ts";

export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

const statuses: ReadonlyArray<ServerStatus> = ["BUILD", "ACTIVE", "SHUTOFF", "REBOOT", "HARD_REBOOT", "ERROR"];

const labelValue = (value: string) => value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

const family = (name: string, type: "gauge" | "counter", help: string, samples: ReadonlyArray<readonly [string, number]>) =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}${labels} ${value}`)].join("\n");

export const metricsRoutes = (deps: MeteringDeps) =>
  new Hono<MeteringEnv>().use("*", requireMeterCaller(deps)).get("/", (c) => {
    enforceMetering(c.get("meterCaller"), "metering:metrics");
    const doc = meterDocument(deps);
    const byStatus = serversByStatus(doc);
    const usage = usageToDate(doc, deps.now());
    const text = [
      family("weft_servers", "gauge", "Servers that exist, by Nova status.", statuses.map((status) => [`{status="${status}"}`, byStatus.get(status) ?? 0] as const)),
      family(
        "weft_events_total",
        "counter",
        "Events the meter has folded, by CloudEvents type.",
        doc.eventCounts.entrySeq().sortBy(([type]) => type).map(([type, count]) => [`{type="${labelValue(type)}"}`, count] as const).toArray(),
      ),
      family("weft_meter_position", "gauge", "Position in the global log of the last event the meter folded.", [["", doc.position]]),
      family("weft_instance_hours_total", "counter", "Instance-hours of every server launched, to now.", [["", usage.hours]]),
      family("weft_vcpu_hours_total", "counter", "vCPU-hours of every server launched, to now.", [["", usage.vcpuHours]]),
      family("weft_ram_mb_hours_total", "counter", "RAM MB-hours of every server launched, to now.", [["", usage.ramMbHours]]),
      family("weft_disk_gb_hours_total", "counter", "Local disk GB-hours of every server launched, to now.", [["", usage.diskGbHours]]),
    ].join("\n");
    return c.body(`${text}\n`, 200, { "content-type": prometheusContentType });
  });
