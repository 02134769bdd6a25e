/**
 * Replay and verification of read models: the engine that folds them from the log up to a
 * position or a time (`replay.ts`), the set of read models it knows (`readModels.ts`), their
 * canonical form and hash (`canonical.ts`), and the comparison with the live snapshots
 * (`verify.ts`). `weft replay`, `weft show --as-of` and `weft verify` are built on these.
 */
export { canonicalHash, textOf, writeCanonical, type CanonicalSink } from "./canonical.ts";
export { eventCodecByType, readModelNamed, readModels, type ReadModel, type ReplayedEvent } from "./readModels.ts";
export {
  DEFAULT_REPLAY_PAGE,
  parseReplayBound,
  replay,
  replayHashes,
  type HashedModel,
  type HashedReplay,
  type ReplayBound,
  type ReplayOptions,
  type ReplayResult,
  type ReplayTarget,
  type ReplayedModel,
} from "./replay.ts";
export { verifyReadModels, type CheckOutcome, type ReadModelCheck } from "./verify.ts";
