/**
 * A server's rules, one given/when/then per rule: the build request and its flavor/image checks,
 * scheduling, the user actions in every state (Nova's vm_state, then task_state), deletion with
 * and without a host, and the fabric's commands accepted with no events whenever they no longer
 * apply, because agents and process managers redeliver.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../../shared/index.ts";
import {
  buildTimedOutFault,
  novaStatus,
  serverCommandTypes,
  serverDecider,
  serverStream,
  serverStreamFor,
  type NovaStatus,
  type RequestServerBuild,
  type ServerCommand,
  type ServerEvent,
  type ServerState,
} from "./index.ts";

const spec = deciderSpecification(serverDecider);
const id = "s1";

const request: RequestServerBuild = {
  serverId: id, projectId: "p1", userId: "u1", name: "web-1",
  flavor: { flavorId: "f1", name: "m1.small", vcpus: 1, ramMb: 2048, diskGb: 20, ephemeralGb: 0, swapMb: 0, extraSpecs: { "hw:cpu_policy": "shared" } },
  image: { imageId: "i1", name: "cirros", minDiskGb: 1, minRamMb: 64 },
  keyName: "mykey", keyPublicKey: "ssh-ed25519 AAAA alice", serverGroupId: "", availabilityZone: "nova",
  metadata: { role: "web" }, requestedAt: "2030-01-01T00:00:00Z",
};
const noValidHost = { code: 500, message: "No valid host was found.", details: "" };
const spawnError = { code: 500, message: "Build of instance s1 aborted", details: "qemu exited" };

// Builders keep the proto field order: the specification compares events as JSON.
const buildRequested: ServerEvent = { type: "ServerBuildRequested", data: request };
const scheduled = (host = "node-1", providerId = "rp1"): ServerEvent =>
  ({ type: "ServerScheduled", data: { serverId: id, host, providerId, availabilityZone: "nova" } });
const fact = (type: "ServerSpawned" | "ServerStopped" | "ServerStarted" | "ServerRebooted"): ServerEvent => ({ type, data: { serverId: id } });
const hostRequest = (type: "ServerStopRequested" | "ServerStartRequested" | "ServerDeletionRequested", host = "node-1"): ServerEvent =>
  ({ type, data: { serverId: id, host } });
const rebootRequested = (hard: boolean): ServerEvent => ({ type: "ServerRebootRequested", data: { serverId: id, host: "node-1", hard } });
const failed = (type: "ServerBuildFailed" | "ServerSpawnFailed" | "ServerBuildTimedOut", fault = noValidHost): ServerEvent =>
  ({ type, data: { serverId: id, projectId: "p1", fault } });
const deleted = (providerId = "rp1"): ServerEvent => ({ type: "ServerDeleted", data: { serverId: id, projectId: "p1", providerId } });

const on = (type: "TimeOutServerBuild" | "StopServer" | "StartServer" | "DeleteServer" | `Report${string}`): ServerCommand =>
  ({ type, data: { serverId: id } }) as ServerCommand;
const schedule = (host = "node-1", providerId = "rp1"): ServerCommand =>
  ({ type: "ScheduleServer", data: { serverId: id, host, providerId, availabilityZone: "nova" } });
const reboot = (hard: boolean): ServerCommand => ({ type: "RebootServer", data: { serverId: id, hard } });

const history = {
  none: [] as ReadonlyArray<ServerEvent>,
  scheduling: [buildRequested],
  spawning: [buildRequested, scheduled()],
  buildFailed: [buildRequested, failed("ServerBuildFailed")],
  timedOutScheduling: [buildRequested, failed("ServerBuildTimedOut", buildTimedOutFault)],
  timedOutSpawning: [buildRequested, scheduled(), failed("ServerBuildTimedOut", buildTimedOutFault)],
  spawnFailed: [buildRequested, scheduled(), failed("ServerSpawnFailed", spawnError)],
  active: [buildRequested, scheduled(), fact("ServerSpawned")],
  stopping: [buildRequested, scheduled(), fact("ServerSpawned"), hostRequest("ServerStopRequested")],
  stopped: [buildRequested, scheduled(), fact("ServerSpawned"), hostRequest("ServerStopRequested"), fact("ServerStopped")],
  starting: [
    buildRequested, scheduled(), fact("ServerSpawned"), hostRequest("ServerStopRequested"), fact("ServerStopped"), hostRequest("ServerStartRequested"),
  ],
  rebooting: [buildRequested, scheduled(), fact("ServerSpawned"), rebootRequested(false)],
  hardRebooting: [buildRequested, scheduled(), fact("ServerSpawned"), rebootRequested(true)],
  deletingSpawning: [buildRequested, scheduled(), hostRequest("ServerDeletionRequested")],
  deletingActive: [buildRequested, scheduled(), fact("ServerSpawned"), hostRequest("ServerDeletionRequested")],
  deletingStopped: [
    buildRequested, scheduled(), fact("ServerSpawned"), hostRequest("ServerStopRequested"), fact("ServerStopped"), hostRequest("ServerDeletionRequested"),
  ],
  deleted: [buildRequested, scheduled(), fact("ServerSpawned"), hostRequest("ServerDeletionRequested"), deleted()],
  deletedWhileScheduling: [buildRequested, hostRequest("ServerDeletionRequested", ""), deleted("")],
} satisfies Record<string, ReadonlyArray<ServerEvent>>;

type HistoryName = keyof typeof history;
const stateAfter = (name: HistoryName): ServerState => history[name].reduce(serverDecider.evolve, serverDecider.initialState());

describe("RequestServerBuild", () => {
  it("records the request with its flavor and image snapshots", () =>
    spec.given([]).when({ type: "RequestServerBuild", data: request }).then([buildRequested]));

  it.each(["scheduling", "active", "deleted", "deletedWhileScheduling"] as const)("refuses an id already used (%s)", (name) =>
    spec.given(history[name]).when({ type: "RequestServerBuild", data: request }).thenRejects("ServerAlreadyExists"));

  it("refuses an image that needs more memory than the flavor has", () =>
    spec.given([]).when({ type: "RequestServerBuild", data: { ...request, image: { ...request.image, minRamMb: 4096 } } })
      .thenRejects("FlavorMemoryTooSmall"));

  it("refuses an image that needs a bigger disk, in Nova's words", () => {
    const command: ServerCommand = { type: "RequestServerBuild", data: { ...request, image: { ...request.image, minDiskGb: 40 } } };
    spec.given([]).when(command).thenRejects("FlavorDiskSmallerThanMinDisk");
    expect(serverDecider.decide(command, serverDecider.initialState())).toEqual({
      _tag: "FlavorDiskSmallerThanMinDisk",
      message: "Flavor's disk is too small for requested image. Flavor disk is 21474836480 bytes, minimum size is 42949672960 bytes.",
    });
  });

  it("accepts any image on a flavor without a root disk size", () => {
    const data = { ...request, flavor: { ...request.flavor, diskGb: 0 }, image: { ...request.image, minDiskGb: 40 } };
    spec.given([]).when({ type: "RequestServerBuild", data }).then([{ type: "ServerBuildRequested", data }]);
  });

  it("accepts an image whose minimums the flavor meets exactly", () => {
    const data = { ...request, image: { ...request.image, minDiskGb: 20, minRamMb: 2048 } };
    spec.given([]).when({ type: "RequestServerBuild", data }).then([{ type: "ServerBuildRequested", data }]);
  });
});

describe("ScheduleServer", () => {
  it("puts a scheduling server on its host", () => spec.given(history.scheduling).when(schedule()).then([scheduled()]));
  it.each(["none", "deleted", "deletedWhileScheduling"] as const)("refuses a server that does not exist (%s)", (name) =>
    spec.given(history[name]).when(schedule()).thenRejects("ServerNotFound"));
  it.each(["spawning", "active", "stopped", "spawnFailed", "timedOutSpawning", "deletingActive"] as const)(
    "accepts the same placement again with no events (%s)",
    (name) => spec.given(history[name]).when(schedule()).then([]),
  );
  it("refuses another host once placed, so the scheduler releases its claim", () =>
    spec.given(history.spawning).when(schedule("node-2", "rp2")).thenRejects("ServerNotBuilding"));
  it.each(["buildFailed", "timedOutScheduling", "active"] as const)("refuses a server no longer scheduling (%s)", (name) =>
    spec.given(history[name]).when(schedule("node-2", "rp2")).thenRejects("ServerNotBuilding"));
  it("words the refusal as Nova does", () =>
    expect(serverDecider.decide(schedule("node-2", "rp2"), stateAfter("spawning")))
      .toEqual({ _tag: "ServerNotBuilding", message: "Cannot 'schedule' instance s1 while it is in task_state spawning" }));
});

describe("FailServerBuild and TimeOutServerBuild", () => {
  it("fails a scheduling server with the scheduler's fault", () =>
    spec.given(history.scheduling).when({ type: "FailServerBuild", data: { serverId: id, fault: noValidHost } })
      .then([failed("ServerBuildFailed")]));
  it.each(["none", "buildFailed", "spawning", "active", "deletedWhileScheduling", "deleted"] as const)(
    "accepts a build failure that no longer applies with no events (%s)",
    (name) => spec.given(history[name]).when({ type: "FailServerBuild", data: { serverId: id, fault: noValidHost } }).then([]),
  );
  it.each(["scheduling", "spawning"] as const)("times out a build still %s with Nova's fault", (name) =>
    spec.given(history[name]).when(on("TimeOutServerBuild")).then([failed("ServerBuildTimedOut", buildTimedOutFault)]));
  it.each(["none", "timedOutScheduling", "buildFailed", "active", "stopped", "deletingSpawning", "deleted"] as const)(
    "accepts a timeout that no longer applies with no events (%s)",
    (name) => spec.given(history[name]).when(on("TimeOutServerBuild")).then([]),
  );
});

describe("reports from the host agent", () => {
  const reports: ReadonlyArray<{ command: ServerCommand; given: HistoryName; then: ServerEvent; noOps: ReadonlyArray<HistoryName> }> = [
    {
      command: on("ReportServerSpawned"), given: "spawning", then: fact("ServerSpawned"),
      noOps: ["none", "scheduling", "active", "stopped", "timedOutSpawning", "spawnFailed", "deletingSpawning", "deleted"],
    },
    {
      command: { type: "ReportServerSpawnFailed", data: { serverId: id, fault: spawnError } }, given: "spawning", then: failed("ServerSpawnFailed", spawnError),
      noOps: ["none", "scheduling", "active", "spawnFailed", "timedOutSpawning", "deletingSpawning", "deleted"],
    },
    {
      command: on("ReportServerStopped"), given: "stopping", then: fact("ServerStopped"),
      noOps: ["none", "spawning", "active", "stopped", "starting", "rebooting", "deletingActive", "deleted"],
    },
    {
      command: on("ReportServerStarted"), given: "starting", then: fact("ServerStarted"),
      noOps: ["none", "spawning", "active", "stopped", "stopping", "deletingStopped", "deleted"],
    },
    {
      command: on("ReportServerRebooted"), given: "rebooting", then: fact("ServerRebooted"),
      noOps: ["none", "spawning", "active", "stopping", "stopped", "deletingActive", "deleted"],
    },
    {
      command: on("ReportServerRebooted"), given: "hardRebooting", then: fact("ServerRebooted"),
      noOps: [],
    },
    {
      command: on("ReportServerDestroyed"), given: "deletingActive", then: deleted(),
      noOps: ["none", "scheduling", "spawning", "active", "stopped", "spawnFailed", "deleted", "deletedWhileScheduling"],
    },
  ];

  it("covers every Report command", () =>
    expect(new Set(reports.map((r) => r.command.type))).toEqual(new Set(serverCommandTypes.filter((t) => t.startsWith("Report")))));

  it.each(reports)("$command.type is recorded when awaited ($given)", ({ command, given, then }) =>
    spec.given(history[given]).when(command).then([then]));

  it.each(reports)("$command.type redelivered after it was recorded is accepted with no events", ({ command, given, then }) =>
    spec.given([...history[given], then]).when(command).then([]));

  it.each(reports.flatMap(({ command, noOps }) => noOps.map((name) => ({ command, name }))))(
    "$command.type is accepted with no events when not awaited ($name)",
    ({ command, name }) => spec.given(history[name]).when(command).then([]),
  );

  it("deletes a server whose host destroyed it while it was still spawning", () =>
    spec.given(history.deletingSpawning).when(on("ReportServerDestroyed")).then([deleted()]));
});

describe("StopServer", () => {
  it("asks the host to power an active server off", () => spec.given(history.active).when(on("StopServer")).then([hostRequest("ServerStopRequested")]));
  it.each(["scheduling", "spawning", "stopped", "starting", "buildFailed", "spawnFailed", "deletingStopped"] as const)(
    "refuses a server not active (%s)",
    (name) => spec.given(history[name]).when(on("StopServer")).thenRejects("ServerNotActive"),
  );
  it.each(["stopping", "rebooting", "hardRebooting", "deletingActive"] as const)("refuses an active server busy with a task (%s)", (name) =>
    spec.given(history[name]).when(on("StopServer")).thenRejects("ServerTaskInProgress"));
  it.each(["none", "deleted"] as const)("does not find a server that is not there (%s)", (name) =>
    spec.given(history[name]).when(on("StopServer")).thenRejects("ServerNotFound"));
  it("words the refusals as Nova does", () => {
    expect(serverDecider.decide(on("StopServer"), stateAfter("stopped")))
      .toEqual({ _tag: "ServerNotActive", message: "Cannot 'stop' instance s1 while it is in vm_state stopped" });
    expect(serverDecider.decide(on("StopServer"), stateAfter("stopping")))
      .toEqual({ _tag: "ServerTaskInProgress", message: "Cannot 'stop' instance s1 while it is in task_state powering-off" });
    expect(serverDecider.decide(on("StopServer"), stateAfter("none")))
      .toEqual({ _tag: "ServerNotFound", message: "Instance s1 could not be found." });
  });
});

describe("StartServer", () => {
  it("asks the host to power a stopped server on", () =>
    spec.given(history.stopped).when(on("StartServer")).then([hostRequest("ServerStartRequested")]));
  it.each(["scheduling", "spawning", "active", "stopping", "rebooting", "buildFailed", "deletingActive"] as const)(
    "refuses a server not stopped (%s)",
    (name) => spec.given(history[name]).when(on("StartServer")).thenRejects("ServerNotStopped"),
  );
  it.each(["starting", "deletingStopped"] as const)("refuses a stopped server busy with a task (%s)", (name) =>
    spec.given(history[name]).when(on("StartServer")).thenRejects("ServerTaskInProgress"));
  it.each(["none", "deleted"] as const)("does not find a server that is not there (%s)", (name) =>
    spec.given(history[name]).when(on("StartServer")).thenRejects("ServerNotFound"));
  it("can start again after a stop and start", () =>
    spec.given([...history.starting, fact("ServerStarted"), hostRequest("ServerStopRequested"), fact("ServerStopped")])
      .when(on("StartServer")).then([hostRequest("ServerStartRequested")]));
});

describe("RebootServer", () => {
  it("asks for a soft reboot", () => spec.given(history.active).when(reboot(false)).then([rebootRequested(false)]));
  it("asks for a hard reboot", () => spec.given(history.active).when(reboot(true)).then([rebootRequested(true)]));
  it.each(["rebooting", "hardRebooting"] as const)("lets a hard reboot override a reboot in progress (%s)", (name) =>
    spec.given(history[name]).when(reboot(true)).then([rebootRequested(true)]));
  it.each(["rebooting", "hardRebooting", "stopping", "deletingActive"] as const)("refuses a soft reboot while busy (%s)", (name) =>
    spec.given(history[name]).when(reboot(false)).thenRejects("ServerTaskInProgress"));
  it.each(["stopping", "deletingActive"] as const)("refuses a hard reboot while powering off or deleting (%s)", (name) =>
    spec.given(history[name]).when(reboot(true)).thenRejects("ServerTaskInProgress"));
  it.each(["scheduling", "spawning", "stopped", "buildFailed", "deletingStopped"] as const)("refuses a server not active (%s)", (name) =>
    spec.given(history[name]).when(reboot(true)).thenRejects("ServerNotActive"));
  it.each(["none", "deleted"] as const)("does not find a server that is not there (%s)", (name) =>
    spec.given(history[name]).when(reboot(false)).thenRejects("ServerNotFound"));
});

describe("RenameServer", () => {
  const rename = (name: string): ServerCommand => ({ type: "RenameServer", data: { serverId: id, name } });
  it.each(["scheduling", "active", "stopped", "buildFailed", "deletingActive"] as const)("renames a server in any state (%s)", (name) =>
    spec.given(history[name]).when(rename("web-2")).then([{ type: "ServerRenamed", data: { serverId: id, name: "web-2" } }]));
  it("accepts the same name with no events", () => spec.given(history.active).when(rename("web-1")).then([]));
  it("sees the last rename", () =>
    spec.given([...history.active, { type: "ServerRenamed", data: { serverId: id, name: "web-2" } }]).when(rename("web-2")).then([]));
  it.each(["none", "deleted"] as const)("does not find a server that is not there (%s)", (name) =>
    spec.given(history[name]).when(rename("web-2")).thenRejects("ServerNotFound"));
});

describe("server metadata", () => {
  const set = (items: Record<string, string>): ServerCommand => ({ type: "SetServerMetadata", data: { serverId: id, items } });
  const remove = (key: string): ServerCommand => ({ type: "DeleteServerMetadata", data: { serverId: id, key } });
  const metadataSet = (items: Record<string, string>): ServerEvent => ({ type: "ServerMetadataSet", data: { serverId: id, items } });

  it("records only the items that change, keeping the build request's", () =>
    spec.given(history.active).when(set({ role: "web", tier: "front" })).then([metadataSet({ tier: "front" })]));
  it("overwrites a value", () => spec.given(history.active).when(set({ role: "db" })).then([metadataSet({ role: "db" })]));
  it("accepts items that change nothing with no events", () => {
    spec.given(history.active).when(set({ role: "web" })).then([]);
    spec.given(history.active).when(set({})).then([]);
  });
  it("sees items set later", () =>
    spec.given([...history.active, metadataSet({ tier: "front" })]).when(set({ tier: "front" })).then([]));
  it("treats keys as data, not as object properties", () =>
    spec.given(history.active).when(set(Object.fromEntries([["constructor", "x"], ["__proto__", "y"]])))
      .then([metadataSet(Object.fromEntries([["constructor", "x"], ["__proto__", "y"]]))]));
  it("deletes a key", () =>
    spec.given(history.active).when(remove("role")).then([{ type: "ServerMetadataDeleted", data: { serverId: id, key: "role" } }]));
  it("does not find a key never set or already deleted", () => {
    spec.given(history.active).when(remove("tier")).thenRejects("ServerMetadataKeyNotFound");
    spec.given(history.active).when(remove("constructor")).thenRejects("ServerMetadataKeyNotFound");
    spec.given([...history.active, { type: "ServerMetadataDeleted", data: { serverId: id, key: "role" } }])
      .when(remove("role")).thenRejects("ServerMetadataKeyNotFound");
  });
  it.each(["none", "deleted"] as const)("does not find a server that is not there (%s)", (name) => {
    spec.given(history[name]).when(set({ a: "b" })).thenRejects("ServerNotFound");
    spec.given(history[name]).when(remove("role")).thenRejects("ServerNotFound");
  });
});

describe("DeleteServer", () => {
  it.each(["scheduling", "buildFailed", "timedOutScheduling"] as const)("deletes a server without a host at once (%s)", (name) =>
    spec.given(history[name]).when(on("DeleteServer")).then([hostRequest("ServerDeletionRequested", ""), deleted("")]));
  it.each(["spawning", "active", "stopped", "stopping", "rebooting", "spawnFailed", "timedOutSpawning"] as const)(
    "asks the host to destroy a server it has (%s)",
    (name) => spec.given(history[name]).when(on("DeleteServer")).then([hostRequest("ServerDeletionRequested")]),
  );
  it.each(["deletingSpawning", "deletingActive", "deletingStopped"] as const)("accepts a delete already under way with no events (%s)", (name) =>
    spec.given(history[name]).when(on("DeleteServer")).then([]));
  it.each(["none", "deleted", "deletedWhileScheduling"] as const)("does not find a server that is not there (%s)", (name) =>
    spec.given(history[name]).when(on("DeleteServer")).thenRejects("ServerNotFound"));
});

describe("novaStatus", () => {
  const shown = (status: NovaStatus["status"], taskState: NovaStatus["taskState"], powerState: NovaStatus["powerState"], vmState: NovaStatus["vmState"]) =>
    ({ status, taskState, powerState, vmState });
  const table: ReadonlyArray<readonly [Exclude<HistoryName, "none">, NovaStatus]> = [
    ["scheduling", shown("BUILD", "scheduling", 0, "building")],
    ["spawning", shown("BUILD", "spawning", 0, "building")],
    ["buildFailed", shown("ERROR", null, 0, "error")],
    ["timedOutSpawning", shown("ERROR", null, 0, "error")],
    ["spawnFailed", shown("ERROR", null, 0, "error")],
    ["active", shown("ACTIVE", null, 1, "active")],
    ["stopping", shown("ACTIVE", "powering-off", 1, "active")],
    ["stopped", shown("SHUTOFF", null, 4, "stopped")],
    ["starting", shown("SHUTOFF", "powering-on", 4, "stopped")],
    ["rebooting", shown("REBOOT", "rebooting", 1, "active")],
    ["hardRebooting", shown("HARD_REBOOT", "rebooting_hard", 1, "active")],
    ["deletingSpawning", shown("BUILD", "deleting", 0, "building")],
    ["deletingActive", shown("ACTIVE", "deleting", 1, "active")],
    ["deletingStopped", shown("SHUTOFF", "deleting", 4, "stopped")],
    ["deleted", shown("DELETED", null, 0, "deleted")],
    ["deletedWhileScheduling", shown("DELETED", null, 0, "deleted")],
  ];
  it.each(table)("shows %s as Nova does", (name, expected) => {
    const state = stateAfter(name);
    if (state.status === "none") throw new Error("no server");
    expect(novaStatus(state)).toEqual(expected);
  });
  it("is back to ACTIVE after a reboot and a start", () => {
    for (const events of [[...history.rebooting, fact("ServerRebooted")], [...history.starting, fact("ServerStarted")]]) {
      const state = events.reduce(serverDecider.evolve, serverDecider.initialState());
      if (state.status === "none") throw new Error("no server");
      expect(novaStatus(state)).toEqual(shown("ACTIVE", null, 1, "active"));
    }
  });
});

describe("server streams", () => {
  it("names the stream after the server", () => expect(serverStream("9b59e0c4-0000-4000-8000-00000000abcd")).toBe("server-9b59e0c4-0000-4000-8000-00000000abcd"));
  it("finds the stream of any command", () => expect(serverStreamFor(on("StopServer"))).toBe("server-s1"));
});
