/**
 * The compute read model the Nova gateway answers from: servers and their instance actions,
 * flavors, key pairs, server groups, quotas and host usage, in one document because some facts
 * cross them (a server's build joins its group, its deletion frees its host). `evolveCompute` is
 * a pure fold over persistent collections: O(log n) per event. `batchCompute` folds many events by
 * the same rules into a transient copy, for replays and catching up.
 */
import { Map as ImmutableMap } from "immutable";
import {
  flavorEventTypes,
  keypairEventTypes,
  quotaEventTypes,
  serverEventTypes,
  serverGroupEventTypes,
  type FlavorEvent,
  type KeypairEvent,
  type QuotaEvent,
  type ServerEvent,
  type ServerGroupEvent,
} from "@weft/domain/compute";
import type { BatchFold, ProjectedEvent } from "../shared/index.ts";
import {
  evolveFlavors,
  evolveKeypairs,
  evolveServerGroups,
  initialFlavors,
  initialServerGroups,
  withMember,
  withoutMember,
  type Flavors,
  type Keypairs,
  type ServerGroups,
} from "./catalog.ts";
import { evolveInstanceActions, type InstanceActions } from "./instanceActions.ts";
import { evolvedServer, initialServers, serverIndexesOf, withServer, withServerById, type Server, type Servers } from "./servers.ts";
import { evolveQuotas, withoutServerOnHost, withServerOnHost, type Hosts, type Quotas } from "./usage.ts";

/** Every event of the five compute aggregates. */
export type ComputeEvent = ServerEvent | FlavorEvent | KeypairEvent | ServerGroupEvent | QuotaEvent;

/** The projection's subscription filter: every compute event type. */
export const computeEventTypes: ReadonlyArray<ComputeEvent["type"]> = [
  ...serverEventTypes,
  ...flavorEventTypes,
  ...keypairEventTypes,
  ...serverGroupEventTypes,
  ...quotaEventTypes,
];

export interface ComputeDocument {
  readonly servers: Servers;
  readonly instanceActions: InstanceActions;
  readonly flavors: Flavors;
  readonly keypairs: Keypairs;
  readonly serverGroups: ServerGroups;
  readonly quotas: Quotas;
  readonly hosts: Hosts;
}

export const initialComputeDocument = (): ComputeDocument => ({
  servers: initialServers(),
  instanceActions: ImmutableMap(),
  flavors: initialFlavors(),
  keypairs: ImmutableMap(),
  serverGroups: initialServerGroups(),
  quotas: ImmutableMap(),
  hosts: ImmutableMap(),
});

/** How a server's new version is stored: with both indexes moved, or (in a batch) by id only. */
type StoreServer = (servers: Servers, before: Server | undefined, after: Server) => Servers;

const evolveServerEvent = (doc: ComputeDocument, projected: ProjectedEvent<ServerEvent>, store: StoreServer): ComputeDocument => {
  const { event } = projected;
  const before = doc.servers.byId.get(event.data.serverId);
  const after = evolvedServer(before, projected);
  if (after === undefined) return doc;
  let { serverGroups, hosts } = doc;
  if (event.type === "ServerBuildRequested" && after.serverGroupId !== "") serverGroups = withMember(serverGroups, after.serverGroupId, after.id);
  if (event.type === "ServerScheduled") hosts = withServerOnHost(hosts, after.host, after.id, after.flavor);
  if (event.type === "ServerDeleted") {
    serverGroups = after.serverGroupId === "" ? serverGroups : withoutMember(serverGroups, after.serverGroupId, after.id);
    hosts = after.host === "" ? hosts : withoutServerOnHost(hosts, after.host, after.id);
  }
  return {
    ...doc,
    servers: store(doc.servers, before, after),
    instanceActions: evolveInstanceActions(doc.instanceActions, after, projected),
    serverGroups,
    hosts,
  };
};

