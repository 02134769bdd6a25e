/**
 * `GET /events/v1/stream` against a real control plane (nats-server, sqlite, the handlers and the
 * gateway): events stream as they happen, resume exactly after `Last-Event-ID` or `?from=`
 * (checked position by position), filter, refuse bad requests with 400s, show a member only its
 * own project's events, and let a stalled consumer go and resume; the subscriber client follows
 * the stream over real HTTP across a dropped connection.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sseParser, subscribeEvents, SubscriptionRefused, type AnyWeftCloudEvent } from "@weft/infra/events";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let alice: ProjectCaller; // member of project A
let reader: ProjectCaller; // reader of project A
let bob: ProjectCaller; // member of project B

const stallTimeoutMs = 200;

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}`, events: { heartbeatMs: 100, stallTimeoutMs } });
  alice = await projectCaller(cloud, "member");
  reader = await projectCaller(cloud, "reader", alice.projectId);
  bob = await projectCaller(cloud, "member");
});
afterAll(() => cloud?.close());

interface Received {
  readonly position: number;
  readonly type: string;
  readonly event: AnyWeftCloudEvent;
}

/** An open stream: `until` reads until a condition holds on what was received (or the stream ends). */
const open = async (token: string, query = "", headers: Record<string, string> = {}) => {
  const response = await cloud.request(`/events/v1/stream${query}`, { token, headers });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const body = response.body!.getReader();
  const parser = sseParser();
  const received: Array<Received> = [];
  let ended = false;
  const until = async (done: (received: ReadonlyArray<Received>) => boolean) => {
    while (!ended && !done(received)) {
      const chunk = await body.read();
      if (chunk.done) ended = true;
      else for (const message of parser.push(chunk.value)) {
        if (message.data !== undefined) received.push({ position: Number(message.id), type: message.event!, event: JSON.parse(message.data) });
      }
    }
    return received;
  };
  return { received, until, ended: () => ended, close: () => body.cancel() };
};

const upTo = (position: number) => (received: ReadonlyArray<Received>) => (received.at(-1)?.position ?? 0) >= position;
const positions = (received: ReadonlyArray<Received>) => received.map((r) => r.position);
const range = (after: number, last: number) => Array.from({ length: last - after }, (_, i) => after + i + 1);

