/**
 * A project's quota rules: Nova's defaults until set, -1 unlimited, reservations exact to the
 * unit (usage + request <= limit for every resource), idempotent reserve and release, and limits
 * that may drop below usage.
 */
import { describe, expect, it } from "vitest";
import { deciderSpecification } from "../../shared/index.ts";
import {
  defaultQuotaLimits,
  quotaDecider,
  quotaLimitsOf,
  quotaStream,
  quotaStreamFor,
  type QuotaCommand,
  type QuotaEvent,
  type ServerResources,
  type SetQuotaLimits,
} from "./index.ts";

const spec = deciderSpecification(quotaDecider);
const projectId = "p1";

const small: ServerResources = { instances: 1, cores: 1, ramMb: 512 };
const reserve = (serverId: string, resources: ServerResources = small): QuotaCommand =>
  ({ type: "ReserveServerResources", data: { projectId, serverId, ...resources } });
const reserved = (serverId: string, resources: ServerResources = small): QuotaEvent =>
  ({ type: "ServerResourcesReserved", data: { projectId, serverId, ...resources } });
const release = (serverId: string): QuotaCommand => ({ type: "ReleaseServerResources", data: { projectId, serverId } });
const released = (serverId: string, resources: ServerResources = small): QuotaEvent =>
  ({ type: "ServerResourcesReleased", data: { projectId, serverId, ...resources } });
const setLimits = (limits: Omit<SetQuotaLimits, "projectId">): QuotaCommand => ({ type: "SetQuotaLimits", data: { projectId, ...limits } });
const limitsSet = (limits: Omit<SetQuotaLimits, "projectId">): QuotaEvent => ({ type: "QuotaLimitsSet", data: { projectId, ...limits } });

/** `count` servers s0… each holding `resources`. */
const servers = (count: number, resources: ServerResources = small): ReadonlyArray<QuotaEvent> =>
  Array.from({ length: count }, (_, i) => reserved(`s${i}`, resources));

const decideAfter = (events: ReadonlyArray<QuotaEvent>, command: QuotaCommand) =>
  quotaDecider.decide(command, events.reduce(quotaDecider.evolve, quotaDecider.initialState()));

describe("ReserveServerResources", () => {
  it("reserves within Nova's defaults", () => spec.given([]).when(reserve("s1")).then([reserved("s1")]));

  it("is exact to the instance: 9 of 10 used, 1 more fits and 2 do not", () => {
    spec.given(servers(9)).when(reserve("new", { ...small, instances: 1 })).then([reserved("new", { ...small, instances: 1 })]);
    spec.given(servers(9)).when(reserve("new", { ...small, instances: 2 })).thenRejects("QuotaExceeded");
  });
  it("refuses the 11th server by default, in Nova's words", () => {
    spec.given(servers(10)).when(reserve("s10")).thenRejects("QuotaExceeded");
    expect(decideAfter(servers(10), reserve("s10")))
      .toEqual({ _tag: "QuotaExceeded", message: "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances" });
  });
  it("is exact to the core and the MB", () => {
    const big = { instances: 1, cores: 8, ramMb: 20480 };
    spec.given(servers(2, big)).when(reserve("c", { instances: 1, cores: 4, ramMb: 512 })).then([reserved("c", { instances: 1, cores: 4, ramMb: 512 })]);
    spec.given(servers(2, big)).when(reserve("c", { instances: 1, cores: 5, ramMb: 512 })).thenRejects("QuotaExceeded");
    spec.given(servers(2, big)).when(reserve("r", { instances: 1, cores: 1, ramMb: 10240 })).then([reserved("r", { instances: 1, cores: 1, ramMb: 10240 })]);
    spec.given(servers(2, big)).when(reserve("r", { instances: 1, cores: 1, ramMb: 10241 })).thenRejects("QuotaExceeded");
  });
  it("names every resource over, with the first one's numbers, as Nova does", () =>
    expect(decideAfter(servers(2, { instances: 1, cores: 8, ramMb: 20480 }), reserve("x", { instances: 1, cores: 8, ramMb: 20480 })))
      .toEqual({ _tag: "QuotaExceeded", message: "Quota exceeded for cores,ram: Requested 8, but already used 16 of 20 cores,ram" }));
  it("follows the limits set", () => {
    spec.given([limitsSet({ instances: 2 }), ...servers(2)]).when(reserve("s2")).thenRejects("QuotaExceeded");
    spec.given([limitsSet({ instances: 20 }), ...servers(10)]).when(reserve("s10")).then([reserved("s10")]);
  });
  it("treats -1 as unlimited", () =>
    spec.given([limitsSet({ instances: -1, cores: -1, ramMb: -1 }), ...servers(50, { instances: 1, cores: 64, ramMb: 1 << 20 })])
      .when(reserve("more", { instances: 1, cores: 64, ramMb: 1 << 20 }))
      .then([reserved("more", { instances: 1, cores: 64, ramMb: 1 << 20 })]));
  it("refuses everything at a limit of 0", () => spec.given([limitsSet({ instances: 0 })]).when(reserve("s1")).thenRejects("QuotaExceeded"));
  it("gives back what a released server held", () =>
    spec.given([...servers(10), released("s3")]).when(reserve("s10")).then([reserved("s10")]));
  it("accepts a reservation already held with no events, even at the limit", () => {
    spec.given(servers(10)).when(reserve("s9")).then([]);
    spec.given(servers(10)).when(reserve("s9", { instances: 1, cores: 99, ramMb: 1 })).then([]);
  });
  it("refuses a negative request", () => spec.given([]).when(reserve("s1", { instances: 1, cores: -1, ramMb: 512 })).thenRejects("InvalidReservation"));
});

