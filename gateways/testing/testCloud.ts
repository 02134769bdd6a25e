/**
 * A real control plane for gateway tests: the identity, image and compute command handlers and the gateway
 * on a real nats-server and a sqlite store in a temp dir (image bytes there too), bootstrapped,
 * with an admin token. Requests
 * go through `app.request()` in-process; the HTTP server is listening too, for clients that need it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Deferred, Effect, Fiber, Layer } from "effect";
import { CommandBus, Nats, natsCommandBusLayer } from "@weft/infra/bus";
import type { Message } from "@weft/domain/shared";
import { computeCommandCodec, computeModules, identityCommandCodec, identityModule, imageModule, placementCommandCodec, resourceProviderModule } from "@weft/infra/contexts";
import { EventStore, sqliteEventStoreLayer } from "@weft/infra/eventStore";
import { makeCommandHandler, makeContextHandler } from "@weft/infra/runtime";
import { systemActor, type CommandReply, type PayloadCodec } from "@weft/proto";
// Brings the `inject("natsUrl")` typing of the shared global setup.
import type {} from "@weft/infra/testing";
import { hashPassword, type ScryptCost } from "../identity/passwords.ts";
import type { HostLiveness } from "../compute/hosts.ts";
import type { EventStreamOptions } from "../events/context.ts";
import { runGateway, type RunningGateway } from "../serve.ts";

/** Cheap hashing for tests: the KDF's own spec covers the real cost. */
export const testScryptCost: ScryptCost = { logN: 10, r: 8, p: 1 };
export const ADMIN_PASSWORD = "admin-secret";

export interface TestCloud {
  readonly gateway: RunningGateway;
  readonly dataDir: string;
  readonly adminToken: string;
  /** The gateway's token key, so a test can seal well-formed tokens (expired ones, say). */
  readonly tokenKey: Uint8Array;
  readonly request: (path: string, init?: RequestInit & { token?: string | undefined; json?: unknown }) => Promise<Response>;
  /**
   * Sends a command as the fabric (the system actor) would: the scheduler's and the agents'
   * reports, for specs that play their part without running them.
   */
  readonly system: (context: "compute" | "placement", command: Message) => Promise<CommandReply>;
  /** Position of the newest event: equal before and after a refused request. */
  readonly head: () => Promise<number>;
  readonly close: () => Promise<void>;
}

export interface TestCloudOptions {
  readonly natsUrl: string;
  readonly subjectPrefix?: string;
  readonly now?: () => number;
  readonly imageSizeCap?: number;
  readonly hostLiveness?: HostLiveness;
  readonly events?: EventStreamOptions;
}

export const startTestCloud = async (options: TestCloudOptions): Promise<TestCloud> => {
  const dataDir = await mkdtemp(join(tmpdir(), "weft-gateway-"));
  const layer = Layer.mergeAll(
    natsCommandBusLayer(options.subjectPrefix === undefined ? {} : { subjectPrefix: options.subjectPrefix }).pipe(Layer.provide(Nats.layer(options.natsUrl))),
    sqliteEventStoreLayer(join(dataDir, "events.sqlite")),
  );
  const tokenKey = randomBytes(32);
  const ready = Deferred.makeUnsafe<{ gateway: RunningGateway; head: () => Promise<number>; system: TestCloud["system"] }>();
  const fiber = Effect.runFork(
    Effect.gen(function* () {
      const bus = yield* CommandBus;
      yield* bus.serve(identityModule.context, yield* makeCommandHandler(identityModule));
      yield* bus.serve(imageModule.context, yield* makeCommandHandler(imageModule));
      yield* bus.serve("compute", yield* makeContextHandler(computeModules));
      yield* bus.serve(resourceProviderModule.context, yield* makeCommandHandler(resourceProviderModule));
      const gateway = yield* runGateway({
        host: "127.0.0.1", port: 0, tokenKey, scryptCost: testScryptCost, snapshotDir: join(dataDir, "snapshots"), dataDir,
        ...(options.imageSizeCap === undefined ? {} : { imageSizeCap: options.imageSizeCap }),
        ...(options.hostLiveness === undefined ? {} : { hostLiveness: options.hostLiveness }),
        ...(options.events === undefined ? {} : { events: options.events }),
      });
      const hex = () => randomUUID().replaceAll("-", "");
      const command = {
        type: "BootstrapIdentity" as const,
        data: {
          domainId: "default", domainName: "Default", adminProjectId: hex(), adminProjectName: "admin", adminUserId: hex(), adminUserName: "admin",
          adminPasswordHash: yield* Effect.promise(() => hashPassword(ADMIN_PASSWORD, testScryptCost)),
          adminRoleId: hex(), memberRoleId: hex(), readerRoleId: hex(),
        },
      };
      const reply = yield* bus.send("identity", {
        commandId: randomUUID(), requestId: `req-${randomUUID()}`, actor: systemActor, issuedAt: new Date().toISOString(),
        type: command.type, payload: identityCommandCodec.encode(command), correlationId: "", causationId: "",
      });
      if (reply.outcome !== "accepted") return yield* Effect.die(new Error(`bootstrap failed: ${JSON.stringify(reply)}`));
      const store = yield* EventStore;
      const codecs: Record<"compute" | "placement", PayloadCodec<Message>> = { compute: computeCommandCodec, placement: placementCommandCodec as PayloadCodec<Message> };
      const system: TestCloud["system"] = (context, command) => {
        const commandId = randomUUID();
        return Effect.runPromise(
          bus.send(context, {
            commandId, requestId: `req-${randomUUID()}`, actor: systemActor, issuedAt: new Date().toISOString(),
            type: command.type, payload: codecs[context].encode(command), correlationId: commandId, causationId: "",
          }),
        );
      };
      Deferred.doneUnsafe(ready, Effect.succeed({ gateway, head: () => Effect.runPromise(store.head), system }));
      return yield* Effect.never;
    }).pipe(Effect.scoped, Effect.provide(layer)),
  );
  const { gateway, head, system } = await Effect.runPromise(Effect.raceFirst(Deferred.await(ready), Fiber.join(fiber).pipe(Effect.flatMap(() => Effect.die("cloud stopped")))));

  const request: TestCloud["request"] = (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== undefined) headers.set("x-auth-token", token);
    if (json !== undefined) headers.set("content-type", "application/json");
    return Promise.resolve(gateway.app.request(path, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) }));
  };
  const issued = await request("/identity/v3/auth/tokens", {
    method: "POST",
    json: { auth: { identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: ADMIN_PASSWORD } } }, scope: { project: { name: "admin", domain: { id: "default" } } } } },
  });
  const adminToken = issued.headers.get("x-subject-token");
  if (adminToken === null) throw new Error(`admin login failed: ${issued.status} ${await issued.text()}`);

  return {
    gateway,
    dataDir,
    adminToken,
    tokenKey,
    request,
    system,
    head,
    close: async () => {
      await Effect.runPromise(Fiber.interrupt(fiber));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
