/**
 * The compute context (Nova v2.1 subset): five aggregates, each a pure decider over its own
 * stream, after docs/compute-design.md.
 *
 * | aggregate | stream | decider |
 * | --- | --- | --- |
 * | server | `server-<serverId>` | `serverDecider` |
 * | flavor catalog | `flavors-<FLAVOR_CATALOG_ID>` | `flavorCatalogDecider` |
 * | a user's key pairs | `keypairs-<userId as uuid>` | `keypairsDecider` |
 * | server group | `serverGroup-<groupId>` | `serverGroupDecider` |
 * | project quota | `quota-<projectId as uuid>` | `quotaDecider` |
 *
 * Every command and event type name is unique across the five, so one `weft.cmd.compute.<type>`
 * subject space and one protobuf package (`weft.compute.v1`) serve them all.
 */
export * from "./server/index.ts";
export * from "./flavors/index.ts";
export * from "./keypairs/index.ts";
export * from "./serverGroups/index.ts";
export * from "./quota/index.ts";
export { dashedUuidOf, uuidOf } from "./ids.ts";
