/**
 * The published message names of `weft.host.v1`, the host channel between the relay and host
 * agents (not events: nothing here is in the log, but old agents and relays must still read it).
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { messageCodec, payloadCodec } from "./index.ts";

const published = [
  "SpawnInstance", "StopInstance", "StartInstance", "RebootInstance", "DestroyInstance", "HostInstruction",
  "DesiredStateRequest", "DesiredInstance", "DesiredState", "Heartbeat",
];

describe("weft.host.v1", () => {
  it("declares exactly the published messages", () => {
    const namespace = protobuf.loadSync(new URL("weft/host/v1/host.proto", import.meta.url).pathname).lookup("weft.host.v1");
    if (!(namespace instanceof protobuf.Namespace)) throw new Error("no package weft.host.v1");
    const messages = namespace.nestedArray.filter((nested) => nested instanceof protobuf.Type).map((type) => type.name);
    expect(messages.sort()).toEqual([...published].sort());
  });

  it.each(published)("has a codec for %s", (type) => expect(payloadCodec("weft.host.v1").has(type)).toBe(true));

  it("round-trips an instruction with its action named by the oneof", () => {
    const codec = messageCodec<Record<string, unknown>>("weft.host.v1.HostInstruction");
    const spawn = { name: "vm", vcpus: 2, ramMb: 2048, diskGb: 20, ephemeralGb: 0, swapMb: 0, imageId: "img", keyPublicKey: "ssh-ed25519 AAAA", flavorId: "f1" };
    const decoded = codec.decode(codec.encode({ eventId: "e1", serverId: "s1", requestId: "req-1", correlationId: "c", spawn }));
    expect(decoded).toMatchObject({ eventId: "e1", serverId: "s1", action: "spawn", spawn });
    const reboot = codec.decode(codec.encode({ eventId: "e2", serverId: "s1", requestId: "", correlationId: "", reboot: { hard: true } }));
    expect(reboot).toMatchObject({ action: "reboot", reboot: { hard: true } });
  });

  it("round-trips a desired state with enum names", () => {
    const codec = messageCodec<Record<string, unknown>>("weft.host.v1.DesiredState");
    const state = { host: "h1", position: 42, instances: [{ serverId: "s1", power: "DESIRED_POWER_SHUTOFF" }] };
    expect(codec.decode(codec.encode(state))).toMatchObject(state);
  });
});
