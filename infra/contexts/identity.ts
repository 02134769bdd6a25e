/**
 * The identity context as the runtime serves it: one aggregate type, the directory, on
 * `weft.cmd.identity.*`, with the codecs of `weft.identity.v1`.
 */
import {
  identityCommandTypes,
  identityDecider,
  identityEventTypes,
  identityStream,
  type IdentityCommand,
  type IdentityEvent,
  type IdentityRejection,
  type IdentityState,
} from "@weft/domain/identity";
import { payloadCodec } from "@weft/proto";
import type { AggregateModule } from "../runtime/aggregateModule.ts";

export const identityCommandCodec = payloadCodec<IdentityCommand>("weft.identity.v1", identityCommandTypes);
export const identityEventCodec = payloadCodec<IdentityEvent>("weft.identity.v1", identityEventTypes);

export const identityModule: AggregateModule<IdentityCommand, IdentityEvent, IdentityState, IdentityRejection> = {
  context: "identity",
  decider: identityDecider,
  streamFor: () => identityStream,
  commands: identityCommandCodec,
  events: identityEventCodec,
};
