/**
 * `weft up`'s background roles thread, started for real: a thread whose roles cannot start (no
 * NATS where it was told to connect) ends, and starting it fails with its own error instead of
 * leaving `weft up` waiting for a ready message that never comes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackgroundRolesThread } from "./backgroundRoles.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "weft-background-roles-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A port nothing listens on: taken, then released.
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe("the background roles thread", () => {
  it("fails to start with the roles' own error when they cannot run", async () => {
    const settings = {
      natsUrl: `nats://127.0.0.1:${await closedPort()}`,
      eventStore: `sqlite:${join(dir, "events.sqlite")}`,
      dataDir: dir,
      host: "thread-test",
      buildTimeoutMs: 60_000,
    };
    const exit = await Effect.runPromiseExit(Effect.scoped(runBackgroundRolesThread(settings)).pipe(Effect.timeout("60 seconds")));
    expect(Exit.isFailure(exit)).toBe(true);
    const failure = Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "";
    expect(failure).toContain("BackgroundRolesFailed");
    expect(failure).toContain(`cannot connect to NATS at ${settings.natsUrl}`);
  });
});
