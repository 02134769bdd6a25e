/**
 * The relay: host-addressed events from `$all` to each host's JetStream subjects, and the
 * desired state of each host for agents that reconcile. See `relay.ts`.
 */
export { relayName, runRelay, type RelayOptions, type RunningRelay } from "./relay.ts";
export { hostViewEventTypes } from "./hostView.ts";
