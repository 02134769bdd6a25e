/**
 * The host agent: registration, heartbeats, reconciliation with the control plane's desired
 * state, and the instructions of its JetStream consumer carried out with a compute driver.
 */
export { runHostAgent, type HostAgentOptions, type RunningHostAgent } from "./hostAgent.ts";
export { allocationRatios, inventoriesOf, RegistrationRefused } from "./registration.ts";
export type { Reconciliation } from "./reconcile.ts";
