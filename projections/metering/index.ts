/**
 * The metering read model: `evolveMetering` folds the public event stream (CloudEvents) into
 * usage intervals per server, indexed per project, and the queries answer Nova's
 * os-simple-tenant-usage, `/metering/v1` and `/metrics` from it (docs/metering.md). Pure: the
 * meter role in infra/ follows the stream and checkpoints the document.
 */
export * from "./document.ts";
export * from "./queries.ts";
export * from "./snapshot.ts";
