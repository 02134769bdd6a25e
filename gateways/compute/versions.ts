/**
 * Nova's version discovery, which keystoneauth reads to learn the microversion range under the
 * catalog's `/compute` endpoint: the versions list at `/compute` and the v2.1 document at
 * `/compute/v2.1`. Both are public, as in Nova.
 */
import { Hono } from "hono";
import { MAX_VERSION, MIN_VERSION } from "./microversions.ts";

const v21 = (publicUrl: string) => ({
  id: "v2.1",
  status: "CURRENT",
  version: MAX_VERSION,
  min_version: MIN_VERSION,
  updated: "2013-07-23T11:33:21Z",
  links: [
    { rel: "self", href: `${publicUrl}/compute/v2.1/` },
    { rel: "describedby", type: "text/html", href: "http://docs.openstack.org/" },
  ],
  "media-types": [{ base: "application/json", type: "application/vnd.openstack.compute+json;version=2.1" }],
});

export const computeVersions = (publicUrl: string) =>
  new Hono()
    .get("/", (c) => {
      const { id, status, version, min_version, updated } = v21(publicUrl);
      return c.json({ versions: [{ id, status, version, min_version, updated, links: [{ rel: "self", href: `${publicUrl}/compute/v2.1/` }] }] });
    })
    .get("/v2.1", (c) => c.json({ version: v21(publicUrl) }))
    .get("/v2.1/", (c) => c.json({ version: v21(publicUrl) }));
