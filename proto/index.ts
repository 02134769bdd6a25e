/**
 * The wire: protobuf schemas of every command, event and envelope, loaded once from the `.proto`
 * files beside this module, and small codecs that turn plain objects into bytes and back.
 * Field names are the protobufjs camelCase of the schema's snake_case; int64 decodes to number.
 * protobufjs encodes; decoding is plainDecoder.ts, which gives protobufjs's `toObject` objects
 * in one pass with flat, interned strings.
 */
import { readdirSync } from "node:fs";
import protobuf from "protobufjs";
import { plainDecoder } from "./plainDecoder.ts";

export { utf8StringOf } from "./utf8.ts";

// Every schema under weft/, so a new context's .proto needs no edit here.
const schemaRoot = new URL("weft/", import.meta.url).pathname;
const schemaFiles = readdirSync(schemaRoot, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".proto"))
  .sort()
  .map((file) => `${schemaRoot}${file}`);

const root = protobuf.loadSync(schemaFiles);
root.resolveAll();

export interface MessageCodec<T> {
  readonly encode: (value: T) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => T;
}

/**
 * A codec for one message, by its full name (`weft.common.v1.CommandEnvelope`). It decodes to
 * what protobufjs's `toObject` gives with `longs: Number, enums: String, defaults: true,
 * arrays: true, objects: true, oneofs: true`; the decoder is generated on the first decode.
 */
export const messageCodec = <T>(fullName: string): MessageCodec<T> => {
  const type = root.lookupType(fullName);
  let decode: ((bytes: Uint8Array) => T) | undefined;
  return {
    encode: (value) => type.encode(type.fromObject(value as Record<string, unknown>)).finish(),
    decode: (bytes) => (decode ??= plainDecoder<T>(type))(bytes),
  };
};

/** A typed payload: the discriminant is the protobuf message name, `data` its fields. */
export interface Payload {
  readonly type: string;
  readonly data: object;
}

export class UnknownMessageType extends Error {
  readonly _tag = "UnknownMessageType";
  readonly typeName: string;
  constructor(typeName: string, packageName: string) {
    super(`${typeName} is not a message of ${packageName}`);
    this.typeName = typeName;
  }
}

/**
 * A codec for a union of payloads that all live in one protobuf package (every event of a
 * context, or every command), keyed by message name; `only` narrows it to the named messages
 * (commands and events share a package). Unknown names throw UnknownMessageType.
 */
export interface PayloadCodec<P extends Payload> {
  // Method syntax on purpose: a codec of one context's commands serves where any payload's does.
  encode(payload: P): Uint8Array;
  readonly decode: (type: string, bytes: Uint8Array) => P;
  readonly has: (type: string) => boolean;
}

export const payloadCodec = <P extends Payload>(packageName: string, only?: ReadonlyArray<P["type"]>): PayloadCodec<P> => {
  const namespace = root.lookup(packageName);
  if (!(namespace instanceof protobuf.Namespace)) throw new Error(`no protobuf package ${packageName}`);
  const codecs = new Map<string, MessageCodec<object>>();
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type && (only === undefined || only.includes(nested.name))) {
      codecs.set(nested.name, messageCodec(nested.fullName.slice(1)));
    }
  }
  for (const name of only ?? []) {
    if (!codecs.has(name)) throw new Error(`${name} is not a message of ${packageName}`);
  }
  const codecFor = (type: string) => {
    const codec = codecs.get(type);
    if (codec === undefined) throw new UnknownMessageType(type, packageName);
    return codec;
  };
  return {
    encode: (payload) => codecFor(payload.type).encode(payload.data),
    decode: (type, bytes) => ({ type, data: codecFor(type).decode(bytes) }) as P,
    has: (type) => codecs.has(type),
  };
};

export interface Actor {
  readonly userId: string;
  readonly userName: string;
  readonly projectId: string;
  readonly domainId: string;
  readonly roles: ReadonlyArray<string>;
  readonly systemScope: boolean;
}

export interface CommandEnvelope {
  readonly commandId: string;
  readonly requestId: string;
  readonly actor: Actor;
  readonly issuedAt: string;
  readonly type: string;
  readonly payload: Uint8Array;
  readonly correlationId: string;
  readonly causationId: string;
}

export interface EventMetadata {
  readonly commandId: string;
  readonly requestId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: Actor;
  readonly occurredAt: string;
  /** The command's message name (`StopServer`); decodes as "" for events recorded before it was written. */
  readonly commandType?: string;
}

export type CommandReply =
  | { readonly outcome: "accepted"; readonly accepted: { readonly stream: string; readonly revision: number; readonly position: number; readonly duplicate: boolean; readonly eventCount: number } }
  | { readonly outcome: "rejected"; readonly rejected: { readonly tag: string; readonly message: string } }
  | { readonly outcome: "failed"; readonly failed: { readonly code: string; readonly message: string } };

export const commandEnvelopeCodec = messageCodec<CommandEnvelope>("weft.common.v1.CommandEnvelope");
export const eventMetadataCodec = messageCodec<EventMetadata>("weft.common.v1.EventMetadata");
export const commandReplyCodec = messageCodec<CommandReply>("weft.common.v1.CommandReply");

/** The system actor, for commands the fabric issues itself (bootstrap, process managers). */
export const systemActor: Actor = {
  userId: "", userName: "weft", projectId: "", domainId: "", roles: ["admin"], systemScope: true,
};
