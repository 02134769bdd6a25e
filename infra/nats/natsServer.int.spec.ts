/**
 * The launcher against the real binary: JetStream is on, servers never share a port, and stop
 * leaves neither a process nor a temp dir behind.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../testing/index.ts";
import { NatsServer, findNatsServer, startNatsServer, type RunningNatsServer } from "./natsServer.ts";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("startNatsServer", () => {
  const started: Array<RunningNatsServer> = [];
  const start = async (options?: Parameters<typeof startNatsServer>[0]) => {
    const server = await startNatsServer(options);
    started.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });

  it("starts a loopback server with JetStream enabled", async () => {
    const server = await start();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "LAUNCHER", subjects: ["launcher.>"] });
      const ack = await jetstream(nc).publish("launcher.one", "hello");
      expect(ack).toMatchObject({ stream: "LAUNCHER", seq: 1 });
      expect((await jsm.getAccountInfo()).streams).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it("gives two servers different ports", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a?.port).not.toBe(b?.port);
    expect(a?.pid).not.toBe(b?.pid);
  });

  it("stop() ends the process and removes the temp dir it created", async () => {
    const server = await start();
    expect(isAlive(server.pid)).toBe(true);
    expect(existsSync(server.storeDir)).toBe(true);
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    expect(existsSync(server.storeDir)).toBe(false);
    await server.stop();
  });

  it("keeps a store dir it was given", async () => {
    await using dir = await tempDir();
    const server = await start({ storeDir: dir.path });
    await server.stop();
    expect(existsSync(join(dir.path, "jetstream"))).toBe(true);
  });

  it("rejects with the server's own words when it exits early", async () => {
    await expect(start({ host: "256.0.0.1" })).rejects.toThrow(/exited early[\s\S]*256\.0\.0\.1/);
  });

  it("names the install line when the binary is missing", () => {
    expect(() => findNatsServer(["/nonexistent"])).toThrow("apt-get install -y nats-server");
  });
});

describe("NatsServer.layer", () => {
  it("runs the server for as long as its scope", async () => {
    const server = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const server = yield* NatsServer;
      expect(isAlive(server.pid)).toBe(true);
      const nc = yield* Effect.promise(() => connect({ servers: server.url }));
      yield* Effect.promise(() => nc.close());
      return server;
    }).pipe(Effect.provide(NatsServer.layer()))));
    expect(isAlive(server.pid)).toBe(false);
  });
});
