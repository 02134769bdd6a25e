/**
 * The host channel between the control plane and host agents, in infra so neither side touches
 * the other's internals: names and subjects, the instruction messages the relay publishes to
 * JetStream, each host's durable consumer, heartbeats and the liveness monitor, and the
 * desired-state request a restarted agent reconciles with. Agents use this and the command bus,
 * never the event store; the relay (`infra/relay`) is the store side.
 */
export * from "./names.ts";
export * from "./messages.ts";
export * from "./hostStream.ts";
export * from "./heartbeats.ts";
export * from "./desiredState.ts";
export * from "./commands.ts";
