/**
 * What tests share: the nats-server launcher, the `natsUrl` the global setup provides (typed here
 * for `inject`), and temp dirs that remove themselves. Plain TypeScript with no vitest runtime
 * import, so the global setup and benches can load it too.
 */
export { findNatsServer, natsServerInstallLine, startNatsServer } from "../nats/natsServer.ts";
export type { NatsServerOptions, RunningNatsServer } from "../nats/natsServer.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's shared nats-server, started by `natsGlobalSetup.ts`. */
    natsUrl: string;
  }
}

export { tempDir, type TempDir } from "./tempDir.ts";
export { bootstrapCommand, createProjectCommand, identityEnvelope } from "./identityCommands.ts";
export { startControlPlane, storedMessages, waitUntil, withControlPlane, type ControlPlane, type ControlPlaneContext, type ControlPlaneOptions } from "./controlPlane.ts";
