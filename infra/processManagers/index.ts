/**
 * The process managers: long-running reactions to `$all` that send commands, each run by
 * `runProcessManager` from its own checkpoint (the scheduler), or folding what it needs from
 * `$all` at each start (build timeouts).
 */
export { runScheduler, schedulerName, SchedulerCommandFailed, type RunningScheduler, type SchedulerOptions } from "./scheduler.ts";
export {
  BuildTimeoutCommandFailed,
  buildTimeoutStep,
  defaultBuildTimeoutMs,
  runBuildTimeouts,
  type BuildTimeoutOptions,
  type RunningBuildTimeouts,
} from "./buildTimeouts.ts";
