/**
 * The entry of a replay's second thread (`replayThread.ts`): opens the store it was given, folds
 * its read models to the given last position and posts their packed documents (or their hashes)
 * back, all at once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Effect } from "effect";
import { EventStore, eventStoreFromUrl } from "../eventStore/index.ts";
import { canonicalHash } from "./canonical.ts";
import { replayTo } from "./replay.ts";
import { targetsOf, type ThreadReplayReply, type ThreadReplayRequest } from "./replayThread.ts";

const request = workerData as ThreadReplayRequest;

const reply = await Effect.runPromise(
  Effect.gen(function* () {
    const store = yield* EventStore;
    // Only its read models' events: the calling thread reads every event and says where the log ended.
    const replayed = yield* replayTo(store, targetsOf(request), request.bound, request.last, request.pageSize, true);
    return {
      models: replayed.models.map(({ model, doc, folded, position }) =>
        request.hashed ? { name: model.name, folded, position, sha256: canonicalHash(doc) } : { name: model.name, folded, position, packed: model.portable!.pack(doc) }),
    } satisfies ThreadReplayReply;
  }).pipe(
    Effect.scoped,
    Effect.provide(eventStoreFromUrl(request.eventStore)),
    Effect.catch((error) => Effect.succeed({ failed: String((error as { message?: unknown }).message ?? error) } satisfies ThreadReplayReply)),
  ),
);
parentPort!.postMessage(reply);
