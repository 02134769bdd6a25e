/**
 * Restart of the all-in-one holding 100,000 identity events. The data dir is filled through the
 * real identity command handler in-process (so the events and their metadata are exactly what a
 * running cloud writes): the bootstrap (admin password hashed at the default cost, as `weft up`
 * does), then users, projects and one role grant per user. Then `node cli/main.ts up` is spawned
 * on it twice: cold (no read-model snapshot yet, the identity projection folds the whole log) and,
 * after a clean SIGTERM that writes the snapshot, warm. Each is timed from spawn until it prints
 * `Weft is up` and until an admin token issue (one default-cost password check) succeeds.
 * Run from the repository root: `node_modules/.bin/node bench/restart.bench.ts`.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import type { IdentityCommand } from "@weft/domain/identity";
import { identityModule } from "@weft/infra/contexts";
import { EventStore, sqliteEventStoreLayer } from "@weft/infra/eventStore";
import { makeCommandHandler } from "@weft/infra/runtime";
import { identityEnvelope } from "../infra/testing/identityCommands.ts";
import { hashPassword } from "../gateways/identity/passwords.ts";
import { report } from "./stats.ts";
import { weftNodeOptions } from "../cli/nodeOptions.ts";

const PER_KIND = 33_330;
const ADMIN_PASSWORD = "bench-admin-password";
const mainTs = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

const hex = () => randomUUID().replaceAll("-", "");

const fill = (dataDir: string) =>
  Effect.gen(function* () {
    const handle = yield* makeCommandHandler(identityModule);
    const roles = { admin: hex(), member: hex(), reader: hex() };
    const send = (command: IdentityCommand, commandId?: string) =>
      Effect.flatMap(handle(identityEnvelope(command, commandId)), (reply) =>
        reply.outcome === "accepted" ? Effect.void : Effect.die(new Error(`${command.type}: ${JSON.stringify(reply)}`)),
      );
    const adminPasswordHash = yield* Effect.promise(() => hashPassword(ADMIN_PASSWORD));
    yield* send({
      type: "BootstrapIdentity",
      data: {
        domainId: "default", domainName: "Default", adminProjectId: hex(), adminProjectName: "admin", adminUserId: hex(),
        adminUserName: "admin", adminPasswordHash, adminRoleId: roles.admin, memberRoleId: roles.member, readerRoleId: roles.reader,
      },
    }, "bootstrap-identity");
    const users = Array.from({ length: PER_KIND }, hex);
    const projects = Array.from({ length: PER_KIND }, hex);
    // Many in flight, as a busy cloud's gateways send them: the handler appends them in batches.
    const all = <A>(items: ReadonlyArray<A>, command: (item: A, index: number) => IdentityCommand) =>
      Effect.forEach(items, (item, index) => send(command(item, index)), { concurrency: 512, discard: true });
    yield* all(users, (userId, i) => ({
      type: "CreateUser",
      data: { userId, domainId: "default", name: `user-${i}`, passwordHash: "", email: "", description: "", enabled: true, defaultProjectId: "" },
    }));
    yield* all(projects, (projectId, i) => ({
      type: "CreateProject",
      data: { projectId, domainId: "default", name: `project-${i}`, description: "", enabled: true, tags: [] },
    }));
    yield* all(users, (userId, i) => ({ type: "GrantRole", data: { roleId: roles.member, userId, projectId: projects[i]!, system: false } }));
    return yield* (yield* EventStore).head;
  }).pipe(Effect.provide(sqliteEventStoreLayer(join(dataDir, "events.sqlite"))));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

// utime + stime of a process, in ms (clock ticks are 1/100 s on Linux).
const cpuMs = (pid: number | undefined) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const issueToken = (port: number) =>
  fetch(`http://127.0.0.1:${port}/identity/v3/auth/tokens?nocatalog`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: ADMIN_PASSWORD } } },
        scope: { project: { name: "admin", domain: { id: "default" } } },
      },
    }),
  });

/** Starts `weft up`, waits until it is up and has issued a token, then stops it with SIGTERM. */
const startAndStop = async (dataDir: string, home: string) => {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, [...weftNodeOptions, mainTs, "up"], {
    env: { ...process.env, HOME: home, WEFT_DATA_DIR: dataDir, WEFT_HTTP_PORT: String(port), WEFT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const upMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`weft up did not come up in 50 s:\n${output}`)), 50_000);
      const seen = (chunk: string) => {
        output += chunk;
        if (output.includes("Weft is up")) {
          clearTimeout(timer);
          resolve(performance.now() - start);
        }
      };
      child.stdout.setEncoding("utf8").on("data", seen);
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      void exited.then((code) => reject(new Error(`weft up exited (${code}):\n${output}`)));
    });
    const response = await issueToken(port);
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`token issue answered ${response.status}:\n${output}`);
    const readyMs = performance.now() - start;
    return { upMs, readyMs, cpuMs: cpuMs(child.pid) };
  } finally {
    child.kill("SIGTERM");
    const code = await exited;
    if (code !== 0) console.error(`weft up exited with ${code}:\n${output}`);
  }
};

const dataDir = await mkdtemp(join(tmpdir(), "weft-bench-restart-"));
const home = await mkdtemp(join(tmpdir(), "weft-bench-home-"));
try {
  const filling = performance.now();
  const events = await Effect.runPromise(fill(dataDir));
  report("restart.events", events);
  report("restart.fill_ms", performance.now() - filling);

  const snapshot = join(dataDir, "snapshots", "identity.v1.msgpack");
  const cold = await startAndStop(dataDir, home);
  if (!existsSync(snapshot)) throw new Error(`no snapshot at ${snapshot} after a clean shutdown`);
  const warm = await startAndStop(dataDir, home);

  report("restart.100k.cold.up_ms", cold.upMs);
  report("restart.100k.cold.ready_ms", cold.readyMs);
  report("restart.100k.cold.cpu_ms", cold.cpuMs);
  report("restart.100k.warm.up_ms", warm.upMs);
  report("restart.100k.warm.ready_ms", warm.readyMs);
  report("restart.100k.warm.cpu_ms", warm.cpuMs);
  report("restart.snapshot_bytes", statSync(snapshot).size);
} finally {
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
}
