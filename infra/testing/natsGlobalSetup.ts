/**
 * Vitest globalSetup: one real nats-server (JetStream on, temp dir, server-chosen port) for the
 * whole run, handed to tests as `inject("natsUrl")` and stopped when the run ends. Tests that need
 * a server of their own (restarts, a store dir) start one with `startNatsServer`.
 */
import type { TestProject } from "vitest/node";
import { startNatsServer } from "../nats/natsServer.ts";

export default async function natsGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startNatsServer();
  project.provide("natsUrl", server.url);
  return () => server.stop();
}