const createImage = async (token: string, name = `img-${randomUUID().slice(0, 6)}`) => {
  const response = await cloud.request("/image/v2/images", { method: "POST", token, json: { name, disk_format: "raw", container_format: "bare" } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
};
const createProject = async () => {
  const response = await cloud.request("/identity/v3/projects", { method: "POST", token: cloud.adminToken, json: { project: { name: `p-${randomUUID().slice(0, 8)}` } } });
  expect(response.status).toBe(201);
};

const refused = async (query: string, headers: Record<string, string> = {}, token = cloud.adminToken) => {
  const response = await cloud.request(`/events/v1/stream${query}`, { token, headers });
  const body = (await response.json()) as { error: { code: number; message: string; title: string } };
  return { status: response.status, ...body.error };
};

describe("the event stream", () => {
  it("streams events as they happen, each a CloudEvent whose SSE id is its position", async () => {
    const stream = await open(cloud.adminToken);
    const imageId = await createImage(alice.token, "live");
    const [created] = await stream.until((r) => r.some((e) => e.type === "weft.image.ImageCreated"));
    await stream.close();
    expect(created!.position).toBe(created!.event.weftposition);
    expect(created!.event).toMatchObject({
      specversion: "1.0",
      source: "/weft/image",
      type: "weft.image.ImageCreated",
      subject: imageId,
      datacontenttype: "application/json",
      weftresourcetype: "image",
      weftproject: alice.projectId,
      weftactoruser: alice.userId,
      weftactorproject: alice.projectId,
      data: { imageId, owner: alice.projectId, name: "live" },
    });
    expect(created!.event.weftactorroles?.split(",")).toContain("member");
    expect(created!.event.weftrequestid).toMatch(/^req-/);
    expect(Date.parse(created!.event.time)).not.toBeNaN();
  });

  it("resumes exactly after Last-Event-ID or ?from=, with no gap and no duplicate", async () => {
    const start = await cloud.head();
    for (let i = 0; i < 6; i++) await createImage(alice.token);
    await createProject();
    const head = await cloud.head();

    const all = await open(cloud.adminToken, `?from=${start}`);
    expect(positions(await all.until(upTo(head)))).toEqual(range(start, head));
    await all.close();

    const middle = start + 4;
    const byHeader = await open(cloud.adminToken, "", { "last-event-id": String(middle) });
    expect(positions(await byHeader.until(upTo(head)))).toEqual(range(middle, head));
    await byHeader.close();

    const byQuery = await open(cloud.adminToken, `?from=${middle}`);
    expect(positions(await byQuery.until(upTo(head)))).toEqual(range(middle, head));
    await byQuery.close();

    // A reconnecting EventSource keeps its first URL: the header it adds wins.
    const both = await open(cloud.adminToken, `?from=${start}`, { "last-event-id": String(head - 1) });
    expect(positions(await both.until(upTo(head)))).toEqual([head]);
    await both.close();

    const atHead = await open(cloud.adminToken, `?from=${head}`);
    await createImage(alice.token);
    expect(positions(await atHead.until(upTo(head + 1)))[0]).toBe(head + 1);
    await atHead.close();
  });

  it("filters by event type, resource type and resource id", async () => {
    const start = await cloud.head();
    const imageId = await createImage(alice.token, "filtered");
    const patched = await cloud.request(`/image/v2/images/${imageId}`, {
      method: "PATCH", token: alice.token, headers: { "content-type": "application/openstack-images-v2.1-json-patch" },
      body: JSON.stringify([{ op: "replace", path: "/name", value: "renamed" }]),
    });
    expect(patched.status).toBe(200);
    await createImage(alice.token, "other");
    await createProject();
    const head = await cloud.head();

    const byType = await open(cloud.adminToken, `?from=${start}&type=ImageRenamed,weft.identity.ProjectCreated`);
    const typed = await byType.until((r) => r.length >= 2);
    expect(typed.map((r) => r.type)).toEqual(["weft.image.ImageRenamed", "weft.identity.ProjectCreated"]);
    await byType.close();

    const byResource = await open(cloud.adminToken, `?from=${start}&resource_type=image&resource_id=${imageId}`);
    const forImage = await byResource.until((r) => r.some((e) => e.type === "weft.image.ImageRenamed"));
    expect(forImage.map((r) => [r.type, r.event.subject])).toEqual([["weft.image.ImageCreated", imageId], ["weft.image.ImageRenamed", imageId]]);
    await byResource.close();

    const identityOnly = await open(cloud.adminToken, `?from=${start}&resource_type=identity`);
    const identity = await identityOnly.until((r) => r.length >= 1);
    expect(identity.map((r) => [r.type, r.position])).toEqual([["weft.identity.ProjectCreated", head]]);
    await identityOnly.close();
  });

  it("refuses malformed filters, unknown types and positions beyond the head with 400s", async () => {
    const head = await cloud.head();
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ["?type=ServerTeleported", {}, /Unknown event type 'ServerTeleported'/],
      ["?type=ImageCreated,", {}, /empty name/],
      ["?resource_type=servers", {}, /Unknown resource type 'servers'/],
      ["?resource_id=a&resource_id=b", {}, /resource_id/],
      ["?resource_type=image&colour=blue", {}, /Unknown query parameter 'colour'/],
      ["?from=abc", {}, /Invalid from 'abc'/],
      ["?from=-1", {}, /Invalid from '-1'/],
      ["?from=1.5", {}, /Invalid from '1.5'/],
      [`?from=${head + 1000}`, {}, new RegExp(`Position ${head + 1000} is beyond the newest event`)],
      ["", { "last-event-id": "x7" }, /Invalid Last-Event-ID 'x7'/],
      ["", { "last-event-id": String(head + 1) }, /beyond the newest event/],
    ];
    for (const [query, headers, message] of cases) {
      const fault = await refused(query, headers);
      expect(fault, query).toMatchObject({ status: 400, code: 400, title: "Bad Request" });
      expect(fault.message, query).toMatch(message);
    }
  });

  it("needs a token, and a project scope unless admin", async () => {
    expect((await cloud.request("/events/v1/stream")).status).toBe(401);
    expect((await cloud.request("/events/v1/stream", { token: "not-a-token" })).status).toBe(401);
    const issued = await cloud.request("/identity/v3/auth/tokens", {
      method: "POST", json: { auth: { identity: { methods: ["token"], token: { id: alice.token } }, scope: "unscoped" } },
    });
    const unscoped = issued.headers.get("x-subject-token")!;
    expect(issued.status).toBe(201);
    expect(await refused("", {}, unscoped)).toMatchObject({ status: 403 });
  });
});

describe("who sees what", () => {
  it("shows a project's members and readers only that project's events, and admins all", async () => {
    const start = await cloud.head();
    const streams = {
      admin: await open(cloud.adminToken, `?from=${start}`),
      alice: await open(alice.token, `?from=${start}`),
      reader: await open(reader.token, `?from=${start}`),
      bob: await open(bob.token, `?from=${start}`),
      aliceImages: await open(alice.token, `?from=${start}&resource_type=image`),
    };
    const bobsImage = await createImage(bob.token, "bobs");
    await createProject();
    const alicesImage = await createImage(alice.token, "alices");
    // Bob's image again, after Alice's: Bob's stream has passed Alice's event once it shows this.
    const bobsLast = await createImage(bob.token, "bobs-last");
    const head = await cloud.head();

    const admin = await streams.admin.until(upTo(head));
    expect(positions(admin)).toEqual(range(start, head));
    const seenBy = async (stream: Awaited<ReturnType<typeof open>>, last: string) =>
      (await stream.until((r) => r.some((e) => e.event.subject === last))).map((r) => r.event);

    for (const events of [await seenBy(streams.alice, alicesImage), await seenBy(streams.reader, alicesImage), await seenBy(streams.aliceImages, alicesImage)]) {
      expect(events.map((e) => e.subject)).toEqual([alicesImage]);
      expect(events.every((e) => e.weftproject === alice.projectId)).toBe(true);
    }
    const bobs = await seenBy(streams.bob, bobsLast);
    expect(bobs.map((e) => e.subject)).toEqual([bobsImage, bobsLast]);
    expect(bobs.some((e) => e.type.startsWith("weft.identity."))).toBe(false);
    for (const stream of Object.values(streams)) await stream.close();
  });

  it("never shows a member events of resources no project owns (identity, flavors)", async () => {
    const start = await cloud.head();
    await createProject();
    const flavor = await cloud.request("/compute/v2.1/flavors", {
      method: "POST", token: cloud.adminToken, json: { flavor: { name: `f-${randomUUID().slice(0, 6)}`, ram: 512, vcpus: 1, disk: 1 } },
    });
    expect(flavor.status).toBe(200);
    const marker = await createImage(alice.token, "marker");
    const stream = await open(alice.token, `?from=${start}`);
    expect((await stream.until((r) => r.some((e) => e.event.subject === marker))).map((r) => r.type)).toEqual(["weft.image.ImageCreated"]);
    await stream.close();
  });

  it("ends a member's stream once its token stops granting access", async () => {
    const carol = await projectCaller(cloud, "member");
    const stream = await open(carol.token);
    const roles = (await (await cloud.request("/identity/v3/roles?name=member", { token: cloud.adminToken })).json()) as { roles: Array<{ id: string }> };
    const revoked = await cloud.request(`/identity/v3/projects/${carol.projectId}/users/${carol.userId}/roles/${roles.roles[0]!.id}`, { method: "DELETE", token: cloud.adminToken });
    expect(revoked.status).toBe(204);
    await stream.until(() => false);
    expect(stream.ended()).toBe(true);
  });
});

describe("a slow consumer", () => {
  it("is disconnected once it leaves a chunk unread, and resumes by Last-Event-ID without a gap", async () => {
    const start = await cloud.head();
    // ~130 KB of frames, two pages' worth: ten at a time.
    for (let i = 0; i < 120; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => createImage(alice.token, `bulk-${i + j}-${"x".repeat(240)}`)));
    }
    const head = await cloud.head();

    const response = await cloud.request(`/events/v1/stream?from=${start}`, { token: cloud.adminToken });
    const body = response.body!.getReader();
    const parser = sseParser();
    const first: Array<number> = [];
    for (const chunk of [await body.read(), await body.read()]) {
      for (const message of parser.push(chunk.value!)) if (message.data !== undefined) first.push(Number(message.id));
    }
    expect(first.length).toBeGreaterThan(0);
    expect(first.at(-1)).toBeLessThan(head);
    // It reads nothing more: the stream errors rather than buffer the rest for it.
    await expect(body.closed).rejects.toThrow(/read nothing/);

    const lastSeen = first.at(-1)!;
    const resumed = await open(cloud.adminToken, "", { "last-event-id": String(lastSeen) });
    expect(positions(await resumed.until(upTo(head)))).toEqual(range(lastSeen, head));
    await resumed.close();
  });
});

