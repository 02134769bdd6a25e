/**
 * What the runtime needs to know about one aggregate type to serve its commands: the pure
 * decider from domain/, which stream a command addresses, and the protobuf codecs of its
 * commands and events. A bounded context registers one module per aggregate type.
 */
import type { Decider, Message, Rejection } from "@weft/domain/shared";
import type { PayloadCodec } from "@weft/proto";

export interface AggregateModule<C extends Message, E extends Message, S, R extends Rejection> {
  /** The context name in subjects: commands arrive on `weft.cmd.<context>.<CommandType>`. */
  readonly context: string;
  readonly decider: Decider<C, E, S, R>;
  /** The `<category>-<uuid>` stream a command is decided against; ids come on the command. */
  readonly streamFor: (command: C) => string;
  readonly commands: PayloadCodec<C>;
  readonly events: PayloadCodec<E>;
}

// The runtime handles modules of any types; variance makes a precise existential awkward.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAggregateModule = AggregateModule<any, any, any, any>;
