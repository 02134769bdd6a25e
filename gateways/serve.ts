/**
 * The gateway role: fold the read models it answers from (in memory, snapshotted in the data
 * dir), wait until they have caught up, then serve HTTP until the scope closes. Handlers run
 * their Effects (bus sends, read-your-writes waits) with the services captured here once.
 */
import { type AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Clock, Effect, Schema } from "effect";
import { CommandBus } from "@weft/infra/bus";
import {
  computeCommandCodec,
  computeEventCodec,
  identityCommandCodec,
  identityEventCodec,
  imageCommandCodec,
  imageEventCodec,
  placementCommandCodec,
  placementEventCodec,
} from "@weft/infra/contexts";
import { EventStore, type EventStoreUnavailable } from "@weft/infra/eventStore";
import { makeAuditTrail } from "@weft/infra/audit";
import { makeEventFeed } from "@weft/infra/events";
import { projectedDecoder, runProjection } from "@weft/infra/runtime";
import { computeProjection, type ComputeEvent } from "@weft/projections/compute";
import { identityProjection } from "@weft/projections/identity";
import { imageProjection } from "@weft/projections/image";
import type { MeteringDocument } from "@weft/projections/metering";
import { placementProjection } from "@weft/projections/placement";
import type { Message } from "@weft/domain/shared";
import type { PayloadCodec } from "@weft/proto";
import { gatewayApp } from "./app.ts";
import { everyHostUp, type HostLiveness } from "./compute/hosts.ts";
import type { EventStreamOptions } from "./events/context.ts";
import { makeCommandSender, type CommandSender } from "./http/commands.ts";
import type { ScryptCost } from "./identity/passwords.ts";
import { makeTokenSealer } from "./identity/tokens.ts";
import { meteringDeps } from "./metering/inProcess.ts";
import { DEFAULT_IMAGE_SIZE_CAP } from "./image/context.ts";

export interface GatewayOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** How clients reach this gateway; defaults to http://<host>:<port>. */
  readonly publicUrl?: string;
  readonly region?: string;
  readonly tokenKey: Uint8Array;
  readonly tokenTtlMs?: number;
  readonly scryptCost?: ScryptCost;
  readonly snapshotDir?: string;
  /** The cloud's data dir: image bytes live in `<dataDir>/images/`. */
  readonly dataDir: string;
  /** The largest image upload accepted, in bytes; Glance's default, 1 TiB, when absent. */
  readonly imageSizeCap?: number;
  /** Which compute hosts are up (agents' heartbeats); every registered host counts as up when absent. */
  readonly hostLiveness?: HostLiveness;
  /** The SSE event stream's heartbeat and slow-consumer limits; defaults when absent. */
  readonly events?: EventStreamOptions;
  /** An in-process meter's document (undefined until it has started): the gateway serves the metering routes from it. */
  readonly meter?: () => MeteringDocument | undefined;
}

export class GatewayListenFailed extends Schema.TaggedError<GatewayListenFailed>()("GatewayListenFailed", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** The app itself, for in-process requests (`app.request(…)`) in tests. */
  readonly app: ReturnType<typeof gatewayApp>;
  /** Sends commands as the routes do, waiting until this gateway's read models have them. */
  readonly commands: CommandSender;
  /** Waits until every read model has folded what the store holds now (a command sent past `commands`). */
  readonly settled: Effect.Effect<boolean, EventStoreUnavailable>;
}

const codecs: Record<string, PayloadCodec<Message>> = {
  identity: identityCommandCodec,
  image: imageCommandCodec,
  compute: computeCommandCodec,
  placement: placementCommandCodec,
};

type Fetch = (request: Request) => Response | Promise<Response>;

export const listen = (fetch: Fetch, host: string, port: number) =>
  Effect.acquireRelease(
    Effect.callback<ServerType, GatewayListenFailed>((resume) => {
      const server = serve({ fetch, hostname: host, port }, () => resume(Effect.succeed(server)));
      server.once("error", (cause: NodeJS.ErrnoException) =>
        resume(Effect.fail(new GatewayListenFailed({ message: `cannot listen on ${host}:${port}: ${cause.code ?? cause.message}`, cause }))),
      );
    }),
    (server) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void));
      }),
  );

