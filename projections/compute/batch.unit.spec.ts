/**
 * `batchCompute` folds to the document `evolveCompute` folds event by event, over generated
 * histories: seeded random server lives (builds that fail, time out, stop, start, reboot, are
 * renamed, given and stripped of metadata, deleted before and after their host took them), with
 * server groups, key pairs, flavors and quotas among them, and the same logs shuffled (facts in an
 * order `decide` would never record, which a fold must still take). Equal means deep-equal,
 * indexes included, and the same snapshot, entry for entry in the same order.
 */
import { describe, expect, it } from "vitest";
import { at, expectSameAsBatch, fold, foldAll, makeCloud, small, tiny, type Cloud } from "./fixtures.ts";
import { computeEventTypes } from "./index.ts";

/** mulberry32: a small seeded generator, so a failing history can be generated again. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const fault = { code: 500, message: "boom", details: "" };

/** A history of `steps` random commands; the ones their aggregate refuses record nothing. */
const generated = (seed: number, steps: number): Cloud["log"] => {
  const next = random(seed);
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)]!;
  const cloud = makeCloud();
  const projects = ["p-web", "p-db", "0123456789abcdef0123456789abcdef"];
  const users = ["u-alice", "u-bob"];
  const servers = Array.from({ length: Math.max(4, Math.floor(steps / 6)) }, (_, i) => `s${i}`);
  const groups = ["g1", "g2"];
  const boot = () => cloud.boot(pick(servers), {
      projectId: pick(projects), host: pick(["cmp-1", "cmp-2", "cmp-3"]), flavor: pick([tiny, small]),
      until: pick(["requested", "scheduled", "spawned", "spawned"] as const), serverGroupId: pick(["", "", "g1", "g2"]),
      // Times in other forms than the canonical one sort as the instants they are.
      requestedAt: pick([cloud.now(), "2025-01-01T00:30:00-01:00", "2025-01-01T00:00:05Z", at(Math.floor(next() * 50))]),
      metadata: next() < 0.3 ? { a: "1" } : {},
    }, next() < 0.5 ? { actor: { userId: pick(users), projectId: pick(projects) } } : {});
  const others: ReadonlyArray<() => unknown> = [
    () => cloud.server({ type: "ScheduleServer", data: { serverId: pick(servers), host: "cmp-9", providerId: "rp-cmp-9", availabilityZone: pick(["", "nova"]) } }),
    () => cloud.server({ type: "ReportServerSpawned", data: { serverId: pick(servers) } }),
    () => cloud.server({ type: "FailServerBuild", data: { serverId: pick(servers), fault } }),
    () => cloud.server({ type: "ReportServerSpawnFailed", data: { serverId: pick(servers), fault } }),
    () => cloud.server({ type: "TimeOutServerBuild", data: { serverId: pick(servers) } }),
    () => cloud.server({ type: "StopServer", data: { serverId: pick(servers) } }),
    () => cloud.server({ type: "ReportServerStopped", data: { serverId: pick(servers) } }),
    () => cloud.server({ type: "StartServer", data: { serverId: pick(servers) } }),
    () => {
      const serverId = pick(servers);
      cloud.server({ type: "StopServer", data: { serverId } });
      cloud.server({ type: "ReportServerStopped", data: { serverId } });
      cloud.server({ type: "StartServer", data: { serverId } });
    },
    () => cloud.server({ type: "ReportServerStarted", data: { serverId: pick(servers) } }),
    () => cloud.server({ type: "RebootServer", data: { serverId: pick(servers), hard: next() < 0.5 } }),
    () => cloud.server({ type: "ReportServerRebooted", data: { serverId: pick(servers) } }),
    () => cloud.server({ type: "RenameServer", data: { serverId: pick(servers), name: `n${Math.floor(next() * 9)}` } }),
    () => cloud.server({ type: "SetServerMetadata", data: { serverId: pick(servers), items: { [pick(["a", "b"])]: String(next()) } } }),
    () => cloud.server({ type: "DeleteServerMetadata", data: { serverId: pick(servers), key: pick(["a", "b"]) } }),
    () => cloud.destroy(pick(servers), pick(projects)),
    () => cloud.server({ type: "ReportServerDestroyed", data: { serverId: pick(servers) } }),
    () => cloud.group({ type: "CreateServerGroup", data: { groupId: pick(groups), name: "g", policy: "affinity", maxServerPerHost: 0, projectId: pick(projects), userId: "u-alice" } }),
    () => cloud.group({ type: "DeleteServerGroup", data: { groupId: pick(groups) } }),
    () => cloud.keypairs({ type: "ImportKeypair", data: { userId: pick(users), name: pick(["k1", "k2"]), type: "ssh", publicKey: "ssh-ed25519 A", fingerprint: "f" } }),
    () => cloud.keypairs({ type: "DeleteKeypair", data: { userId: pick(users), name: pick(["k1", "k2"]) } }),
    () => cloud.quota({ type: "SetQuotaLimits", data: { projectId: pick(projects), instances: Math.floor(next() * 100) } }),
  ];
  for (let step = 0; step < steps; step++) {
    try {
      // A third of the steps boot a server, so the others find servers to act on.
      (next() < 0.3 ? boot : pick(others))();
    } catch {
      // A refused command records nothing: the aggregate decided so.
    }
  }
  return cloud.log;
};

const shuffled = <T>(items: ReadonlyArray<T>, seed: number): Array<T> => {
  const next = random(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.map((event, i) => ({ ...event, position: i + 1 }));
};

describe("the batch fold of the compute read model", () => {
  it("folds generated histories to the document evolve folds", () => {
    const kinds: Array<string> = [];
    for (let seed = 1; seed <= 40; seed++) {
      const log = generated(seed, 20 + seed * 10);
      // fold() checks the batch fold against the event-by-event one.
      const doc = fold(log);
      expect(log.length).toBeGreaterThan(0);
      expect(doc.servers.byId.size, `seed ${seed}: ${log.map((e) => e.event.type).join(",")}`).toBeGreaterThan(0);
      kinds.push(...log.map((event) => event.event.type));
    }
    // The histories reach every compute event type but the flavors' (the catalog specs fold those).
    expect(computeEventTypes.filter((type) => !kinds.includes(type) && !type.startsWith("Flavor"))).toEqual([]);
  });

  it("folds the same histories shuffled to the document evolve folds", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const log = shuffled(generated(seed, 20 + seed * 10), seed);
      expectSameAsBatch(log, foldAll(log).doc);
    }
  });
});
