/**
 * The compute driver port: what a host agent asks of a hypervisor. The `fake` driver implements
 * it in memory now; a QEMU/KVM driver implements the same port next, and both must pass
 * `computeDriver.contract.ts`. Operations are keyed by server id and safe to repeat where an
 * agent may see an event twice: creating an existing instance is `InstanceAlreadyExists` (the
 * agent reports the running instance rather than booting twice), destroying a missing one is done.
 */
import { Context, Schema, type Effect } from "effect";

export interface InstanceSpec {
  readonly serverId: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
  readonly imageId: string;
  /** The public key to inject, when the server has one. */
  readonly keyPublicKey: string;
}

export type InstancePowerState = "running" | "shutoff";

export interface InstanceInfo {
  readonly serverId: string;
  readonly name: string;
  readonly powerState: InstancePowerState;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

/** What the host offers, reported to placement as its inventory. */
export interface HostCapacity {
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
  readonly hypervisorType: string;
}

export class InstanceAlreadyExists extends Schema.TaggedError<InstanceAlreadyExists>()("InstanceAlreadyExists", {
  serverId: Schema.String,
}) {}

export class InstanceNotFound extends Schema.TaggedError<InstanceNotFound>()("InstanceNotFound", {
  serverId: Schema.String,
}) {}

/** A soft reboot of a stopped instance: there is nothing to reboot gracefully. */
export class InstanceNotRunning extends Schema.TaggedError<InstanceNotRunning>()("InstanceNotRunning", {
  serverId: Schema.String,
}) {}

/** The hypervisor refused or failed: the server goes to ERROR with this message as its fault. */
export class SpawnFailed extends Schema.TaggedError<SpawnFailed>()("SpawnFailed", {
  serverId: Schema.String,
  message: Schema.String,
}) {}

export interface ComputeDriverShape {
  readonly name: string;
  readonly capacity: Effect.Effect<HostCapacity>;
  readonly create: (spec: InstanceSpec) => Effect.Effect<InstanceInfo, InstanceAlreadyExists | SpawnFailed>;
  /** Stops and removes the instance and its disks; done already when it does not exist. */
  readonly destroy: (serverId: string) => Effect.Effect<void>;
  /** A no-op when already off. */
  readonly powerOff: (serverId: string) => Effect.Effect<void, InstanceNotFound>;
  /** A no-op when already running. */
  readonly powerOn: (serverId: string) => Effect.Effect<void, InstanceNotFound>;
  /** Soft reboot needs a running instance; a hard reboot also starts a stopped one, as in Nova. */
  readonly reboot: (serverId: string, hard: boolean) => Effect.Effect<void, InstanceNotFound | InstanceNotRunning>;
  readonly consoleLog: (serverId: string) => Effect.Effect<string, InstanceNotFound>;
  readonly list: Effect.Effect<ReadonlyArray<InstanceInfo>>;
}

export class ComputeDriver extends Context.Service<ComputeDriver, ComputeDriverShape>()("weft/agents/ComputeDriver") {}
