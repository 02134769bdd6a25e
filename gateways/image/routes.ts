/**
 * The Glance v2 route table, mounted at `/image`. Everything below `/v2` but version discovery
 * needs a valid `X-Auth-Token`.
 *
 *   GET    /                                  versions (300)
 *   GET    /versions, /v2                     versions
 *   GET    /v2/schemas/image, /v2/schemas/images
 *   GET    /v2/images                         list (filters, sort, limit/marker, `next`)
 *   POST   /v2/images                         create (queued)
 *   GET    /v2/images/{id}                    show
 *   PATCH  /v2/images/{id}                    update (openstack-images-v2.1-json-patch)
 *   DELETE /v2/images/{id}                    delete (refused while protected)
 *   PUT    /v2/images/{id}/file               upload (application/octet-stream, streamed)
 *   GET    /v2/images/{id}/file               download (Content-MD5, ranges)
 *   PUT    /v2/images/{id}/tags/{tag}         add a tag
 *   DELETE /v2/images/{id}/tags/{tag}         remove a tag
 *   POST   /v2/images/{id}/actions/deactivate, /reactivate   (admin)
 */
import { Hono } from "hono";
import { requireToken } from "../identity/requireToken.ts";
import type { ImageDeps, ImageEnv } from "./context.ts";
import { fileRoutes } from "./file.ts";
import { imageRoutes } from "./images.ts";
import { schemaRoutes } from "./schemas.ts";
import { imageVersions } from "./versions.ts";

export const imageServiceRoutes = (deps: ImageDeps) =>
  new Hono<ImageEnv>()
    .route("/", imageVersions(deps.publicUrl))
    .use("/v2/*", requireToken({ deps }))
    .route("/v2/schemas", schemaRoutes())
    .route("/v2/images", fileRoutes(deps))
    .route("/v2/images", imageRoutes(deps));
