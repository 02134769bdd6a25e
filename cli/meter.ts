/**
 * `weft meter`: the metering service in a process of its own, joined to a running cloud by its
 * gateway's URL only (docs/metering.md). It follows the public event stream as admin, keeps its
 * checkpoint in `<WEFT_DATA_DIR>/meter/`, and serves os-simple-tenant-usage, `/metering/v1` and
 * `/metrics` on WEFT_METER_PORT (5002 by default), checking tokens with the cloud's Keystone.
 *
 * Settings: WEFT_GATEWAY_URL (default http://127.0.0.1:<WEFT_HTTP_PORT>), WEFT_ADMIN_PASSWORD (or
 * the password `weft up` generated in the same data dir), WEFT_METER_PORT, WEFT_METER_HOST
 * (default WEFT_HTTP_HOST), WEFT_METER_PUBLIC_URL.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Config, Effect } from "effect";
import { runMeterService } from "@weft/gateways";
import { UsageError } from "./agent.ts";
import { weftConfig } from "./config.ts";

export const DEFAULT_METER_PORT = 5002;

export const meterUsage = "weft meter   (settings: WEFT_GATEWAY_URL, WEFT_ADMIN_PASSWORD, WEFT_METER_PORT, WEFT_METER_HOST, WEFT_METER_PUBLIC_URL)";

const meterSettings = Effect.gen(function* () {
  const config = yield* weftConfig;
  const gatewayUrl = yield* Config.String("WEFT_GATEWAY_URL").pipe(Config.withDefault(`http://127.0.0.1:${config.httpPort}`));
  const port = yield* Config.Port("WEFT_METER_PORT").pipe(Config.withDefault(DEFAULT_METER_PORT));
  const host = yield* Config.String("WEFT_METER_HOST").pipe(Config.withDefault(config.httpHost));
  const publicUrl = yield* Config.String("WEFT_METER_PUBLIC_URL").pipe(Config.option);
  const password =
    config.adminPassword ??
    (yield* Effect.tryPromise(() => readFile(join(config.dataDir, "keys", "admin-password"), "utf8")).pipe(
      Effect.map((text) => text.trim()),
      Effect.mapError(() => new UsageError({ message: `WEFT_ADMIN_PASSWORD is not set and ${config.dataDir}/keys/admin-password does not exist: the meter logs in as admin` })),
    ));
  return {
    gatewayUrl: gatewayUrl.replace(/\/+$/, ""),
    host,
    port,
    ...(publicUrl._tag === "Some" ? { publicUrl: publicUrl.value.replace(/\/+$/, "") } : {}),
    password,
    dir: join(config.dataDir, "meter"),
  };
});

export const meter = Effect.gen(function* () {
  const settings = yield* meterSettings;
  const running = yield* runMeterService({ ...settings, adminUser: "admin", adminPassword: settings.password, adminProject: "admin" });
  console.log(`weft meter: serving ${running.url} (os-simple-tenant-usage, /metering/v1, /metrics), following ${settings.gatewayUrl}/events/v1/stream`);
  // Runs until interrupted, or until the cloud refuses the meter (a wrong password, say).
  return yield* running.meter.stopped.pipe(Effect.mapError((refused) => new UsageError({ message: `the cloud refused the meter: ${refused.message}` })));
}).pipe(Effect.scoped);
