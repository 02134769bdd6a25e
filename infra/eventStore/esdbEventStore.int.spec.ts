/**
 * The KurrentDB / EventStoreDB adapter against a real server, through the shared contract. No
 * server can run on the build machines, so the contract runs only when `WEFT_ESDB_URL` names one;
 * it writes to fresh categories only, so any server (even a shared one) will do. What needs no
 * server, an unreachable one, always runs.
 */
import { Effect, Stream } from "effect";
import { describe, expect, it } from "vitest";
import { EventStoreUnavailable } from "./EventStore.ts";
import { eventStoreContract } from "./eventStore.contract.ts";
import { esdbEventStoreLayer, makeEsdbEventStore } from "./esdbEventStore.ts";

const url = process.env.WEFT_ESDB_URL;

describe.skipIf(url === undefined || url === "")(
  url
    ? `esdb adapter against ${url.replace(/\/\/[^@/]*@/, "//***@")}`
    : "esdb adapter contract (skipped: set WEFT_ESDB_URL=esdb://host:2113?tls=false to run against EventStoreDB/KurrentDB)",
  () => {
    eventStoreContract("esdb", async () => ({ layer: esdbEventStoreLayer(url!) }));
  },
);

describe("esdb adapter without a server", () => {
  it("reports every operation on an unreachable server as EventStoreUnavailable, then closes", async () => {
    const failures = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      // Port 1 on loopback refuses at once; the password must never reach an error message.
      const store = yield* makeEsdbEventStore("kurrentdb://admin:s3cret@127.0.0.1:1?tls=false&maxDiscoverAttempts=1");
      const event = { type: "A", data: new Uint8Array([1]), metadata: new Uint8Array(0) };
      return yield* Effect.all([
        Effect.flip(store.append("thing-1", "no_stream", [event])),
        Effect.flip(store.append("thing-1", "no_stream", [])),
        Effect.flip(store.read("thing-1")),
        Effect.flip(store.readAll(0, 10)),
        Effect.flip(store.head),
        Effect.flip(Stream.runDrain(store.subscribeAll(0))),
      ]);
    })));
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(EventStoreUnavailable);
      expect(failure.message).toContain("127.0.0.1:1");
      expect(failure.message).not.toContain("s3cret");
    }
  });
});