export const runGateway = Effect.fnUntraced(function* (options: GatewayOptions) {
  const bus = yield* CommandBus;
  const store = yield* EventStore;
  const clock = yield* Clock.Clock;
  const snapshots = options.snapshotDir === undefined ? {} : { snapshotDir: options.snapshotDir };
  const identity = yield* runProjection(identityProjection, { decode: projectedDecoder(identityEventCodec), ...snapshots });
  const image = yield* runProjection(imageProjection, { decode: projectedDecoder(imageEventCodec), ...snapshots });
  const compute = yield* runProjection(computeProjection, { decode: projectedDecoder(computeEventCodec as PayloadCodec<ComputeEvent>), ...snapshots });
  const placement = yield* runProjection(placementProjection, { decode: projectedDecoder(placementEventCodec), ...snapshots });
  // Read-your-writes waits for every read model the gateway answers from.
  const readModels = [identity, image, compute, placement];
  yield* Effect.forEach(readModels, (model) => model.caughtUp, { concurrency: "unbounded", discard: true });

  const services = yield* Effect.context<EventStore>();
  const runPromise = Effect.runPromiseWith(services);
  const commands = makeCommandSender({
    send: (context, envelope) =>
      runPromise(bus.send(context, envelope).pipe(Effect.mapError((error) => Object.assign(new Error(error.message), { name: error._tag })))),
    codecFor: (context) => {
      const codec = codecs[context];
      if (codec === undefined) throw new Error(`no command codec for context ${context}`);
      return codec;
    },
    readYourWrites: (position) =>
      runPromise(Effect.forEach(readModels, (model) => model.waitFor(position), { concurrency: "unbounded" })).then((seen) => seen.every(Boolean)),
    now: () => clock.currentTimeMillisUnsafe(),
  });

  // With port 0 the URL, which the app needs for links and the catalog, is known only after
  // listening: requests are refused until the app exists, microseconds later.
  let fetch: Fetch = () => new Response(null, { status: 503 });
  const server = yield* listen((request) => fetch(request), options.host, options.port);
  // The SSE stream's shared tail of $all, from the head on (older events are paged from the
  // store). Started after listening, so it stops first on shutdown and its open streams end
  // before the server's close waits for them.
  const feed = yield* makeEventFeed();
  // The audit index folds the log on its first question; start now so that one is quick too.
  const audit = yield* makeAuditTrail();
  yield* Effect.forkScoped(Effect.ignore(Effect.tryPromise(() => audit.catchUp())));
  const port = (server.address() as AddressInfo).port;
  const publicUrl = options.publicUrl ?? `http://${options.host}:${port}`;
  // One sealer for both services: it remembers the tokens it opened lately.
  const tokens = makeTokenSealer(options.tokenKey);
  const app = gatewayApp({
    identity: {
      publicUrl,
      region: options.region ?? "RegionOne",
      directory: () => identity.current().doc,
      commands,
      tokens,
      tokenTtlMs: options.tokenTtlMs ?? 60 * 60 * 1000,
      ...(options.scryptCost === undefined ? {} : { scryptCost: options.scryptCost }),
      now: () => clock.currentTimeMillisUnsafe(),
      newId: () => crypto.randomUUID(),
    },
    image: {
      publicUrl,
      directory: () => identity.current().doc,
      tokens,
      now: () => clock.currentTimeMillisUnsafe(),
      newId: () => crypto.randomUUID(),
      images: () => image.current().doc,
      commands,
      dataDir: options.dataDir,
      sizeCap: options.imageSizeCap ?? DEFAULT_IMAGE_SIZE_CAP,
    },
    compute: {
      publicUrl,
      directory: () => identity.current().doc,
      tokens,
      now: () => clock.currentTimeMillisUnsafe(),
      newId: () => crypto.randomUUID(),
      compute: () => compute.current().doc,
      images: () => image.current().doc,
      commands,
      placement: () => placement.current().doc,
      hostLiveness: options.hostLiveness ?? everyHostUp,
    },
    placement: {
      publicUrl,
      directory: () => identity.current().doc,
      tokens,
      now: () => clock.currentTimeMillisUnsafe(),
      placement: () => placement.current().doc,
    },
    events: {
      publicUrl,
      directory: () => identity.current().doc,
      tokens,
      now: () => clock.currentTimeMillisUnsafe(),
      feed,
      ...options.events,
    },
    audit: {
      publicUrl,
      directory: () => identity.current().doc,
      tokens,
      now: () => clock.currentTimeMillisUnsafe(),
      trail: audit,
    },
    ...(options.meter === undefined ? {} : { metering: meteringDeps(publicUrl, options.meter, () => identity.current().doc, tokens, () => clock.currentTimeMillisUnsafe()) }),
  });
  fetch = app.fetch;
  const settled = Effect.flatMap(store.head, (head) =>
    Effect.map(Effect.forEach(readModels, (model) => model.waitFor(head), { concurrency: "unbounded" }), (seen) => seen.every(Boolean)),
  );
  return { url: publicUrl, port, app, commands, settled } satisfies RunningGateway;
});
