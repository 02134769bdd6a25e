/**
 * The roles a `weft` process can run, as Effects over the infrastructure services, so the
 * all-in-one and the split deployment compose the same pieces: command handlers for each
 * context, the identity bootstrap, and the layers that connect them to NATS and the store.
 */
import { randomUUID } from "node:crypto";
import { Effect, Layer } from "effect";
import { identityStream } from "@weft/domain/identity";
import { hashPassword } from "@weft/gateways";
import { CommandBus, Nats, natsCommandBusLayer } from "@weft/infra/bus";
import { computeModules, identityCommandCodec, identityModule, imageModule, resourceProviderModule } from "@weft/infra/contexts";
import { EventStore, eventStoreFromUrl, type SqliteEventStoreOptions } from "@weft/infra/eventStore";
import { makeContextHandler } from "@weft/infra/runtime";
import { systemActor } from "@weft/proto";

/** The bus and the store, and the NATS connection itself for the relay, heartbeats and agents. */
export const infrastructureLayer = (natsUrl: string, eventStoreUrl: string, sqlite?: SqliteEventStoreOptions) =>
  Layer.mergeAll(natsCommandBusLayer().pipe(Layer.provideMerge(Nats.layer(natsUrl))), eventStoreFromUrl(eventStoreUrl, sqlite));

const contexts = [[identityModule], computeModules, [imageModule], [resourceProviderModule]] as const;

/** Serves every context's commands until the scope closes. */
export const serveCommandHandlers = Effect.gen(function* () {
  const bus = yield* CommandBus;
  for (const modules of contexts) {
    yield* bus.serve(modules[0].context, yield* makeContextHandler(modules));
  }
});

const bootstrapped = Effect.gen(function* () {
  const store = yield* EventStore;
  // The bootstrap is the directory's first event: one event read, however large the log.
  const first = yield* store.readAll(0, 1, { categories: [identityStream.slice(0, identityStream.indexOf("-"))] });
  return first.length > 0;
});

export interface BootstrapOptions {
  readonly adminPassword: string;
}

/**
 * Creates the Default domain, the admin/member/reader roles and the admin user and project the
 * first time the cloud starts; a no-op afterwards.
 */
export const bootstrapIdentity = Effect.fnUntraced(function* (options: BootstrapOptions) {
  if (yield* bootstrapped) return false;
  const bus = yield* CommandBus;
  const passwordHash = yield* Effect.promise(() => hashPassword(options.adminPassword));
  const id = () => randomUUID().replaceAll("-", "");
  const issuedAt = new Date(yield* Effect.clockWith((clock) => clock.currentTimeMillis)).toISOString();
  const reply = yield* bus.send("identity", {
    // A fixed id: two processes bootstrapping at once append it once.
    commandId: "bootstrap-identity",
    requestId: `req-${randomUUID()}`,
    actor: systemActor,
    issuedAt,
    type: "BootstrapIdentity",
    payload: identityCommandCodec.encode({
      type: "BootstrapIdentity",
      data: {
        domainId: "default",
        domainName: "Default",
        adminProjectId: id(),
        adminProjectName: "admin",
        adminUserId: id(),
        adminUserName: "admin",
        adminPasswordHash: passwordHash,
        adminRoleId: id(),
        memberRoleId: id(),
        readerRoleId: id(),
      },
    }),
    correlationId: "bootstrap-identity",
    causationId: "",
  });
  if (reply.outcome === "failed") return yield* Effect.die(new Error(`identity bootstrap failed: ${reply.failed.code} ${reply.failed.message}`));
  return reply.outcome === "accepted";
});