const evolveStoring = (store: StoreServer) => (doc: ComputeDocument, projected: ProjectedEvent<ComputeEvent>): ComputeDocument => {
  const { event } = projected;
  switch (event.type) {
    case "FlavorCreated":
    case "FlavorDeleted":
    case "FlavorExtraSpecsSet":
    case "FlavorExtraSpecUnset":
      return { ...doc, flavors: evolveFlavors(doc.flavors, event) };
    case "KeypairImported":
    case "KeypairDeleted":
      return { ...doc, keypairs: evolveKeypairs(doc.keypairs, event, projected.occurredAt) };
    case "ServerGroupCreated":
    case "ServerGroupDeleted":
      return { ...doc, serverGroups: evolveServerGroups(doc.serverGroups, event) };
    case "QuotaLimitsSet":
    case "ServerResourcesReserved":
    case "ServerResourcesReleased":
      return { ...doc, quotas: evolveQuotas(doc.quotas, event) };
    case "ServerBuildRequested":
    case "ServerScheduled":
    case "ServerBuildFailed":
    case "ServerSpawned":
    case "ServerSpawnFailed":
    case "ServerBuildTimedOut":
    case "ServerStopRequested":
    case "ServerStopped":
    case "ServerStartRequested":
    case "ServerStarted":
    case "ServerRebootRequested":
    case "ServerRebooted":
    case "ServerRenamed":
    case "ServerMetadataSet":
    case "ServerMetadataDeleted":
    case "ServerDeletionRequested":
    case "ServerDeleted":
      // The event is narrowed to a server event: no need to copy the envelope to say so.
      return evolveServerEvent(doc, projected as ProjectedEvent<ServerEvent>, store);
    default: {
      // A compile error when an event type has no case; at run time an unknown fact changes nothing.
      const _unhandled: never = event;
      return doc;
    }
  }
};

/** Total and never throwing: an event about something the document does not hold changes nothing. */
export const evolveCompute = evolveStoring(withServer);

const evolveUnindexed = evolveStoring(withServerById);

/**
 * `evolveCompute` over many events, without its costs per event that a batch can pay once: the
 * maps that change with every server event are changed in place (servers by id and instance
 * actions as JavaScript Maps, quotas and hosts as immutable.js transients) instead of
 * path-copied, and the sorted server indexes are built at the end from the servers. `doc`
 * itself is left as it was.
 */
export const batchCompute = (doc: ComputeDocument): BatchFold<ComputeDocument, ComputeEvent> => {
  // The fold only gets and sets these two (a set returns the map, as a transient's does), and never
  // deletes: a JavaScript Map finds a uuid by the hash V8 keeps in the string, where immutable.js
  // hashes the string's characters again on every lookup (its cache holds 255 strings). At the end
  // the entries are set into the immutable maps in the order they first appeared, which is how the
  // fold would have inserted them: the same maps, in the same iteration order.
  const byId = new Map(doc.servers.byId);
  const actions = new Map(doc.instanceActions);
  let transient: ComputeDocument = {
    ...doc,
    servers: { ...doc.servers, byId: byId as unknown as Servers["byId"] },
    instanceActions: actions as unknown as InstanceActions,
    quotas: doc.quotas.asMutable(),
    hosts: doc.hosts.asMutable(),
  };
  let serversChanged = false;
  return {
    fold: (projected) => {
      const before = transient;
      transient = evolveUnindexed(transient, projected);
      // A server event that changed nothing returns the document itself.
      if (transient !== before && serverEventTypeSet.has(projected.event.type)) serversChanged = true;
    },
    finish: () => {
      const servers = doc.servers.byId.withMutations((map) => {
        for (const [id, server] of byId) map.set(id, server);
      });
      return {
        ...transient,
        servers: serversChanged ? { byId: servers, ...serverIndexesOf(byId.values()) } : { ...doc.servers, byId: servers },
        instanceActions: doc.instanceActions.withMutations((map) => {
          for (const [id, held] of actions) map.set(id, held);
        }),
        quotas: transient.quotas.asImmutable(),
        hosts: transient.hosts.asImmutable(),
      };
    },
  };
};

const serverEventTypeSet: ReadonlySet<string> = new Set(serverEventTypes);
