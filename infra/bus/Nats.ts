/**
 * The process's one NATS connection, as a scoped service: the layer connects on acquire and
 * drains on release, so in-flight requests and buffered messages finish before the socket closes.
 * Everything that speaks NATS (the command bus, the relay, agents) shares it.
 */
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { Context, Effect, Layer, Schema } from "effect";

export class NatsUnavailable extends Schema.TaggedError<NatsUnavailable>()("NatsUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

const drainTimeoutMs = 10_000;

export class Nats extends Context.Service<Nats, { readonly connection: NatsConnection }>()("weft/infra/Nats") {
  static layer(url: string, options: Omit<NodeConnectionOptions, "servers"> = {}): Layer.Layer<Nats, NatsUnavailable> {
    return Layer.effect(
      Nats,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            connect({
              servers: url,
              name: "weft",
              // A control plane outlives NATS restarts: keep reconnecting rather than give up after 10.
              maxReconnectAttempts: -1,
              // Each request would otherwise allocate an Error for its stack; adapters map errors anyway.
              noAsyncTraces: true,
              ...options,
            }),
          catch: (cause) => new NatsUnavailable({ message: `cannot connect to NATS at ${url}: ${String(cause)}`, cause }),
        }),
        (connection) =>
          Effect.promise(() => connection.drain().catch(() => undefined)).pipe(
            // A server that went away can leave drain waiting on a flush that never comes.
            Effect.timeoutOption(drainTimeoutMs),
            Effect.andThen(Effect.promise(() => (connection.isClosed() ? Promise.resolve() : connection.close()))),
          ),
      ).pipe(Effect.map((connection) => Nats.of({ connection }))),
    );
  }
}
