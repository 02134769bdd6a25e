/**
 * NATS infrastructure that is not a port of its own: the private nats-server launcher, used by
 * tests, benches and the all-in-one when `WEFT_NATS_URL` is unset.
 */
export {
  NatsServer,
  NatsServerUnavailable,
  findNatsServer,
  natsServerInstallLine,
  startNatsServer,
} from "./natsServer.ts";
export type { NatsServerOptions, RunningNatsServer } from "./natsServer.ts";
