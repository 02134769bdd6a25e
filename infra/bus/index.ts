/**
 * The command bus: the port (`CommandBus`, its errors and subject names), the shared NATS
 * connection service, and the NATS adapter.
 */
export {
  BusUnavailable,
  CommandBus,
  CommandTimeout,
  NoCommandHandler,
  commandSubject,
  handlerQueueGroup,
} from "./CommandBus.ts";
export type { CommandBusShape } from "./CommandBus.ts";
export { Nats, NatsUnavailable } from "./Nats.ts";
export { busFailureCodes, makeNatsCommandBus, natsCommandBusLayer } from "./natsCommandBus.ts";
export type { NatsCommandBusOptions } from "./natsCommandBus.ts";
