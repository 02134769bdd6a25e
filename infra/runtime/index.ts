export * from "./aggregateModule.ts";
export * from "./commandHandler.ts";
export * from "./projectionRunner.ts";
export * from "./keyedLock.ts";
export * from "./projectedEvents.ts";
