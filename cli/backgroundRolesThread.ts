/**
 * The entry of `weft up`'s background roles thread (`backgroundRoles.ts`): runs the roles with the
 * settings it was started with, says when they are ready, and closes them when told to stop.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { Cause, Effect, Exit, Fiber } from "effect";
import { backgroundRolesLayer, startBackgroundRoles, type BackgroundRolesOrder, type BackgroundRolesReport, type BackgroundRolesSettings } from "./backgroundRoles.ts";

const BACKGROUND_NICE = 10;
const port = parentPort!;
const tell = (report: BackgroundRolesReport) => port.postMessage(report);

const settings = workerData as BackgroundRolesSettings;
// API requests come first: on Linux a thread's nice value is its own, so this thread yields the
// cores to the gateway's (and to NATS) whenever both want one, and takes what they leave. The
// roles react a little later under load; requests no longer wait behind them (docs/benchmarks.md).
try {
  setPriority(BACKGROUND_NICE);
} catch {
  // Not allowed here (a container without the capability, say): the roles run at the process's priority.
}
const fiber = Effect.runFork(
  Effect.gen(function* () {
    yield* startBackgroundRoles(settings);
    tell({ kind: "ready" });
    return yield* Effect.never;
    // The roles' scope closes before the layer's: they stop before their connections do.
  }).pipe(Effect.scoped, Effect.provide(backgroundRolesLayer(settings))),
);

port.on("message", (order: BackgroundRolesOrder) => {
  if (order.kind === "stop") Effect.runFork(Fiber.interrupt(fiber));
});

fiber.addObserver((exit) => {
  const failed = Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause);
  if (failed) tell({ kind: "failed", message: Cause.pretty(exit.cause) });
  // The roles' connections are closed; whatever else still holds the thread's loop must not keep it.
  process.exit(failed ? 1 : 0);
});
