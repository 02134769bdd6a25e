/**
 * Fixtures shared by the compute read-model specs: a small cloud that sends commands through the
 * domain's real deciders and records the events they decide (so sequences are the ones the
 * runtime would append), and a fold through `foldProjected` that also proves duplicate delivery
 * changes nothing and the batch fold gives the same document. Test-only: imported by `*.unit.spec.ts` files.
 */
import { expect } from "vitest";
import { isRejection, type Decider, type Message, type Rejection } from "@weft/domain/shared";
import {
  flavorCatalogDecider,
  flavorCatalogStreamFor,
  keypairsDecider,
  keypairsStreamFor,
  quotaDecider,
  quotaStreamFor,
  serverDecider,
  serverGroupDecider,
  serverGroupStreamFor,
  serverStreamFor,
  type FlavorCommand,
  type FlavorSnapshot,
  type ImageRef,
  type KeypairCommand,
  type QuotaCommand,
  type RequestServerBuild,
  type ServerCommand,
  type ServerGroupCommand,
} from "@weft/domain/compute";
import { foldProjected, initialProjected, type ProjectedEvent } from "../shared/index.ts";
import { batchCompute, initialComputeDocument, type ComputeDocument, type ComputeEvent } from "./document.ts";
import { computeProjection, computeToSnapshot } from "./index.ts";

/** Event n happens at 2025-01-01T00:00:00Z plus n seconds. */
export const at = (position: number): string => new Date(Date.UTC(2025, 0, 1) + position * 1000).toISOString();

export const tiny: FlavorSnapshot = { flavorId: "1", name: "m1.tiny", vcpus: 1, ramMb: 512, diskGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} };
export const small: FlavorSnapshot = {
  flavorId: "2", name: "m1.small", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 5, swapMb: 1536, extraSpecs: { "hw:cpu": "x" },
};
export const cirros: ImageRef = { imageId: "img-cirros", name: "cirros", minDiskGb: 0, minRamMb: 0 };

export interface Actor {
  readonly userId: string;
  readonly projectId: string;
}

export interface SendOptions {
  readonly requestId?: string;
  readonly actor?: Actor;
}

export interface BootOptions extends Partial<Omit<RequestServerBuild, "serverId">> {
  readonly host?: string;
  /** Where the build stops: only requested, scheduled, or spawned (the default). */
  readonly until?: "requested" | "scheduled" | "spawned";
}

const decideOn = <C extends Message, E extends Message, S, R extends Rejection>(
  states: Map<string, unknown>,
  decider: Decider<C, E, S, R>,
  stream: string,
  command: C,
): ReadonlyArray<E> => {
  const state = (states.get(stream) as S | undefined) ?? decider.initialState();
  const decision = decider.decide(command, state);
  if (isRejection(decision)) throw new Error(`${command.type} rejected: ${decision._tag}: ${decision.message}`);
  states.set(stream, decision.reduce(decider.evolve, state));
  return decision;
};

/**
 * A cloud in memory: each `send…` decides a command on its aggregate's current state and
 * records the events at the next positions, with the request id (`req-<n>` by default) and actor.
 */
