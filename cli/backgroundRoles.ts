/**
 * The all-in-one's background roles: the scheduler, the host relay, the public events relay, its
 * own fake-driver host agent and the build timeouts, and the sqlite store's WAL checkpoints. They only follow the log and send commands,
 * as separate role processes would, so `weft up` runs them in a worker thread with a NATS
 * connection and an event store instance of their own: their work no longer queues in front of
 * API requests on the gateway's thread (docs/benchmarks.md, `POST /servers` latency).
 *
 * The thread tells the process it is ready once every role has started, and stops when asked,
 * closing the roles in reverse order; if it ends any other way, `weft up` fails with it.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { Data, Deferred, Effect } from "effect";
import { makeFakeDriver } from "@weft/agents/drivers";
import { runHostAgent } from "@weft/agents/hostAgent";
import { runEventRelay } from "@weft/infra/events";
import { runWalCheckpoints, sqlitePathOf } from "@weft/infra/eventStore";
import { watchHeartbeats } from "@weft/infra/host";
import { runBuildTimeouts, runScheduler } from "@weft/infra/processManagers";
import { runRelay } from "@weft/infra/relay";
import { fileCheckpointStore } from "@weft/infra/runtime";
import { infrastructureLayer } from "./roles.ts";

export interface BackgroundRolesSettings {
  readonly natsUrl: string;
  readonly eventStore: string;
  readonly dataDir: string;
  /** The all-in-one's own compute host. */
  readonly host: string;
  readonly buildTimeoutMs: number;
}

/** The roles themselves, in whichever thread runs them; they run until the scope closes. */
export const startBackgroundRoles = (settings: BackgroundRolesSettings) =>
  Effect.gen(function* () {
    // Its own view of the heartbeats: a host counts as up for a while after the watch starts.
    const liveness = yield* watchHeartbeats();
    const checkpoints = fileCheckpointStore(join(settings.dataDir, "checkpoints"));
    yield* runScheduler({ checkpoints, isUp: liveness.isUp });
    yield* runRelay({ checkpoints });
    // Public subjects weft.events.<context>.<EventType>, from its own checkpoint.
    yield* runEventRelay({ checkpoints });
    yield* runHostAgent({ host: settings.host, driver: makeFakeDriver({ stateFile: join(settings.dataDir, "fake", `${settings.host}.json`) }) });
    yield* runBuildTimeouts({ buildTimeoutMs: settings.buildTimeoutMs });
    // The gateway's thread appends; checkpointing its log here keeps the copy and fsync off it.
    const sqlitePath = sqlitePathOf(settings.eventStore);
    if (sqlitePath !== undefined) yield* runWalCheckpoints(sqlitePath);
  });

/** The thread's own NATS connection, command bus and event store instance (it appends nothing). */
export const backgroundRolesLayer = (settings: BackgroundRolesSettings) =>
  infrastructureLayer(settings.natsUrl, settings.eventStore, { walCheckpointThread: false });

/** What the thread tells the process. */
export type BackgroundRolesReport = { readonly kind: "ready" } | { readonly kind: "failed"; readonly message: string };

/** What the process tells the thread. */
export type BackgroundRolesOrder = { readonly kind: "stop" };

export class BackgroundRolesFailed extends Data.TaggedError("BackgroundRolesFailed")<{ readonly message: string }> {}

export interface RunningBackgroundRoles {
  /** Fails when the thread ends without being asked to; never succeeds. */
  readonly failure: Effect.Effect<never, BackgroundRolesFailed>;
}

const BACKGROUND_YOUNG_GENERATION_MB = 12;

const threadEntry = new URL("./backgroundRolesThread.ts", import.meta.url);

/**
 * Starts the roles' thread and waits until they run; closing the scope stops them and waits for
 * the thread to end (ten seconds at most, then it is terminated).
 */
export const runBackgroundRolesThread = (settings: BackgroundRolesSettings) =>
  Effect.gen(function* () {
    // Completed once, with why the thread ended: its report, its error or its exit.
    const ended = Deferred.makeUnsafe<never, BackgroundRolesFailed>();
    const end = (message: string) => void Deferred.doneUnsafe(ended, Effect.fail(new BackgroundRolesFailed({ message })));
    let stopping = false;

    yield* Effect.acquireRelease(
      Effect.raceFirst(
        Effect.callback<Worker>((resume) => {
          // A small young generation: the roles' garbage is short-lived batches, and the default
          // (three times --max-semi-space-size) kept ~50 MB of the thread's heap empty.
          const started = new Worker(threadEntry, { workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: BACKGROUND_YOUNG_GENERATION_MB } });
          started.on("message", (report: BackgroundRolesReport) => (report.kind === "ready" ? resume(Effect.succeed(started)) : end(report.message)));
          started.on("error", (error) => end(`the background roles thread failed: ${error.stack ?? error.message}`));
          started.on("exit", (code) => end(`the background roles thread ended (exit code ${code})`));
        }),
        Deferred.await(ended),
      ),
      (running) =>
        Effect.suspend(() => {
          stopping = true;
          running.postMessage({ kind: "stop" } satisfies BackgroundRolesOrder);
          return Deferred.await(ended).pipe(
            Effect.ignore,
            Effect.timeoutOrElse({ duration: "10 seconds", orElse: () => Effect.promise(() => running.terminate()) }),
            Effect.asVoid,
          );
        }),
    );
    // Asked to stop, the thread's end is the expected one, and the process is closing anyway.
    const failure = Deferred.await(ended).pipe(Effect.catch((reason) => (stopping ? Effect.never : Effect.fail(reason))));
    return { failure } satisfies RunningBackgroundRoles;
  });
