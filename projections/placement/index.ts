/**
 * The placement read model: `placementProjection` and the queries the placement API and the
 * scheduler answer from.
 */
import { placementEventTypes, type PlacementEvent } from "@weft/domain/placement";
import type { Projection } from "../shared/index.ts";
import { evolvePlacement, initialPlacementDocument, type PlacementDocument } from "./document.ts";
import { placementFromSnapshot, placementToSnapshot } from "./snapshot.ts";

export * from "./document.ts";
export * from "./queries.ts";
export * from "./snapshot.ts";

export const placementProjection: Projection<PlacementDocument, PlacementEvent> = {
  name: "placement",
  version: 1,
  eventTypes: new Set(placementEventTypes),
  initial: initialPlacementDocument,
  evolve: evolvePlacement,
  toSnapshot: placementToSnapshot,
  fromSnapshot: placementFromSnapshot,
};