export const makeCloud = () => {
  const states = new Map<string, unknown>();
  const log: Array<ProjectedEvent<ComputeEvent>> = [];
  let requests = 0;
  const record = (stream: string, events: ReadonlyArray<ComputeEvent>, options: SendOptions = {}) => {
    requests += 1;
    const requestId = options.requestId ?? `req-${requests}`;
    for (const event of events) {
      const position = log.length + 1;
      log.push({ event, stream, position, occurredAt: at(position), requestId, ...(options.actor === undefined ? {} : { actor: options.actor }) });
    }
    return events;
  };
  const cloud = {
    log,
    /** The time the next event will carry. */
    now: () => at(log.length + 1),
    server: (command: ServerCommand, options?: SendOptions) =>
      record(serverStreamFor(command), decideOn(states, serverDecider, serverStreamFor(command), command), options),
    flavors: (command: FlavorCommand, options?: SendOptions) =>
      record(flavorCatalogStreamFor(command), decideOn(states, flavorCatalogDecider, flavorCatalogStreamFor(command), command), options),
    keypairs: (command: KeypairCommand, options?: SendOptions) =>
      record(keypairsStreamFor(command), decideOn(states, keypairsDecider, keypairsStreamFor(command), command), options),
    group: (command: ServerGroupCommand, options?: SendOptions) =>
      record(serverGroupStreamFor(command), decideOn(states, serverGroupDecider, serverGroupStreamFor(command), command), options),
    quota: (command: QuotaCommand, options?: SendOptions) =>
      record(quotaStreamFor(command), decideOn(states, quotaDecider, quotaStreamFor(command), command), options),
    /** The gateway's create saga, then the scheduler and the host agent. */
    boot: (serverId: string, options: BootOptions = {}, send: SendOptions = {}) => {
      const { host = "cmp-1", until = "spawned", ...overrides } = options;
      const request: RequestServerBuild = {
        serverId, projectId: "p-web", userId: "u-alice", name: serverId, flavor: tiny, image: cirros, keyName: "", keyPublicKey: "",
        serverGroupId: "", availabilityZone: "", metadata: {}, requestedAt: cloud.now(), ...overrides,
      };
      const { projectId, flavor } = request;
      cloud.quota({ type: "ReserveServerResources", data: { projectId, serverId, instances: 1, cores: flavor.vcpus, ramMb: flavor.ramMb } }, send);
      cloud.server({ type: "RequestServerBuild", data: request }, send);
      if (until === "requested") return;
      cloud.server({ type: "ScheduleServer", data: { serverId, host, providerId: `rp-${host}`, availabilityZone: "nova" } });
      if (until === "spawned") cloud.server({ type: "ReportServerSpawned", data: { serverId } });
    },
    /** A user's delete, the host's report, and the quota release that follows. */
    destroy: (serverId: string, projectId = "p-web", send: SendOptions = {}) => {
      const requested = cloud.server({ type: "DeleteServer", data: { serverId } }, send);
      if (!requested.some((event) => event.type === "ServerDeleted")) cloud.server({ type: "ReportServerDestroyed", data: { serverId } });
      cloud.quota({ type: "ReleaseServerResources", data: { projectId, serverId } });
    },
  };
  return cloud;
};

export type Cloud = ReturnType<typeof makeCloud>;

export const foldAll = (events: Iterable<ProjectedEvent<ComputeEvent>>): { position: number; doc: ComputeDocument } => {
  let state = initialProjected(computeProjection);
  for (const event of events) state = foldProjected(computeProjection, state, event);
  return state;
};

/** Folds the events with `batchCompute`, in one batch from `doc`. */
export const batchFoldAll = (events: Iterable<ProjectedEvent<ComputeEvent>>, doc = initialComputeDocument()): ComputeDocument => {
  const batch = batchCompute(doc);
  for (const event of events) batch.fold(event);
  return batch.finish();
};

/** The batch fold's document is the event-by-event fold's: deep-equal, and the same snapshot in the same order. */
export const expectSameAsBatch = (log: ReadonlyArray<ProjectedEvent<ComputeEvent>>, doc: ComputeDocument): void => {
  const batched = batchFoldAll(log);
  expect(batched).toEqual(doc);
  expect(computeToSnapshot(batched)).toEqual(computeToSnapshot(doc));
  // A batch may start from a document folded event by event, which it must leave as it was.
  const half = Math.floor(log.length / 2);
  const start = foldAll(log.slice(0, half)).doc;
  const before = computeToSnapshot(start);
  expect(batchFoldAll(log.slice(half), start)).toEqual(doc);
  expect(computeToSnapshot(start)).toEqual(before);
};

/**
 * Folds the events once, and again with every event delivered twice and the whole log replayed
 * at the end (at-least-once delivery); both must give the same document, and so must the batch fold.
 */
export const fold = (log: ReadonlyArray<ProjectedEvent<ComputeEvent>>): ComputeDocument => {
  const once = foldAll(log);
  const redelivered = foldAll([...log.flatMap((event) => [event, event]), ...log]);
  expect(redelivered).toEqual(once);
  expect(once.position).toBe(log.length);
  expectSameAsBatch(log, once.doc);
  return once.doc;
};
