/**
 * The process managers: long-running reactions to `$all` that send commands, each run by
 * `runProcessManager` from its own checkpoint. The scheduler is the first.
 */
export { runScheduler, schedulerName, SchedulerCommandFailed, type RunningScheduler, type SchedulerOptions } from "./scheduler.ts";
