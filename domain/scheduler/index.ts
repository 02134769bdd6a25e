/**
 * The scheduler's pure half: the view it folds from `$all` (providers, servers, server groups)
 * and the choice of hosts for a build, over `selectHosts` from placement. The process manager
 * that sends the claims lives in `infra/processManagers/scheduler.ts`.
 */
export * from "./schedulerView.ts";
