export * from "./decider.ts";
export * from "./specification.ts";
