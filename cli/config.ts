/**
 * The operator interface: every `WEFT_*` setting, read once through Effect's Config so a bad
 * value (a port that is not a number, an unknown store URL) stops start-up with a clear message.
 * Names are published (ARCHITECTURE.md): tests and users rely on them.
 */
import { resolve } from "node:path";
import { Config, Effect } from "effect";

export interface WeftConfig {
  readonly dataDir: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly publicUrl: string | undefined;
  /** Undefined: start a private nats-server in the data dir. */
  readonly natsUrl: string | undefined;
  readonly eventStore: string;
  readonly adminPassword: string | undefined;
  readonly region: string;
}

export const DEFAULT_HTTP_PORT = 5000;

export const weftConfig = Effect.gen(function* () {
  const dataDir = resolve(yield* Config.String("WEFT_DATA_DIR").pipe(Config.withDefault(".weft")));
  const httpHost = yield* Config.String("WEFT_HTTP_HOST").pipe(Config.withDefault("127.0.0.1"));
  const httpPort = yield* Config.Port("WEFT_HTTP_PORT").pipe(Config.withDefault(DEFAULT_HTTP_PORT));
  const publicUrl = yield* Config.String("WEFT_PUBLIC_URL").pipe(Config.option);
  const natsUrl = yield* Config.NonEmptyString("WEFT_NATS_URL").pipe(Config.option);
  const eventStore = yield* Config.String("WEFT_EVENT_STORE").pipe(Config.withDefault(`sqlite:${dataDir}/events.sqlite`));
  const adminPassword = yield* Config.NonEmptyString("WEFT_ADMIN_PASSWORD").pipe(Config.option);
  const region = yield* Config.String("WEFT_REGION").pipe(Config.withDefault("RegionOne"));
  return {
    dataDir,
    httpHost,
    httpPort,
    publicUrl: publicUrl._tag === "Some" ? publicUrl.value.replace(/\/+$/, "") : undefined,
    natsUrl: natsUrl._tag === "Some" ? natsUrl.value : undefined,
    eventStore,
    adminPassword: adminPassword._tag === "Some" ? adminPassword.value : undefined,
    region,
  } satisfies WeftConfig;
});
