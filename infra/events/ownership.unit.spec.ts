import { describe, expect, it } from "vitest";
import { ownerOfStream, ownerStated, sameProject } from "./ownership.ts";

describe("ownership", () => {
  it("takes a server's, a server group's and an image's owner from the event that creates it", () => {
    expect(ownerStated({ type: "ServerBuildRequested", data: { serverId: "s", projectId: "p1" } })).toBe("p1");
    expect(ownerStated({ type: "ServerGroupCreated", data: { groupId: "g", projectId: "p2" } })).toBe("p2");
    expect(ownerStated({ type: "ImageCreated", data: { imageId: "i", owner: "p3" } })).toBe("p3");
    expect(ownerStated({ type: "QuotaLimitsSet", data: { projectId: "p4" } })).toBe("p4");
  });

  it("finds no owner in events that do not state one, or name a project in a shared stream", () => {
    expect(ownerStated({ type: "ServerSpawned", data: { serverId: "s" } })).toBeUndefined();
    expect(ownerStated({ type: "AllocationClaimed", data: { providerId: "rp", projectId: "p1" } })).toBeUndefined();
    expect(ownerStated({ type: "ProjectCreated", data: { projectId: "p1" } })).toBeUndefined();
    expect(ownerStated({ type: "ImageCreated", data: { imageId: "i", owner: "" } })).toBeUndefined();
  });

  it("owns a stream by its first stating event, and only streams of project resources", () => {
    const server = [
      { type: "ServerScheduled", data: { serverId: "s" } },
      { type: "ServerBuildRequested", data: { serverId: "s", projectId: "p1" } },
      { type: "ServerBuildFailed", data: { serverId: "s", projectId: "p9" } },
    ];
    expect(ownerOfStream("server", server)).toBe("p1");
    expect(ownerOfStream("resourceProvider", [{ type: "QuotaLimitsSet", data: { projectId: "p1" } }])).toBeUndefined();
    expect(ownerOfStream("identity", [{ type: "ServerBuildRequested", data: { projectId: "p1" } }])).toBeUndefined();
  });

  it("matches a project id in Keystone's hex and in uuid form, never an empty scope", () => {
    expect(sameProject("9b59e0c4-1a2b-4c3d-8e4f-5a6b7c8d9e0f", "9B59E0C41A2B4C3D8E4F5A6B7C8D9E0F")).toBe(true);
    expect(sameProject("p1", "p2")).toBe(false);
    expect(sameProject(undefined, "p1")).toBe(false);
    expect(sameProject("", "")).toBe(false);
  });
});
