/**
 * The placement context as the runtime serves it: one aggregate type, the resource provider
 * (`resourceProvider-<providerId>`), behind `weft.cmd.placement.*`, with the codecs of
 * `weft.placement.v1`.
 */
import {
  placementCommandTypes,
  placementEventTypes,
  resourceProviderDecider,
  resourceProviderStream,
  type PlacementCommand,
  type PlacementEvent,
  type PlacementRejection,
  type ResourceProviderState,
} from "@weft/domain/placement";
import { payloadCodec } from "@weft/proto";
import type { AggregateModule } from "../runtime/aggregateModule.ts";

export const placementCommandCodec = payloadCodec<PlacementCommand>("weft.placement.v1", placementCommandTypes);
export const placementEventCodec = payloadCodec<PlacementEvent>("weft.placement.v1", placementEventTypes);

export const resourceProviderModule: AggregateModule<PlacementCommand, PlacementEvent, ResourceProviderState, PlacementRejection> = {
  context: "placement",
  decider: resourceProviderDecider,
  streamFor: (command) => resourceProviderStream(command.data.providerId),
  commands: placementCommandCodec,
  events: placementEventCodec,
};
