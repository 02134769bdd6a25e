/**
 * What tests share: the nats-server launcher, the `natsUrl` the global setup provides (typed here
 * for `inject`), and temp dirs that remove themselves. Plain TypeScript with no vitest runtime
 * import, so the global setup and benches can load it too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export { findNatsServer, natsServerInstallLine, startNatsServer } from "../nats/natsServer.ts";
export type { NatsServerOptions, RunningNatsServer } from "../nats/natsServer.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's shared nats-server, started by `natsGlobalSetup.ts`. */
    natsUrl: string;
  }
}

export interface TempDir extends AsyncDisposable {
  readonly path: string;
  readonly remove: () => Promise<void>;
}

/** A fresh directory under the OS temp dir; `await using dir = await tempDir()` removes it. */
export const tempDir = async (prefix = "weft-test-"): Promise<TempDir> => {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => rm(path, { recursive: true, force: true });
  return { path, remove, [Symbol.asyncDispose]: remove };
};
export { bootstrapCommand, createProjectCommand, identityEnvelope } from "./identityCommands.ts";
export { startControlPlane, waitUntil, type ControlPlane, type ControlPlaneContext, type ControlPlaneOptions } from "./controlPlane.ts";
