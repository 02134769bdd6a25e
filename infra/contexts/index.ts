export * from "./identity.ts";
export * from "./compute.ts";
