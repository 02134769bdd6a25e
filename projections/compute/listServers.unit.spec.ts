/**
 * `listServers`: Nova's order (created, then id, both descending, whatever form the times were
 * written in), its filters, `changes-since` and `status=DELETED` reaching deleted servers, and
 * paging by limit and marker, over a handful of servers and over 10,000.
 */
import { describe, expect, it } from "vitest";
import { at, fold, foldAll, makeCloud } from "./fixtures.ts";
import { listServers, serverStatus, type ServerListQuery } from "./index.ts";

const cloud = makeCloud();
cloud.boot("a4", { name: "old", requestedAt: "2025-01-01T01:00:00.000Z" });
cloud.boot("a1", { name: "web-(1)", requestedAt: "2025-01-01T01:00:10Z" });
cloud.boot("a5", { name: "web-5", requestedAt: "2025-01-01T01:00:15.000Z" });
cloud.boot("a2", { name: "web-2", requestedAt: "2025-01-01T01:00:20.000Z", host: "cmp-2" });
cloud.boot("b1", { name: "db-1", requestedAt: "2025-01-01T01:00:20.000Z", projectId: "p-db" });
// 01:30Z, the newest, though as a string it sorts before every other.
cloud.boot("a3", { name: "Web-3", requestedAt: "2025-01-01T00:30:00-01:00" });
cloud.server({ type: "StopServer", data: { serverId: "a3" } });
cloud.server({ type: "ReportServerStopped", data: { serverId: "a3" } });
const deletesFrom = cloud.log.length + 1;
cloud.destroy("a4");
cloud.destroy("a5");
const doc = fold(cloud.log);

const ids = (query?: ServerListQuery) => {
  const { servers, markerNotFound } = listServers(doc, query);
  expect(markerNotFound).toBe(false);
  return servers.map((server) => server.id);
};

describe("listServers", () => {
  it("lists servers not deleted, newest first, ties by id descending", () => {
    expect(ids()).toEqual(["a3", "b1", "a2", "a1"]);
    expect(ids({ projectId: "p-web" })).toEqual(["a3", "a2", "a1"]);
    expect(ids({ projectId: "p-none" })).toEqual([]);
  });

  it("filters by name as a case-insensitive regex, or a literal when it does not compile", () => {
    expect(ids({ name: "web" })).toEqual(["a3", "a2", "a1"]);
    expect(ids({ name: "^web-[0-9]$" })).toEqual(["a3", "a2"]);
    expect(ids({ name: "web-(" })).toEqual(["a1"]);
  });

  it("filters by Nova status in any case, and by host", () => {
    expect(ids({ status: "SHUTOFF" })).toEqual(["a3"]);
    expect(ids({ status: "active", projectId: "p-web" })).toEqual(["a2", "a1"]);
    expect(ids({ host: "cmp-2" })).toEqual(["a2"]);
    expect(ids({ host: "cmp-1", name: "db" })).toEqual(["b1"]);
  });

  it("pages with limit and marker, the marker being any server ever known", () => {
    expect(ids({ limit: 2 })).toEqual(["a3", "b1"]);
    expect(ids({ limit: 2, marker: "b1" })).toEqual(["a2", "a1"]);
    expect(ids({ limit: 2, marker: "a1" })).toEqual([]);
    expect(ids({ marker: "a5" })).toEqual(["a1"]);
    expect(ids({ limit: 0 })).toEqual([]);
  });

  it("says when the marker names no server", () =>
    expect(listServers(doc, { marker: "nope", limit: 5 })).toEqual({ servers: [], markerNotFound: true }));

  it("reaches deleted servers with changes-since, and with status DELETED", () => {
    expect(ids({ changesSince: at(deletesFrom) })).toEqual(["a5", "a4"]);
    expect(ids({ changesSince: at(deletesFrom), marker: "a5" })).toEqual(["a4"]);
    expect(ids({ changesSince: at(deletesFrom), projectId: "p-db" })).toEqual([]);
    expect(ids({ changesSince: "2024-12-31T22:00:00-02:00" })).toEqual(["a3", "b1", "a2", "a5", "a1", "a4"]);
    expect(ids({ status: "deleted" })).toEqual(["a5", "a4"]);
    expect(listServers(doc, { changesSince: at(deletesFrom) }).servers.map((server) => serverStatus(server).status)).toEqual(["DELETED", "DELETED"]);
  });
});

describe("listServers over 10,000 servers", () => {
  const big = makeCloud();
  const projects = ["p-0", "p-1", "p-2"];
  const created = (i: number) => new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 3) * 1000).toISOString();
  // Ids in no relation to creation order, and three servers per second, so ties are common.
  const idOf = (i: number) => `srv-${((i * 7919) % 10007).toString().padStart(5, "0")}`;
  const count = 10_000;
  for (const projectId of projects) big.quota({ type: "SetQuotaLimits", data: { projectId, instances: -1, cores: -1, ramMb: -1 } });
  for (let i = 0; i < count; i++) {
    big.boot(idOf(i), { requestedAt: created(i), projectId: projects[i % 3]!, name: `vm-${i}`, host: `cmp-${i % 7}` });
  }
  for (let i = 0; i < count; i += 17) big.destroy(idOf(i), projects[i % 3]!);
  // Every event delivered twice: the second of each is skipped by position.
  const bigDoc = foldAll(big.log.flatMap((event) => [event, event])).doc;

  const expected = (projectId?: string, host?: string) =>
    Array.from({ length: count }, (_, i) => i)
      .filter((i) => i % 17 !== 0 && (projectId === undefined || projects[i % 3] === projectId) && (host === undefined || `cmp-${i % 7}` === host))
      .map((i) => ({ key: `${created(i)}|${idOf(i)}`, id: idOf(i) }))
      .sort((a, b) => (a.key < b.key ? 1 : -1))
      .map(({ id }) => id);

  const allPages = (query: ServerListQuery, limit: number) => {
    const pages: Array<ReadonlyArray<string>> = [];
    let marker: string | undefined;
    for (;;) {
      const { servers, markerNotFound } = listServers(bigDoc, { ...query, limit, ...(marker === undefined ? {} : { marker }) });
      expect(markerNotFound).toBe(false);
      if (servers.length === 0) return pages;
      pages.push(servers.map((server) => server.id));
      marker = servers.at(-1)!.id;
    }
  };

  it("pages through every project's servers a thousand at a time, in Nova's order", () => {
    const pages = allPages({}, 1000);
    expect(pages.map((page) => page.length)).toEqual([...Array(9).fill(1000), count - Math.ceil(count / 17) - 9000]);
    expect(pages.flat()).toEqual(expected());
  });

  it("pages through one project's servers", () => {
    const pages = allPages({ projectId: "p-1" }, 500);
    expect(pages.flat()).toEqual(expected("p-1"));
    expect(pages.slice(0, -1).every((page) => page.length === 500)).toBe(true);
  });

  it("filters while paging", () => {
    expect(allPages({ host: "cmp-3", projectId: "p-2" }, 100).flat()).toEqual(expected("p-2", "cmp-3"));
    const deleted = listServers(bigDoc, { status: "DELETED", limit: 5 }).servers;
    expect(deleted.map((server) => server.id)).toEqual([9996, 9979, 9962, 9945, 9928].map(idOf));
  });
});
