/**
 * Placement (mirrors OpenStack Placement): one aggregate per resource provider, stream
 * `resourceProviderStream(providerId)`, holding its inventory and every allocation on it, so a
 * claim is decided against current usage and never over-commits. The pure scheduling policy that
 * ranks providers for a new server lives beside it in `scheduling.ts`.
 */
import type { Decider } from "../shared/index.ts";
import type { PlacementCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { PlacementEvent } from "./events.ts";
import type { PlacementRejection } from "./rejections.ts";
import { evolve, initialState, type ResourceProviderState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export {
  capacityOf,
  fits,
  claimViolation,
  amountOf,
  inventoryOf,
  type Inventories,
  type ProviderLoad,
  type ClaimViolation,
} from "./capacity.ts";
export {
  resourceProviderStream,
  initialState,
  evolve,
  usageOf,
  type ResourceProviderState,
  type NoProvider,
  type ResourceProvider,
  type DeletedProvider,
  type Allocation,
} from "./state.ts";
export { decide } from "./decide.ts";
export * from "./scheduling.ts";

export const resourceProviderDecider: Decider<PlacementCommand, PlacementEvent, ResourceProviderState, PlacementRejection> = {
  initialState,
  evolve,
  decide,
};
