/**
 * The compute read model: `computeProjection` folds every compute event (servers, the flavor
 * catalog, key pairs, server groups, quotas) into a `ComputeDocument`, and the query functions
 * answer the Nova gateway (`/compute/v2.1`) from it.
 */
import type { Projection } from "../shared/index.ts";
import { batchCompute, computeEventTypes, evolveCompute, initialComputeDocument, type ComputeDocument, type ComputeEvent } from "./document.ts";
import { computeFromSnapshot, computeToSnapshot } from "./snapshot.ts";

export * from "./serverQueries.ts";
export * from "./catalogQueries.ts";
export { batchCompute, computeEventTypes, evolveCompute, initialComputeDocument, type ComputeDocument, type ComputeEvent } from "./document.ts";
export { serverStatus, type KnownServerState, type Server, type ServerFault } from "./servers.ts";
export type { InstanceAction, InstanceActionEvent, InstanceActionName } from "./instanceActions.ts";
export type { Flavor, Keypair, ServerGroup } from "./catalog.ts";
export { evolveQuotas, hostResourcesOf, type HostResources, type Quotas } from "./usage.ts";
export { computeFromSnapshot, computeToSnapshot, InvalidComputeSnapshot, quotasFromSnapshot, quotasToSnapshot, type ComputeSnapshot } from "./snapshot.ts";

export const computeProjection: Projection<ComputeDocument, ComputeEvent> = {
  name: "compute",
  version: 1,
  eventTypes: new Set(computeEventTypes),
  initial: initialComputeDocument,
  evolve: evolveCompute,
  batch: batchCompute,
  toSnapshot: computeToSnapshot,
  fromSnapshot: computeFromSnapshot,
};
