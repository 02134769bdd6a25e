/**
 * `weft up`: the whole cloud in one process. A private nats-server in the data dir unless
 * WEFT_NATS_URL names one, the embedded sqlite store, command handlers, the heartbeat monitor,
 * the identity bootstrap on first start, and the gateway; then it prints where the cloud is and
 * writes clouds.yaml; then, in a worker thread (`backgroundRoles.ts`), the scheduler, the relay,
 * the public events relay, one fake-driver host agent (host WEFT_HOST, or the machine's name made
 * a valid host name) and the build timeouts (WEFT_BUILD_TIMEOUT_MS, ten minutes by default). Interrupting it (SIGINT/SIGTERM)
 * closes everything in reverse order, snapshotting read models.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { Config, Effect } from "effect";
import { runGateway } from "@weft/gateways";
import { keptLogin, runMeter, type RunningMeter } from "@weft/infra/metering";
import { hostNameFrom, watchHeartbeats } from "@weft/infra/host";
import { startNatsServer } from "@weft/infra/nats";
import { defaultBuildTimeoutMs } from "@weft/infra/processManagers";
import { weftConfig } from "./config.ts";
import { runBackgroundRolesThread } from "./backgroundRoles.ts";
import { adminPassword, cloudsYaml, ensureDataDir, tokenKey, writeCloudsYaml } from "./dataDir.ts";
import { bootstrapIdentity, infrastructureLayer, serveCommandHandlers } from "./roles.ts";

const privateNatsServer = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.tryPromise(() => startNatsServer({ storeDir: join(dataDir, "nats"), pidFile: join(dataDir, "nats-server.pid") })),
    (server) => Effect.promise(() => server.stop()),
  );

// The user's clouds.yaml is written only when absent or when weft wrote it, never over a user's own.
const writeUserCloudsYaml = (content: string) =>
  Effect.tryPromise(async () => {
    const dir = join(homedir(), ".config", "openstack");
    const path = join(dir, "clouds.yaml");
    if (existsSync(path) && !readFileSync(path, "utf8").startsWith("# Written by `weft up`")) return undefined;
    await mkdir(dir, { recursive: true });
    await writeFile(path, content, { mode: 0o600 });
    return path;
  }).pipe(Effect.orElseSucceed(() => undefined));

/** The all-in-one's own compute host and its build timeout. */
const upSettings = Effect.gen(function* () {
  const host = yield* Config.NonEmptyString("WEFT_HOST").pipe(Config.withDefault(hostNameFrom(hostname())));
  const buildTimeoutMs = yield* Config.Int("WEFT_BUILD_TIMEOUT_MS").pipe(Config.withDefault(defaultBuildTimeoutMs));
  return { host, buildTimeoutMs };
});

export const up = Effect.gen(function* () {
  const config = yield* weftConfig;
  const settings = yield* upSettings;
  yield* ensureDataDir(config.dataDir);
  const natsUrl = config.natsUrl ?? (yield* privateNatsServer(config.dataDir)).url;
  const password = yield* adminPassword(config.dataDir, config.adminPassword);
  const key = yield* tokenKey(config.dataDir);

  yield* Effect.gen(function* () {
    yield* serveCommandHandlers;
    // Listening from the start, so agents heard in the first seconds count; it folds nothing.
    const liveness = yield* watchHeartbeats();
    // The meter starts once the gateway it follows is up; its routes answer 503 until then, and
    // again if it stops for good (its login refused): a frozen document would bill wrongly.
    let meter: RunningMeter | undefined = undefined;
    let meterStopped = false;
    const gateway = yield* runGateway({
      host: config.httpHost,
      port: config.httpPort,
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
      region: config.region,
      tokenKey: key,
      snapshotDir: join(config.dataDir, "snapshots"),
      dataDir: config.dataDir,
      hostLiveness: liveness,
      meter: () => (meterStopped ? undefined : meter?.current()),
    });
    const firstStart = yield* bootstrapIdentity({ adminPassword: password });
    const authUrl = `${gateway.url}/identity/v3`;
    const yaml = cloudsYaml(authUrl, password, config.region);
    const cloudsPath = yield* writeCloudsYaml(config.dataDir, yaml);
    const userCloudsPath = yield* writeUserCloudsYaml(yaml);
    // The bootstrap went past the gateway's command sender: a login right after "Weft is up"
    // must find the admin user.
    yield* gateway.settled;
    console.log(
      [
        `Weft is up${firstStart ? " (identity bootstrapped)" : ""}.`,
        `  auth URL:    ${authUrl}`,
        `  admin:       admin / ${config.adminPassword === undefined ? password : "(WEFT_ADMIN_PASSWORD)"}  (project admin, domain Default)`,
        `  data dir:    ${config.dataDir}`,
        `  NATS:        ${natsUrl}${config.natsUrl === undefined ? " (private)" : ""}`,
        `  clouds.yaml: ${cloudsPath}${userCloudsPath === undefined ? "" : ` and ${userCloudsPath}`}`,
        `  try:         ${userCloudsPath === undefined ? `OS_CLIENT_CONFIG_FILE=${cloudsPath} ` : ""}OS_CLOUD=weft openstack token issue`,
      ].join("\n"),
    );
    // Last, in a thread of their own: each folds what it needs from the whole log first, and only
    // servers need them.
    const background = yield* runBackgroundRolesThread({ natsUrl, eventStore: config.eventStore, dataDir: config.dataDir, ...settings });
    // The meter, in-process: the public event stream through the app itself, as admin.
    const inProcess = (url: string, init: RequestInit) => Promise.resolve(gateway.app.request(url, init));
    const login = keptLogin({ authUrl: gateway.url, userName: "admin", password, projectName: "admin", fetch: inProcess });
    // Checkpointed once a minute, as the gateway's snapshots are: each write packs the whole
    // document on the thread the gateway answers from (~50 ms at 2,000 servers), and a restart
    // refolds what came after the checkpoint exactly, so only its time depends on the interval.
    meter = yield* runMeter({ stream: { url: gateway.url, fetch: inProcess, token: () => login(true) }, dir: join(config.dataDir, "meter"), checkpointEveryMs: 60_000 });
    yield* meter.stopped.pipe(Effect.catch(() => Effect.sync(() => void (meterStopped = true))), Effect.forkScoped);
    return yield* background.failure;
    // Its own scope, closed before the layer's: gateway and handlers stop before the store closes.
    // The background roles thread checkpoints a sqlite store's log: this thread never pays for it.
  }).pipe(Effect.scoped, Effect.provide(infrastructureLayer(natsUrl, config.eventStore, { walCheckpointThread: false })));
}).pipe(Effect.scoped);
