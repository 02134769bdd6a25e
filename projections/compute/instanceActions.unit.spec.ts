/**
 * Instance actions (`openstack server event list/show`): one action per user request, keyed by
 * its request id, with Nova's event names finished by the fabric's reports, newest first, and
 * kept after the server is deleted.
 */
import { describe, expect, it } from "vitest";
import { at, fold, makeCloud } from "./fixtures.ts";
import { getInstanceAction, listInstanceActions } from "./index.ts";

const admin = { userId: "u-admin", projectId: "p-admin" };
const alice = { userId: "u-alice", projectId: "p-web" };

const cloud = makeCloud();
cloud.boot("s1", {}, { requestId: "req-create", actor: alice });
const created = cloud.log.length;
cloud.server({ type: "StopServer", data: { serverId: "s1" } }, { requestId: "req-stop", actor: admin });
const stopRequested = cloud.log.length;
cloud.server({ type: "ReportServerStopped", data: { serverId: "s1" } }, { requestId: "req-agent-1" });
cloud.server({ type: "StartServer", data: { serverId: "s1" } }, { requestId: "req-start", actor: alice });
cloud.server({ type: "RenameServer", data: { serverId: "s1", name: "renamed" } }, { requestId: "req-rename", actor: alice });
cloud.server({ type: "DeleteServer", data: { serverId: "s1" } }, { requestId: "req-delete", actor: alice });
const deleteRequested = cloud.log.length;
cloud.server({ type: "ReportServerDestroyed", data: { serverId: "s1" } }, { requestId: "req-agent-2" });
const destroyed = cloud.log.length;

cloud.boot("s2", { until: "scheduled" }, { requestId: "req-create-2", actor: alice });
const scheduled2 = cloud.log.length;
cloud.server({ type: "ReportServerSpawnFailed", data: { serverId: "s2", fault: { code: 500, message: "disk full", details: "" } } });
const failed2 = cloud.log.length;

cloud.boot("s3", { until: "requested" }, { requestId: "req-create-3" });
cloud.server({ type: "FailServerBuild", data: { serverId: "s3", fault: { code: 500, message: "No valid host was found. ", details: "" } } });
const failed3 = cloud.log.length;
cloud.server({ type: "DeleteServer", data: { serverId: "s3" } }, { requestId: "req-delete-3" });

const doc = fold(cloud.log);

describe("instance actions", () => {
  it("record a create with the scheduler's and the host's events", () =>
    expect(getInstanceAction(doc, "s1", "req-create")).toEqual({
      action: "create", requestId: "req-create", userId: "u-alice", projectId: "p-web", startTime: at(2), updatedAt: at(created), message: null,
      events: [
        { event: "conductor_schedule_and_build_instances", startTime: at(2), finishTime: at(3), result: "Success", host: "", details: null },
        { event: "compute__do_build_and_run_instance", startTime: at(3), finishTime: at(created), result: "Success", host: "cmp-1", details: null },
      ],
    }));

  it("list newest first, only user requests, with the requester as user and project", () => {
    const actions = listInstanceActions(doc, "s1");
    expect(actions.map((a) => [a.action, a.requestId, a.userId, a.projectId])).toEqual([
      ["delete", "req-delete", "u-alice", "p-web"],
      ["start", "req-start", "u-alice", "p-web"],
      ["stop", "req-stop", "u-admin", "p-admin"],
      ["create", "req-create", "u-alice", "p-web"],
    ]);
  });

  it("finish the host's event with its report, and leave an unreported one open", () => {
    expect(getInstanceAction(doc, "s1", "req-stop")?.events).toEqual([
      { event: "compute_stop_instance", startTime: at(stopRequested), finishTime: at(stopRequested + 1), result: "Success", host: "cmp-1", details: null },
    ]);
    expect(getInstanceAction(doc, "s1", "req-start")?.events).toMatchObject([{ event: "compute_start_instance", finishTime: null, result: null }]);
  });

  it("stay readable once the server is deleted", () =>
    expect(getInstanceAction(doc, "s1", "req-delete")).toMatchObject({
      updatedAt: at(destroyed),
      events: [{ event: "compute_terminate_instance", startTime: at(deleteRequested), finishTime: at(destroyed), result: "Success" }],
    }));

  it("mark a failed build as Error, with the fault as the event's details", () => {
    expect(getInstanceAction(doc, "s2", "req-create-2")).toMatchObject({
      message: "Error",
      events: [
        { event: "conductor_schedule_and_build_instances", result: "Success" },
        { event: "compute__do_build_and_run_instance", startTime: at(scheduled2), finishTime: at(failed2), result: "Error", details: "disk full" },
      ],
    });
    expect(getInstanceAction(doc, "s3", "req-create-3")).toMatchObject({
      message: "Error",
      events: [{ event: "conductor_schedule_and_build_instances", finishTime: at(failed3), result: "Error", details: "No valid host was found. " }],
    });
  });

  it("fall back to the server's owner without an actor, and record a delete without a host with no event", () => {
    expect(getInstanceAction(doc, "s3", "req-delete-3")).toMatchObject({ action: "delete", userId: "u-alice", projectId: "p-web", events: [] });
    expect(listInstanceActions(doc, "nope")).toEqual([]);
    expect(getInstanceAction(doc, "s1", "req-rename")).toBeUndefined();
  });
});
