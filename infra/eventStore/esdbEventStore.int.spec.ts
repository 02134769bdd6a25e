/**
 * The KurrentDB / EventStoreDB adapter against a real server, through the shared contract. No
 * server can run on the build machines, so the suite runs only when `WEFT_ESDB_URL` names one;
 * the contract writes to fresh categories only, so any server (even a shared one) will do.
 */
import { describe } from "vitest";
import { eventStoreContract } from "./eventStore.contract.ts";
import { esdbEventStoreLayer } from "./esdbEventStore.ts";

const url = process.env.WEFT_ESDB_URL;

describe.skipIf(url === undefined || url === "")(
  url
    ? `esdb adapter against ${url.replace(/\/\/[^@/]*@/, "//***@")}`
    : "esdb adapter contract (skipped: set WEFT_ESDB_URL=esdb://host:2113?tls=false to run against EventStoreDB/KurrentDB)",
  () => {
    eventStoreContract("esdb", async () => ({ layer: esdbEventStoreLayer(url!) }));
  },
);