describe("ReleaseServerResources", () => {
  it("releases what the server held", () => spec.given(servers(3)).when(release("s1")).then([released("s1")]));
  it("reports the amounts reserved, not a guess", () =>
    spec.given([reserved("s1", { instances: 1, cores: 4, ramMb: 8192 })]).when(release("s1")).then([released("s1", { instances: 1, cores: 4, ramMb: 8192 })]));
  it("accepts the release of an unknown or already released server with no events", () => {
    spec.given([]).when(release("s1")).then([]);
    spec.given([reserved("s1"), released("s1")]).when(release("s1")).then([]);
  });
  it("lets a server reserve again after its release", () => spec.given([reserved("s1"), released("s1")]).when(reserve("s1")).then([reserved("s1")]));
});

describe("SetQuotaLimits", () => {
  it("records only the limits given", () => spec.given([]).when(setLimits({ instances: 5, ramMb: 1024 })).then([limitsSet({ instances: 5, ramMb: 1024 })]));
  it("records every limit, in the wire's order", () => {
    const all = { instances: 1, cores: 2, ramMb: 3, keyPairs: 4, serverGroups: 5, serverGroupMembers: 6, metadataItems: 7 };
    spec.given([]).when(setLimits(all)).then([limitsSet(all)]);
  });
  it("accepts a command with no limits with no events", () => spec.given([]).when(setLimits({})).then([]));
  it("accepts -1 and 0", () => spec.given([]).when(setLimits({ instances: -1, cores: 0 })).then([limitsSet({ instances: -1, cores: 0 })]));
  it("refuses a limit below -1, in Nova's words", () => {
    spec.given([]).when(setLimits({ keyPairs: -2 })).thenRejects("InvalidQuotaLimit");
    expect(decideAfter([], setLimits({ ramMb: -2 })))
      .toEqual({ _tag: "InvalidQuotaLimit", message: "Invalid input for field/attribute ram. Value: -2. -2 is less than the minimum of -1" });
  });
  it("allows a limit below current usage, as Nova does", () => spec.given(servers(5)).when(setLimits({ instances: 2 })).then([limitsSet({ instances: 2 })]));
  it("stops new reservations once below usage, until enough are released", () => {
    const over = [...servers(5), limitsSet({ instances: 2 })];
    spec.given(over).when(reserve("new")).thenRejects("QuotaExceeded");
    spec.given([...over, released("s0"), released("s1"), released("s2")]).when(reserve("new")).thenRejects("QuotaExceeded");
    spec.given([...over, released("s0"), released("s1"), released("s2"), released("s3")]).when(reserve("new")).then([reserved("new")]);
  });
});

describe("quotaLimitsOf", () => {
  it("is Nova's defaults until set", () =>
    expect(quotaLimitsOf(quotaDecider.initialState())).toEqual({
      instances: 10, cores: 20, ramMb: 51200, keyPairs: 100, serverGroups: 10, serverGroupMembers: 10, metadataItems: 128,
    }));
  it("keeps each limit set, the defaults for the rest", () => {
    const state = [limitsSet({ keyPairs: 3 }), limitsSet({ instances: -1 }), limitsSet({ keyPairs: 4 })]
      .reduce(quotaDecider.evolve, quotaDecider.initialState());
    expect(quotaLimitsOf(state)).toEqual({ ...defaultQuotaLimits, instances: -1, keyPairs: 4 });
  });
});

describe("quota streams", () => {
  it("names the stream after the project, in uuid form", () => {
    expect(quotaStream("0123456789abcdef0123456789abcdef")).toBe("quota-01234567-89ab-cdef-0123-456789abcdef");
    expect(quotaStreamFor(setLimits({}))).toBe("quota-p1");
  });
});
