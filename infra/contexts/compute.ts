/**
 * The compute context as the runtime serves it: five aggregate types (servers, the flavor
 * catalog, keypairs per user, server groups, project quotas) behind `weft.cmd.compute.*`, each
 * with the codecs of its own messages in `weft.compute.v1`.
 */
import {
  flavorCatalogDecider,
  flavorCatalogStreamFor,
  flavorCommandTypes,
  flavorEventTypes,
  keypairCommandTypes,
  keypairEventTypes,
  keypairsDecider,
  keypairsStreamFor,
  quotaCommandTypes,
  quotaDecider,
  quotaEventTypes,
  quotaStreamFor,
  serverCommandTypes,
  serverDecider,
  serverEventTypes,
  serverGroupCommandTypes,
  serverGroupDecider,
  serverGroupEventTypes,
  serverGroupStreamFor,
  serverStreamFor,
} from "@weft/domain/compute";
import type { Decider, Message, Rejection } from "@weft/domain/shared";
import { payloadCodec } from "@weft/proto";
import type { AggregateModule } from "../runtime/aggregateModule.ts";

const computeModule = <C extends Message, E extends Message, S, R extends Rejection>(
  decider: Decider<C, E, S, R>,
  streamFor: (command: C) => string,
  commandTypes: ReadonlyArray<C["type"]>,
  eventTypes: ReadonlyArray<E["type"]>,
): AggregateModule<C, E, S, R> => ({
  context: "compute",
  decider,
  streamFor,
  commands: payloadCodec<C>("weft.compute.v1", commandTypes),
  events: payloadCodec<E>("weft.compute.v1", eventTypes),
});

export const serverModule = computeModule(serverDecider, serverStreamFor, serverCommandTypes, serverEventTypes);
export const flavorCatalogModule = computeModule(flavorCatalogDecider, flavorCatalogStreamFor, flavorCommandTypes, flavorEventTypes);
export const keypairsModule = computeModule(keypairsDecider, keypairsStreamFor, keypairCommandTypes, keypairEventTypes);
export const serverGroupModule = computeModule(serverGroupDecider, serverGroupStreamFor, serverGroupCommandTypes, serverGroupEventTypes);
export const quotaModule = computeModule(quotaDecider, quotaStreamFor, quotaCommandTypes, quotaEventTypes);

export const computeModules = [serverModule, flavorCatalogModule, keypairsModule, serverGroupModule, quotaModule] as const;

/** Every compute command, for the gateway's sender; every compute event, for read models. */
export const computeCommandCodec = payloadCodec<Message>("weft.compute.v1", [
  ...serverCommandTypes,
  ...flavorCommandTypes,
  ...keypairCommandTypes,
  ...serverGroupCommandTypes,
  ...quotaCommandTypes,
]);
export const computeEventCodec = payloadCodec<Message>("weft.compute.v1", [
  ...serverEventTypes,
  ...flavorEventTypes,
  ...keypairEventTypes,
  ...serverGroupEventTypes,
  ...quotaEventTypes,
]);
