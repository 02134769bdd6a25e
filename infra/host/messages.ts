/**
 * The messages of `proto/weft/host/v1/host.proto` as TypeScript types, with their codecs. Field
 * names are protobufjs camelCase; a oneof shows as `action` naming the field that is set.
 */
import { messageCodec } from "@weft/proto";

export interface SpawnInstance {
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
  readonly ephemeralGb: number;
  readonly swapMb: number;
  readonly imageId: string;
  readonly keyPublicKey: string;
  readonly flavorId: string;
}

export type HostAction =
  | { readonly action: "spawn"; readonly spawn: SpawnInstance }
  | { readonly action: "stop"; readonly stop: object }
  | { readonly action: "start"; readonly start: object }
  | { readonly action: "reboot"; readonly reboot: { readonly hard: boolean } }
  | { readonly action: "destroy"; readonly destroy: object };

export type HostInstruction = {
  /** The event carried out: report command ids derive from it. */
  readonly eventId: string;
  readonly serverId: string;
  readonly requestId: string;
  readonly correlationId: string;
} & HostAction;

export type DesiredPower = "DESIRED_POWER_UNSPECIFIED" | "DESIRED_POWER_RUNNING" | "DESIRED_POWER_SHUTOFF";

export interface DesiredInstance {
  readonly serverId: string;
  /** Once `pending` is carried out; unspecified while the server is being destroyed. */
  readonly power: DesiredPower;
  readonly pending: HostInstruction | null;
}

export interface DesiredState {
  readonly host: string;
  readonly position: number;
  readonly instances: ReadonlyArray<DesiredInstance>;
}

export interface Heartbeat {
  readonly host: string;
  readonly startedAt: string;
  readonly hypervisorType: string;
}

// protobufjs fills every member of a oneof (null when unset) and names the set one in `action`.
const actionOf = (decoded: Record<string, unknown>): HostInstruction => {
  const action = decoded["action"] as HostAction["action"] | undefined;
  if (action === undefined) throw new Error("a host instruction without an action");
  const { eventId, serverId, requestId, correlationId } = decoded as unknown as HostInstruction;
  return { eventId, serverId, requestId, correlationId, action, [action]: decoded[action] } as HostInstruction;
};

const instructionWire = messageCodec<Record<string, unknown>>("weft.host.v1.HostInstruction");
const desiredWire = messageCodec<{ host: string; position: number; instances: Array<{ serverId: string; power: DesiredPower; pending: Record<string, unknown> | null }> }>(
  "weft.host.v1.DesiredState",
);

export const hostInstructionCodec = {
  encode: (instruction: HostInstruction): Uint8Array => instructionWire.encode(instruction as unknown as Record<string, unknown>),
  /** Throws on bytes that are not an instruction with an action. */
  decode: (bytes: Uint8Array): HostInstruction => actionOf(instructionWire.decode(bytes)),
};

export const desiredStateCodec = {
  encode: (state: DesiredState): Uint8Array => desiredWire.encode(state as unknown as Parameters<typeof desiredWire.encode>[0]),
  decode: (bytes: Uint8Array): DesiredState => {
    const decoded = desiredWire.decode(bytes);
    return {
      host: decoded.host,
      position: decoded.position,
      instances: decoded.instances.map((instance) => ({
        serverId: instance.serverId,
        power: instance.power,
        pending: instance.pending === null ? null : actionOf(instance.pending),
      })),
    };
  },
};

export const desiredStateRequestCodec = messageCodec<{ readonly host: string }>("weft.host.v1.DesiredStateRequest");
export const heartbeatCodec = messageCodec<Heartbeat>("weft.host.v1.Heartbeat");
