/**
 * Names on the host channel: host names (they are NATS subject tokens, so they are checked where
 * an agent registers), the subjects and JetStream names derived from them, and the resource
 * provider id a host registers under. All of them are published: agents and relays of different
 * versions must agree on them.
 */
import { createHash } from "node:crypto";
import { Effect, Schema } from "effect";
import { dashedUuidOf } from "@weft/domain/compute";

/** Letters, digits, '-' and '_': a name that is one NATS subject token and a consumer name. */
const hostNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

export const isValidHostName = (host: string): boolean => hostNamePattern.test(host);

export class InvalidHostName extends Schema.TaggedError<InvalidHostName>()("InvalidHostName", {
  host: Schema.String,
  message: Schema.String,
}) {}

export const checkHostName = (host: string): Effect.Effect<string, InvalidHostName> =>
  isValidHostName(host)
    ? Effect.succeed(host)
    : Effect.fail(new InvalidHostName({
        host,
        message: `invalid host name ${JSON.stringify(host)}: use 1 to 64 letters, digits, '-' or '_' (a host name is a NATS subject token)`,
      }));

/** A valid host name from a machine's name (`node-1.example.org` becomes `node-1-example-org`). */
export const hostNameFrom = (raw: string): string => {
  const name = raw.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
  return name === "" ? "localhost" : name;
};

// The namespace of host provider ids (a random uuid, fixed forever).
const providerNamespace = Buffer.from("6f1d2c3e9a4b4e5f8a7b0c1d2e3f4a5b", "hex");

/**
 * The resource provider id of a host: a name-based (version 5) uuid, so an agent registering
 * again, or from another process, names the same provider.
 */
export const hostProviderId = (host: string): string => {
  const hash = createHash("sha1").update(providerNamespace).update(host, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return dashedUuidOf(hash.subarray(0, 16).toString("hex"));
};

/** `prefix` is "weft" in every deployment, as for the command bus; tests isolate with their own. */
export const defaultSubjectPrefix = "weft";

/** Where the relay publishes the instruction an event of `eventType` means for `host`. */
export const hostSubject = (host: string, eventType: string, prefix = defaultSubjectPrefix) => `${prefix}.host.${host}.${eventType}`;
/** Everything addressed to one host: its agent's consumer filter. */
export const hostFilterSubject = (host: string, prefix = defaultSubjectPrefix) => `${prefix}.host.${host}.>`;
export const hostStreamSubjects = (prefix = defaultSubjectPrefix) => `${prefix}.host.>`;
/** `WEFT_HOST` for "weft": stream names may not hold '.', '*', '>' or spaces. */
export const hostStreamName = (prefix = defaultSubjectPrefix) => `${prefix.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase()}_HOST`;
export const agentConsumerName = (host: string) => `agent-${host}`;

/** Core NATS, outside the stream: beats are not worth keeping. */
export const heartbeatSubject = (host: string, prefix = defaultSubjectPrefix) => `${prefix}.heartbeat.${host}`;
export const heartbeatWildcard = (prefix = defaultSubjectPrefix) => `${prefix}.heartbeat.*`;

/** Request/reply, outside the stream (a request there would be stored and acked by JetStream). */
export const desiredStateSubject = (host: string, prefix = defaultSubjectPrefix) => `${prefix}.desired.${host}`;
export const desiredStateWildcard = (prefix = defaultSubjectPrefix) => `${prefix}.desired.*`;
export const relayQueueGroup = (prefix = defaultSubjectPrefix) => `${prefix}-relay`;
