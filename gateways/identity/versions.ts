/**
 * Keystone's version discovery documents, which keystoneauth reads to find the v3 API: a 300
 * Multiple Choices list at `/` and `/identity`, and the v3 document at `/identity/v3`.
 */
import { Hono } from "hono";

const v3 = (publicUrl: string) => ({
  id: "v3.14",
  status: "stable",
  updated: "2020-04-07T00:00:00Z",
  links: [{ rel: "self", href: `${publicUrl}/identity/v3/` }],
  "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
});

export const identityVersions = (publicUrl: string) =>
  new Hono()
    .get("/", (c) => c.json({ versions: { values: [v3(publicUrl)] } }, 300))
    .get("/v3", (c) => c.json({ version: v3(publicUrl) }))
    .get("/v3/", (c) => c.json({ version: v3(publicUrl) }));

export const rootVersions = (publicUrl: string) =>
  new Hono().get("/", (c) => c.json({ versions: { values: [v3(publicUrl)] } }, 300));
