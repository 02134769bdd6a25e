/**
 * The metering document as plain data for msgpack (and JSON): live servers, intervals per project
 * in launch order, event counts, and the position they were folded to, which travels with them so
 * a restored meter resumes exactly where its document ends. Changing this shape means bumping
 * `METERING_SNAPSHOT_VERSION`, so an older checkpoint is ignored and the meter refolds the log.
 */
import { Map as ImmutableMap, OrderedMap as ImmutableOrderedMap } from "immutable";
import type { LiveServer, MeteringDocument, UsageInterval } from "./document.ts";

export const METERING_SNAPSHOT_VERSION = 1;

export interface MeteringSnapshot {
  readonly version: number;
  readonly position: number;
  readonly live: ReadonlyArray<readonly [string, LiveServer]>;
  readonly usage: ReadonlyArray<readonly [string, ReadonlyArray<UsageInterval>]>;
  readonly eventCounts: ReadonlyArray<readonly [string, number]>;
}

export class InvalidMeteringSnapshot extends Error {
  readonly _tag = "InvalidMeteringSnapshot";
}

// msgpack has no undefined: a running server's end is written as null.
type Stored<T> = { readonly [K in keyof T]: T[K] extends undefined ? null : T[K] };

export const meteringToSnapshot = (doc: MeteringDocument): MeteringSnapshot => ({
  version: METERING_SNAPSHOT_VERSION,
  position: doc.position,
  live: doc.live.entrySeq().toArray(),
  usage: doc.usage.entrySeq().map(([projectId, intervals]) => [projectId, intervals.valueSeq().map((interval) => ({ ...interval, endedAt: interval.endedAt ?? null }) as unknown as UsageInterval).toArray()] as const).toArray(),
  eventCounts: doc.eventCounts.entrySeq().toArray(),
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** Throws InvalidMeteringSnapshot for anything that is not a `MeteringSnapshot` of this version. */
export const meteringFromSnapshot = (snapshot: unknown): MeteringDocument => {
  if (!isRecord(snapshot) || snapshot.version !== METERING_SNAPSHOT_VERSION || typeof snapshot.position !== "number") {
    throw new InvalidMeteringSnapshot("not a metering snapshot of this version");
  }
  const { live, usage, eventCounts } = snapshot;
  if (!Array.isArray(live) || !Array.isArray(usage) || !Array.isArray(eventCounts)) throw new InvalidMeteringSnapshot("metering snapshot without its collections");
  return {
    position: snapshot.position,
    live: ImmutableMap(live as Array<[string, LiveServer]>),
    usage: ImmutableOrderedMap<string, ImmutableOrderedMap<string, UsageInterval>>().withMutations((projects) => {
      for (const [projectId, intervals] of usage as Array<[string, Array<Stored<UsageInterval>>]>) {
        projects.set(projectId, ImmutableOrderedMap(intervals.map((interval) => [interval.serverId, { ...interval, endedAt: interval.endedAt ?? undefined }] as const)));
      }
    }),
    eventCounts: ImmutableMap(eventCounts as Array<[string, number]>),
  };
};
