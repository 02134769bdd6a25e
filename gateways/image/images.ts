/**
 * `/v2/images`: create (metadata only, status queued), list with Glance's filters, sorting and
 * `next` links, show, update by JSON patch, delete (its bytes go with it), tags one by one, and
 * the deactivate/reactivate actions. Bytes are `file.ts`'s.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Hono, type Context } from "hono";
import { imageVisibilities, type ImageVisibility } from "@weft/domain/image";
import { getImage, imageSortKeys, listImages, type ImageListQuery, type ImageSortKey } from "@weft/projections/image";
import { readJson, readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { runImageCommand } from "./commandRunner.ts";
import type { ImageDeps, ImageEnv } from "./context.ts";
import { parseCreate } from "./create.ts";
import { updateFromPatch } from "./patch.ts";
import { callerIsAdmin, enforceImage, viewerOf, visibleImage } from "./policy.ts";
import { imagePath, imageView } from "./views.ts";

const PATCH_TYPES = ["application/openstack-images-v2.1-json-patch"];
// Glance's `limit_param_default` and `api_limit_max`.
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;
// Query parameters that are not filters on an image attribute; any other unknown one filters on an extra property.
const NOT_PROPERTIES = new Set([
  "limit", "marker", "sort_key", "sort_dir", "sort", "member_status", "os_hidden", "name", "status", "visibility", "owner",
  "protected", "disk_format", "container_format", "tag", "size_min", "size_max",
]);

const whole = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new HttpFault(400, `${name} param must be a non-negative integer`);
  return Number(value);
};

const sorting = (c: Context): Pick<ImageListQuery, "sortKey" | "sortDir"> => {
  const sort = c.req.query("sort");
  // Glance's newer `sort=key:dir,…` form, of which only the first key is honoured here.
  const [key, dir] = sort !== undefined ? sort.split(",")[0]!.split(":") : [c.req.query("sort_key"), c.req.query("sort_dir")];
  if (key !== undefined && !imageSortKeys.includes(key as ImageSortKey)) {
    throw new HttpFault(400, `Invalid sort key: ${key}. It must be one of the following: ${imageSortKeys.join(", ")}.`);
  }
  if (dir !== undefined && dir !== "asc" && dir !== "desc") throw new HttpFault(400, `Invalid sort direction: ${dir}`);
  return { ...(key === undefined ? {} : { sortKey: key as ImageSortKey }), ...(dir === undefined ? {} : { sortDir: dir }) };
};

const listQuery = (c: Context<ImageEnv>): ImageListQuery => {
  const q = (name: string) => c.req.query(name);
  const limit = whole("limit", q("limit"));
  const visibility = q("visibility");
  if (visibility !== undefined && visibility !== "all" && !imageVisibilities.includes(visibility as ImageVisibility)) {
    throw new HttpFault(400, `Invalid visibility value: ${visibility}`);
  }
  const isProtected = q("protected");
  if (isProtected !== undefined && isProtected !== "true" && isProtected !== "false") {
    throw new HttpFault(400, `Invalid value for protected: ${isProtected}; it must be true or false`);
  }
  const properties = Object.fromEntries(Object.entries(c.req.query()).filter(([name]) => !NOT_PROPERTIES.has(name)));
  const defined = <T extends object>(fields: T) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
  return defined({
    visibleTo: viewerOf(c.get("caller")),
    name: q("name"),
    status: q("status"),
    visibility: visibility as ImageListQuery["visibility"],
    owner: q("owner"),
    protected: isProtected === undefined ? undefined : isProtected === "true",
    diskFormat: q("disk_format"),
    containerFormat: q("container_format"),
    tags: c.req.queries("tag"),
    properties: Object.keys(properties).length === 0 ? undefined : properties,
    sizeMin: whole("size_min", q("size_min")),
    sizeMax: whole("size_max", q("size_max")),
    marker: q("marker"),
    limit: Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT),
    ...sorting(c),
  });
};

// Glance's links are relative to the endpoint's root and keep every parameter but the marker.
const pageLinks = (c: Context, lastId: string | undefined) => {
  const params = new URL(c.req.url).searchParams;
  params.delete("marker");
  const query = params.toString();
  const first = query === "" ? "/v2/images" : `/v2/images?${query}`;
  if (lastId === undefined) return { first };
  params.set("marker", lastId);
  return { first, next: `/v2/images?${params.toString()}` };
};

export const imageRoutes = (deps: ImageDeps) => {
  const found = (c: Context<ImageEnv>, imageId: string) => visibleImage(getImage(deps.images(), imageId), c.get("caller"), imageId);
  const shown = (imageId: string) => {
    const image = getImage(deps.images(), imageId);
    if (image === undefined) throw new HttpFault(404, `No image found with ID ${imageId}`);
    return imageView(image);
  };

  return new Hono<ImageEnv>()
    .get("/", (c) => {
      // No image is hidden here, so asking for hidden ones finds none.
      if (c.req.query("os_hidden") === "true") return c.json({ images: [], schema: "/v2/schemas/images", ...pageLinks(c, undefined) });
      const query = listQuery(c);
      const page = listImages(deps.images(), query);
      if (page === undefined) throw new HttpFault(400, `Invalid marker. Image ${query.marker} could not be found.`);
      const last = page.more ? page.images.at(-1)?.id : undefined;
      return c.json({ images: page.images.map(imageView), schema: "/v2/schemas/images", ...pageLinks(c, last) });
    })
    .post("/", async (c) => {
      const caller = c.get("caller");
      enforceImage(caller, "add_image");
      const create = parseCreate(await readJsonObject(c), { imageId: deps.newId(), owner: caller.actor.projectId });
      if (create.owner !== caller.actor.projectId && !callerIsAdmin(caller)) {
        throw new HttpFault(403, `You are not permitted to create images owned by '${create.owner}'.`);
      }
      if (create.visibility === "public") enforceImage(caller, "publicize_image");
      await runImageCommand(deps, c, { type: "CreateImage", data: create });
      c.header("Location", `${deps.publicUrl}/image${imagePath(create.imageId)}`);
      return c.json(shown(create.imageId), 201);
    })
    .get("/:imageId", (c) => c.json(imageView(found(c, c.req.param("imageId")))))
    .patch("/:imageId", async (c) => {
      const image = found(c, c.req.param("imageId"));
      const caller = c.get("caller");
      enforceImage(caller, "modify_image", image);
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (!PATCH_TYPES.includes(type)) {
        throw new HttpFault(415, `Image PATCH expects Content-Type one of: ${PATCH_TYPES.join(", ")}`, { "Accept-Patch": PATCH_TYPES.join(", ") });
      }
      const update = updateFromPatch(image, await readJson(c, undefined, "a JSON array of operation objects"));
      if (update.visibility === "public") enforceImage(caller, "publicize_image");
      await runImageCommand(deps, c, { type: "UpdateImage", data: update });
      return c.json(shown(image.id));
    })
    .delete("/:imageId", async (c) => {
      const image = found(c, c.req.param("imageId"));
      enforceImage(c.get("caller"), "delete_image", image);
      await runImageCommand(deps, c, { type: "DeleteImage", data: { imageId: image.id } });
      // The event records the location too, so a sweep could do this; doing it here frees the space now.
      if (image.location !== null) await rm(join(deps.dataDir, image.location), { force: true });
      return c.body(null, 204);
    })
    .put("/:imageId/tags/:tag", async (c) => {
      const image = found(c, c.req.param("imageId"));
      enforceImage(c.get("caller"), "modify_image", image);
      const tag = c.req.param("tag");
      await runImageCommand(deps, c, { type: "UpdateImage", data: { imageId: image.id, setProperties: {}, removeProperties: [], addTags: [tag], removeTags: [] } });
      return c.body(null, 204);
    })
    .delete("/:imageId/tags/:tag", async (c) => {
      const image = found(c, c.req.param("imageId"));
      enforceImage(c.get("caller"), "modify_image", image);
      const tag = c.req.param("tag");
      if (!image.tags.includes(tag)) throw new HttpFault(404, `Tag ${tag} not found.`);
      await runImageCommand(deps, c, { type: "UpdateImage", data: { imageId: image.id, setProperties: {}, removeProperties: [], addTags: [], removeTags: [tag] } });
      return c.body(null, 204);
    })
    .post("/:imageId/actions/:action{deactivate|reactivate}", async (c) => {
      const image = found(c, c.req.param("imageId"));
      const action = c.req.param("action") as "deactivate" | "reactivate";
      enforceImage(c.get("caller"), action, image);
      await runImageCommand(deps, c, { type: action === "deactivate" ? "DeactivateImage" : "ReactivateImage", data: { imageId: image.id } });
      return c.body(null, 204);
    });
};