describe("the subscriber client", () => {
  it("follows the stream over HTTP and resumes across dropped connections, missing nothing", async () => {
    const start = await cloud.head();
    let connections = 0;
    // Every connection is cut after 1,500 bytes, mid-frame: the client must drop the partial
    // frame and resume after the last whole one, each time.
    const cutting = async (url: string, init: RequestInit) => {
      connections += 1;
      const response = await fetch(url, init);
      let budget = 1_500;
      const cut = response.body!.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (chunk.byteLength > budget) {
            controller.enqueue(chunk.subarray(0, budget));
            controller.error(new Error("connection cut"));
            return;
          }
          budget -= chunk.byteLength;
          controller.enqueue(chunk);
        },
      }));
      return new Response(cut, { status: response.status, headers: response.headers });
    };
    const images: Array<string> = [];
    for (let i = 0; i < 12; i++) images.push(await createImage(alice.token, `client-${i}`));
    const head = await cloud.head();

    const stop = new AbortController();
    const received: Array<AnyWeftCloudEvent> = [];
    for await (const event of subscribeEvents({ url: cloud.gateway.url, token: alice.token, after: start, types: ["ImageCreated"], signal: stop.signal, reconnectDelayMs: 1, fetch: cutting })) {
      received.push(event);
      if (event.weftposition >= head) stop.abort();
    }
    expect(received.map((e) => e.subject)).toEqual(images);
    expect(received.every((e) => e.type === "weft.image.ImageCreated")).toBe(true);
    expect(connections).toBeGreaterThan(3);
  });

  it("stops with SubscriptionRefused on a bad filter, given the catalog's event-stream endpoint", async () => {
    const validated = await cloud.request("/identity/v3/auth/tokens", { token: alice.token, headers: { "x-subject-token": alice.token } });
    const { token } = (await validated.json()) as { token: { catalog: Array<{ type: string; name: string; endpoints: Array<{ interface: string; url: string }> }> } };
    const service = token.catalog.find((entry) => entry.type === "event-stream");
    expect(service?.name).toBe("weft-events");
    const endpoint = service!.endpoints.find((entry) => entry.interface === "public")!.url;
    expect(endpoint).toBe(`${cloud.gateway.url}/events/v1`);
    const subscription = subscribeEvents({ url: endpoint, token: alice.token, types: ["ServerTeleported"] });
    await expect(subscription.next()).rejects.toBeInstanceOf(SubscriptionRefused);
  });
});
