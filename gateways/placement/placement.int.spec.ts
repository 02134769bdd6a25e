/**
 * The Placement-compatible `/placement` against a real control plane: version discovery and
 * microversion negotiation as osc-placement drives them, providers, inventories, usages and
 * allocations as the placement aggregate decided them, Placement's fault body, and its
 * admin-only policy.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { PlacementCommand } from "@weft/domain/placement";
import { systemActor } from "@weft/proto";
import { projectCaller, type ProjectCaller } from "../testing/members.ts";
import { startTestCloud, type TestCloud } from "../testing/testCloud.ts";

let cloud: TestCloud;
let member: ProjectCaller;
let alphaId: string;
let betaId: string;
const consumerId = randomUUID();

const P = "/placement";
const at = (version: string) => ({ "OpenStack-API-Version": `placement ${version}` });
const get = async (path: string, version = "1.39", token = cloud.adminToken) => {
  const response = await cloud.request(`${P}${path}`, { token, headers: at(version) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
};

const placement = async (command: PlacementCommand) => {
  const result = await cloud.gateway.commands.execute("placement", command, { actor: systemActor, requestId: `req-${randomUUID()}` });
  expect(result.kind).toBe("accepted");
};

const inventory = (resourceClass: string, total: number, allocationRatio = 1) =>
  ({ resourceClass, total, reserved: resourceClass === "MEMORY_MB" ? 512 : 0, minUnit: 1, maxUnit: total, stepSize: 1, allocationRatio });

beforeAll(async () => {
  cloud = await startTestCloud({ natsUrl: inject("natsUrl"), subjectPrefix: `t${randomUUID().slice(0, 8)}` });
  member = await projectCaller(cloud, "member");
  alphaId = randomUUID();
  betaId = randomUUID();
  await placement({ type: "CreateResourceProvider", data: { providerId: alphaId, name: "alpha", host: "alpha", availabilityZone: "nova", traits: ["HW_CPU_X86_AVX2"] } });
  await placement({ type: "SetInventory", data: { providerId: alphaId, inventories: [inventory("VCPU", 8, 4), inventory("MEMORY_MB", 8192), inventory("DISK_GB", 100)] } });
  await placement({ type: "CreateResourceProvider", data: { providerId: betaId, name: "beta", host: "beta", availabilityZone: "nova", traits: [] } });
  await placement({ type: "SetInventory", data: { providerId: betaId, inventories: [inventory("VCPU", 2), inventory("MEMORY_MB", 2048)] } });
  await placement({
    type: "ClaimAllocation",
    data: { providerId: alphaId, consumerId, projectId: member.projectId, userId: member.userId, resources: { VCPU: 2, MEMORY_MB: 1024 } },
  });
}, 60_000);
afterAll(() => cloud?.close());

describe("placement version discovery and microversions", () => {
  it("describes 1.0 to 1.39 at /placement and /placement/, without a token", async () => {
    for (const path of ["/placement", "/placement/"]) {
      const response = await cloud.request(path);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ versions: [{ id: "v1.0", max_version: "1.39", min_version: "1.0", status: "CURRENT", links: [{ rel: "self", href: "" }] }] });
      expect(response.headers.get("openstack-api-version")).toBe("placement 1.0");
    }
  });

  it("echoes the version asked, latest as the maximum, with Vary", async () => {
    const { headers } = await get("/resource_providers", "1.29");
    expect(headers.get("openstack-api-version")).toBe("placement 1.29");
    expect(headers.get("vary")).toBe("openstack-api-version");
    expect((await get("/resource_providers", "latest")).headers.get("openstack-api-version")).toBe("placement 1.39");
  });

  it("answers an unknown version with 406 naming the range, and a malformed one with 400", async () => {
    const response = await cloud.request(P, { headers: at("1.40") });
    expect(response.status).toBe(406);
    const body = (await response.json()) as { errors: Array<Record<string, unknown>> };
    expect(body.errors).toEqual([{
      status: 406, title: "Not Acceptable", detail: "Invalid microversion: Unacceptable version header: 1.40",
      request_id: response.headers.get("x-openstack-request-id"), max_version: "1.39", min_version: "1.0",
    }]);
    expect((await cloud.request(P, { headers: at("2.0") })).status).toBe(406);
    const malformed = await cloud.request(P, { headers: at("one") });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { errors: Array<{ detail: string }> }).errors[0]!.detail).toBe("Invalid microversion: invalid version string: one");
  });
});

describe("resource providers", () => {
  const alphaView = (version: "1.0" | "1.39") => ({
    uuid: alphaId,
    name: "alpha",
    generation: 2,
    links: [
      { rel: "self", href: `/placement/resource_providers/${alphaId}` },
      { rel: "inventories", href: `/placement/resource_providers/${alphaId}/inventories` },
      { rel: "usages", href: `/placement/resource_providers/${alphaId}/usages` },
      ...(version === "1.0" ? [] : ["aggregates", "traits", "allocations"].map((rel) => ({ rel, href: `/placement/resource_providers/${alphaId}/${rel}` }))),
    ],
    ...(version === "1.0" ? {} : { parent_provider_uuid: null, root_provider_uuid: alphaId }),
  });

  it("lists providers by name, as each microversion shows them", async () => {
    const { status, body, headers } = await get("/resource_providers");
    expect(status).toBe(200);
    expect(body.resource_providers.map((rp: { name: string }) => rp.name)).toEqual(["alpha", "beta"]);
    expect(body.resource_providers[0]).toEqual(alphaView("1.39"));
    expect(headers.get("cache-control")).toBe("no-cache");
    expect(headers.get("last-modified")).toMatch(/GMT$/);
    expect((await get("/resource_providers", "1.0")).body.resource_providers[0]).toEqual(alphaView("1.0"));
  });

  it("filters by name, uuid, in_tree, resources, required and member_of", async () => {
    const names = async (query: string, version = "1.39") => (await get(`/resource_providers?${query}`, version)).body.resource_providers.map((rp: { name: string }) => rp.name);
    expect(await names("name=beta")).toEqual(["beta"]);
    expect(await names(`uuid=${alphaId}`)).toEqual(["alpha"]);
    expect(await names(`in_tree=${betaId}`)).toEqual(["beta"]);
    expect(await names("resources=VCPU:3,MEMORY_MB:1024")).toEqual(["alpha"]);
    expect(await names("resources=MEMORY_MB:7000")).toEqual([]);
    expect(await names("required=HW_CPU_X86_AVX2")).toEqual(["alpha"]);
    expect(await names("required=!HW_CPU_X86_AVX2")).toEqual(["beta"]);
    expect(await names(`member_of=in:${randomUUID()}`)).toEqual([]);
  });

  it("refuses query parameters the version does not know, or malformed ones, with 400", async () => {
    const bad = async (query: string, version = "1.39") => {
      const { status, body } = await get(`/resource_providers?${query}`, version);
      expect(status).toBe(400);
      // Error codes came with 1.23.
      expect(body.errors[0]).toMatchObject({ status: 400, title: "Bad Request" });
      expect(body.errors[0].code).toBe(version === "1.39" ? "placement.undefined_code" : undefined);
      return body.errors[0].detail as string;
    };
    expect(await bad("colour=red")).toBe("Invalid query string parameters: Additional properties are not allowed ('colour' was unexpected)");
    expect(await bad("uuid=nope")).toBe("Invalid query string parameters: 'nope' is not a 'uuid'");
    expect(await bad("resources=VCPU", "1.4")).toContain("Badly formed resources parameter");
    expect(await bad("resources=WIDGET:1")).toContain("No such resource class WIDGET");
    expect(await bad("resources=VCPU:1", "1.3")).toContain("'resources' was unexpected");
    expect(await bad("in_tree=" + alphaId, "1.13")).toContain("'in_tree' was unexpected");
  });

  it("shows one provider, and an unknown one is Placement's 404 without a code before 1.23", async () => {
    expect((await get(`/resource_providers/${alphaId}`)).body).toEqual(alphaView("1.39"));
    const missing = randomUUID();
    const { status, body } = await get(`/resource_providers/${missing}`, "1.22");
    expect(status).toBe(404);
    expect(body.errors).toEqual([{ status: 404, title: "Not Found", detail: `No resource provider with uuid ${missing} found`, request_id: expect.stringMatching(/^req-/) }]);
  });

  it("lists inventories with the generation, and one inventory by class", async () => {
    expect((await get(`/resource_providers/${alphaId}/inventories`)).body).toEqual({
      resource_provider_generation: 2,
      inventories: {
        VCPU: { total: 8, reserved: 0, min_unit: 1, max_unit: 8, step_size: 1, allocation_ratio: 4 },
        MEMORY_MB: { total: 8192, reserved: 512, min_unit: 1, max_unit: 8192, step_size: 1, allocation_ratio: 1 },
        DISK_GB: { total: 100, reserved: 0, min_unit: 1, max_unit: 100, step_size: 1, allocation_ratio: 1 },
      },
    });
    expect((await get(`/resource_providers/${alphaId}/inventories/VCPU`)).body).toEqual({
      total: 8, reserved: 0, min_unit: 1, max_unit: 8, step_size: 1, allocation_ratio: 4, resource_provider_generation: 2,
    });
    const { status, body } = await get(`/resource_providers/${betaId}/inventories/DISK_GB`);
    expect(status).toBe(404);
    expect(body.errors[0].detail).toBe(`No inventory of class DISK_GB for ${betaId}`);
  });

  it("reports usage for every inventoried class, 0 when unused", async () => {
    expect((await get(`/resource_providers/${alphaId}/usages`)).body).toEqual({ resource_provider_generation: 2, usages: { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 0 } });
    expect((await get(`/resource_providers/${betaId}/usages`)).body.usages).toEqual({ VCPU: 0, MEMORY_MB: 0 });
  });

  it("lists a provider's allocations, its aggregates and traits", async () => {
    expect((await get(`/resource_providers/${alphaId}/allocations`)).body).toEqual({
      resource_provider_generation: 2,
      allocations: { [consumerId]: { resources: { VCPU: 2, MEMORY_MB: 1024 }, consumer_generation: 1 } },
    });
    expect((await get(`/resource_providers/${alphaId}/aggregates`)).body).toEqual({ aggregates: [], resource_provider_generation: 2 });
    expect((await get(`/resource_providers/${alphaId}/traits`)).body).toEqual({ traits: ["HW_CPU_X86_AVX2"], resource_provider_generation: 2 });
  });
});

describe("allocations and resource classes", () => {
  it("shows what a consumer holds, by provider, with project and user from 1.12", async () => {
    expect((await get(`/allocations/${consumerId}`)).body).toEqual({
      allocations: { [alphaId]: { generation: 2, resources: { VCPU: 2, MEMORY_MB: 1024 } } },
      project_id: member.projectId, user_id: member.userId, consumer_generation: 1, consumer_type: "INSTANCE",
    });
    expect((await get(`/allocations/${consumerId}`, "1.0")).body).toEqual({ allocations: { [alphaId]: { generation: 2, resources: { VCPU: 2, MEMORY_MB: 1024 } } } });
    expect((await get(`/allocations/${randomUUID()}`)).body).toEqual({ allocations: {} });
  });

  it("lists the standard resource classes from 1.2", async () => {
    const { body } = await get("/resource_classes");
    expect(body.resource_classes.slice(0, 3)).toEqual(["VCPU", "MEMORY_MB", "DISK_GB"].map((name) => ({ name, links: [{ rel: "self", href: `/placement/resource_classes/${name}` }] })));
    expect((await get("/resource_classes/PCPU")).body.name).toBe("PCPU");
    expect((await get("/resource_classes/CUSTOM_NONE")).status).toBe(404);
    expect((await get("/resource_classes", "1.1")).status).toBe(404);
  });
});

describe("placement policy and authentication", () => {
  it("needs a token, in Placement's fault body", async () => {
    const response = await cloud.request(`${P}/resource_providers`, { headers: at("1.39") });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: Array<unknown> }).errors[0]).toMatchObject({ status: 401, title: "Unauthorized", code: "placement.undefined_code" });
    expect(response.headers.get("openstack-api-version")).toBe("placement 1.39");
  });

  it("keeps every read to admins", async () => {
    for (const path of ["/resource_providers", `/resource_providers/${alphaId}`, `/resource_providers/${alphaId}/inventories`, `/resource_providers/${alphaId}/usages`, `/allocations/${consumerId}`]) {
      const { status, body } = await get(path, "1.39", member.token);
      expect(status).toBe(403);
      expect(body.errors[0].detail).toMatch(/^Policy does not allow placement:[a-z_:]+ to be performed\.$/);
    }
  });

  it("is in the catalog as placement", async () => {
    const response = await cloud.request("/identity/v3/auth/tokens", { token: cloud.adminToken, headers: { "x-subject-token": cloud.adminToken } });
    const { token } = (await response.json()) as { token: { catalog: Array<{ type: string; name: string; endpoints: Array<{ url: string }> }> } };
    const service = token.catalog.find((entry) => entry.type === "placement");
    expect(service?.name).toBe("placement");
    expect(service?.endpoints[0]?.url).toBe(`${cloud.gateway.url}/placement`);
  });
});
