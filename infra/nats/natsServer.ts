/**
 * A private, real `nats-server` (Debian's 2.9 binary) with JetStream on, for tests, benches and
 * the all-in-one when `WEFT_NATS_URL` is unset. The server picks its own port (`-p -1`) and
 * reports it through a ports file, so there is no free-port race; startup races the process's
 * early exit; `stop()` ends only the pid this module started. `NatsServer` is the same thing as a
 * scoped Effect service.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Context, Effect, Layer, Schema } from "effect";

export const natsServerInstallLine = "apt-get install -y nats-server";

export interface NatsServerOptions {
  /** JetStream store directory; a temp dir (removed on stop) when absent. */
  readonly storeDir?: string;
  /** Listen address; loopback unless told otherwise. */
  readonly host?: string;
  /** Path to the binary; found on PATH or in /usr/sbin when absent. */
  readonly binary?: string;
  readonly startTimeoutMs?: number;
  /**
   * Where the server writes its pid. A server still running from a pid file (its owner was
   * killed with -9 and could not stop it) is killed first, so it cannot hold the store dir.
   */
  readonly pidFile?: string;
}

export interface RunningNatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly storeDir: string;
  /** SIGTERM, then SIGKILL after a grace period; removes the temp dir it created. Idempotent. */
  readonly stop: () => Promise<void>;
}

const stopGraceMs = 5_000;
const stderrTailBytes = 16 * 1024;

// Debian installs it in /usr/sbin, which is not on an unprivileged user's PATH.
const defaultSearchDirs = () => [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];

/** The `nats-server` binary, or an Error carrying the exact install line. */
export const findNatsServer = (dirs: ReadonlyArray<string> = defaultSearchDirs()): string => {
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, "nats-server");
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    `nats-server not found on PATH or in /usr/sbin: install it with \`${natsServerInstallLine}\`` +
      " (node scripts/ensureSystemPackages.mjs does this when run as root)",
  );
};

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

// A test run that crashes must not leave servers behind: one exit hook kills every live child.
const liveChildren = new Set<ChildProcess>();
const killLiveChildren = () => {
  for (const child of liveChildren) child.kill("SIGKILL");
};
let exitHookInstalled = false;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const killOrphan = async (pidFile: string) => {
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const command = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!command.includes("nats-server")) return;
  process.kill(pid, "SIGKILL");
  for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 20) await sleep(20);
};

export const startNatsServer = async (options: NatsServerOptions = {}): Promise<RunningNatsServer> => {
  const binary = options.binary ?? findNatsServer();
  const host = options.host ?? "127.0.0.1";
  if (options.pidFile !== undefined) await killOrphan(options.pidFile);
  const runDir = await mkdtemp(join(tmpdir(), "weft-nats-"));
  const storeDir = options.storeDir ?? runDir;
  const pidArgs = options.pidFile === undefined ? [] : ["-P", options.pidFile];
  const child = spawn(binary, ["-a", host, "-p", "-1", "-js", "-sd", storeDir, "--ports_file_dir", runDir, ...pidArgs], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  // Keep reading stderr for the server's whole life: a full pipe would block its logger.
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrTailBytes);
  });
  let exitInfo: string | undefined;
  // "close", not "exit": it comes after stderr has been read to the end, so an early exit's
  // error message includes the server's last (fatal) line.
  const exited = new Promise<void>((resolve) => {
    child.once("close", (code, signal) => {
      exitInfo ??= signal === null ? `exit code ${code}` : `signal ${signal}`;
      liveChildren.delete(child);
      resolve();
    });
    child.once("error", (error) => {
      exitInfo ??= error.message;
      liveChildren.delete(child);
      resolve();
    });
  });
  if (child.pid !== undefined) liveChildren.add(child);
  if (!exitHookInstalled) {
    process.once("exit", killLiveChildren);
    exitHookInstalled = true;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (exitInfo === undefined) {
        child.kill("SIGTERM");
        // Unref'd, so a prompt exit does not keep the caller's process alive for the grace period.
        const forced = await Promise.race([exited.then(() => false), sleep(stopGraceMs, true, { ref: false })]);
        if (forced) {
          child.kill("SIGKILL");
          await exited;
        }
      }
      await rm(runDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const url = await waitUntilReady(child, runDir, options.startTimeoutMs ?? 10_000, () => exitInfo, exited);
    const port = Number(new URL(url).port);
    return { url, port, pid: child.pid as number, storeDir, stop };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`nats-server (${binary}) did not start: ${reason}\n${stderr.trim()}`, { cause: error });
  }
};

/** The client URL once the ports file exists and a TCP connection to it succeeds. */
const waitUntilReady = async (
  child: ChildProcess,
  runDir: string,
  timeoutMs: number,
  exitInfo: () => string | undefined,
  exited: Promise<void>,
): Promise<string> => {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const exit = exitInfo();
    if (exit !== undefined) throw new Error(`it exited early (${exit})`);
    if (child.pid !== undefined) {
      const url = await readPortsFile(join(runDir, `nats-server_${child.pid}.ports`));
      if (url !== undefined && (await canConnect(url))) return url;
    }
    await Promise.race([sleep(20), exited]);
  }
  throw new Error(`it was not ready within ${timeoutMs} ms`);
};

const readPortsFile = async (path: string): Promise<string | undefined> => {
  try {
    // 2.9 writes {"nats":["nats://127.0.0.1:PORT"]}; the file may be seen half-written.
    const ports = JSON.parse(await readFile(path, "utf8")) as { nats?: ReadonlyArray<string> };
    return ports.nats?.[0];
  } catch {
    return undefined;
  }
};

const canConnect = (url: string): Promise<boolean> => {
  const { hostname, port } = new URL(url);
  // A server bound to every interface advertises 0.0.0.0, which is not something to dial.
  const host = hostname === "0.0.0.0" || hostname === "[::]" ? "127.0.0.1" : hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve) => {
    const socket = createConnection({ host, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
};

export class NatsServerUnavailable extends Schema.TaggedError<NatsServerUnavailable>()("NatsServerUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

/** A private nats-server that lives as long as the layer's scope. */
export class NatsServer extends Context.Service<NatsServer, {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly storeDir: string;
}>()("weft/infra/NatsServer") {
  static layer(options?: NatsServerOptions): Layer.Layer<NatsServer, NatsServerUnavailable> {
    return Layer.effect(
      NatsServer,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => startNatsServer(options),
          catch: (cause) => new NatsServerUnavailable({ message: cause instanceof Error ? cause.message : String(cause), cause }),
        }),
        (server) => Effect.promise(() => server.stop()),
      ).pipe(Effect.map(({ url, port, pid, storeDir }) => NatsServer.of({ url, port, pid, storeDir }))),
    );
  }
}
