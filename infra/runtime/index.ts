export * from "./aggregateModule.ts";
export * from "./commandHandler.ts";
export * from "./projectionRunner.ts";
export * from "./keyedLock.ts";
export * from "./projectedEvents.ts";
export * from "./contextHandler.ts";
export * from "./checkpoints.ts";
export * from "./processManager.ts";
