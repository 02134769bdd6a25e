/**
 * How Nova shows a server's state: `status`, `OS-EXT-STS:task_state`, `OS-EXT-STS:power_state`
 * and `OS-EXT-STS:vm_state`, derived from the decider's state alone, after the table in
 * docs/compute-design.md and Nova's own status map (nova/api/openstack/common.py).
 */
import type { ServerState, VmState } from "./state.ts";

/** Nova's power states as the API shows them (integers; the CLI prints the names). */
export const powerStates = { NOSTATE: 0, RUNNING: 1, SHUTDOWN: 4 } as const;

export type PowerState = (typeof powerStates)[keyof typeof powerStates];

export type NovaServerStatus = "BUILD" | "ACTIVE" | "SHUTOFF" | "REBOOT" | "HARD_REBOOT" | "ERROR" | "DELETED";

export type TaskState = "scheduling" | "spawning" | "powering-off" | "powering-on" | "rebooting" | "rebooting_hard" | "deleting";

export interface NovaStatus {
  readonly status: NovaServerStatus;
  readonly taskState: TaskState | null;
  readonly powerState: PowerState;
  readonly vmState: VmState | "deleted";
}

const statusOfVmState: Readonly<Record<VmState, NovaServerStatus>> = {
  building: "BUILD",
  active: "ACTIVE",
  stopped: "SHUTOFF",
  error: "ERROR",
};

const powerOfVmState: Readonly<Record<VmState, PowerState>> = {
  building: powerStates.NOSTATE,
  active: powerStates.RUNNING,
  stopped: powerStates.SHUTDOWN,
  error: powerStates.NOSTATE,
};

const shown = (vmState: VmState, taskState: TaskState | null, status = statusOfVmState[vmState]): NovaStatus =>
  ({ status, taskState, powerState: powerOfVmState[vmState], vmState });

/** Nova's view of a server that exists (or existed): every status but "none". */
export const novaStatus = (server: Exclude<ServerState, { readonly status: "none" }>): NovaStatus => {
  switch (server.status) {
    case "scheduling":
      return shown("building", "scheduling");
    case "spawning":
      return shown("building", "spawning");
    case "active":
      if (server.task === "rebooting") return shown("active", "rebooting", "REBOOT");
      if (server.task === "rebooting_hard") return shown("active", "rebooting_hard", "HARD_REBOOT");
      return shown("active", server.task);
    case "stopped":
      return shown("stopped", server.task);
    case "error":
      return shown("error", null);
    case "deleting":
      // Nova keeps the status the server had; the task says it is going.
      return shown(server.was, "deleting");
    case "deleted":
      return { status: "DELETED", taskState: null, powerState: powerStates.NOSTATE, vmState: "deleted" };
    default: {
      const _unhandled: never = server;
      return _unhandled;
    }
  }
};
