/**
 * The envelope's event metadata across versions: `command_type` (field 7) was added after events
 * were already recorded, so an encoding without it must still decode, with "" in its place.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { eventMetadataCodec, systemActor, type EventMetadata } from "./index.ts";

const metadata: EventMetadata = {
  commandId: "c-1",
  requestId: "req-1",
  correlationId: "c-0",
  causationId: "c-0",
  actor: { ...systemActor, userId: "u-1", userName: "alice", projectId: "p-1", roles: ["member"], systemScope: false },
  occurredAt: "2030-01-02T03:04:05.000Z",
  commandType: "StopServer",
};

describe("EventMetadata", () => {
  it("round-trips every field, the command type included", () => {
    expect(eventMetadataCodec.decode(eventMetadataCodec.encode(metadata))).toEqual(metadata);
  });

  it("decodes metadata written before command_type existed with an empty command type", () => {
    // The first schema of the message, as events recorded by earlier versions were encoded.
    const first = protobuf.parse(`syntax = "proto3";
      message Actor { string user_id = 1; string user_name = 2; string project_id = 3; string domain_id = 4; repeated string roles = 5; bool system_scope = 6; }
      message EventMetadata { string command_id = 1; string request_id = 2; string correlation_id = 3; string causation_id = 4; Actor actor = 5; string occurred_at = 6; }`).root.lookupType("EventMetadata");
    const { commandType: _, ...older } = metadata;
    const bytes = first.encode(first.fromObject(older)).finish();
    expect(eventMetadataCodec.decode(bytes)).toEqual({ ...older, commandType: "" });
  });

  it("keeps field 7 as command_type: field numbers are never reused", () => {
    const field = protobuf.loadSync(new URL("weft/common/v1/envelope.proto", import.meta.url).pathname).lookupType("weft.common.v1.EventMetadata").fields["commandType"];
    expect(field?.id).toBe(7);
  });
});
