/**
 * Glance's version discovery, which keystoneauth reads to find the v2 API under the catalog's
 * `/image` endpoint: a 300 Multiple Choices list at `/image`, the same list as a 200 at
 * `/image/versions` (and at `/image/v2`, for clients whose endpoint already names the version).
 */
import { Hono } from "hono";

// v2.0 to v2.9: the API without the import, multi-store and cache additions of later minors.
const versions = (publicUrl: string) => ({
  versions: Array.from({ length: 10 }, (_, minor) => 9 - minor).map((minor) => ({
    id: `v2.${minor}`,
    status: minor === 9 ? "CURRENT" : "SUPPORTED",
    links: [{ rel: "self", href: `${publicUrl}/image/v2/` }],
  })),
});

export const imageVersions = (publicUrl: string) =>
  new Hono()
    .get("/", (c) => c.json(versions(publicUrl), 300))
    .get("/versions", (c) => c.json(versions(publicUrl)))
    .get("/v2", (c) => c.json(versions(publicUrl)))
    .get("/v2/", (c) => c.json(versions(publicUrl)));
