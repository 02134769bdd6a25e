export * from "./identity.ts";
export * from "./compute.ts";
export * from "./image.ts";
export * from "./placement.ts";
