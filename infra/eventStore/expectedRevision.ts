/**
 * The optimistic-concurrency rule every adapter applies the same way: whether a writer's
 * `ExpectedRevision` holds against the stream's current revision, and the `StreamRevisionConflict`
 * that reports it when it does not. `current` is the revision of the stream's last event, or
 * `undefined` when the stream does not exist.
 */
import { StreamRevisionConflict, type ExpectedRevision } from "./EventStore.ts";

export const isExpected = (expected: ExpectedRevision, current: number | undefined): boolean => {
  switch (expected) {
    case "any":
      return true;
    case "no_stream":
      return current === undefined;
    case "stream_exists":
      return current !== undefined;
    default:
      return current === expected;
  }
};

export const revisionConflict = (
  stream: string,
  expected: ExpectedRevision,
  current: number | undefined,
  cause?: unknown,
): StreamRevisionConflict =>
  new StreamRevisionConflict({
    stream,
    expected: String(expected),
    actual: current === undefined ? "no_stream" : String(current),
    ...(cause === undefined ? {} : { cause }),
  });
