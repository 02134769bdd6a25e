// The read-model contract every projection implements, and the at-least-once fold over it.
export * from "./projection.ts";
