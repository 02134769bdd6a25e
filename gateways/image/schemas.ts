/**
 * `/v2/schemas/image` and `/v2/schemas/images`: JSON Schema documents of what this Glance serves,
 * which glanceclient-style clients fetch to know the attributes (extra properties are strings).
 * Minimal but valid: every base attribute with its type, read-only ones marked, Glance's links.
 */
import { Hono } from "hono";
import { containerFormats, diskFormats, imageVisibilities } from "@weft/domain/image";
import type { ImageEnv } from "./context.ts";

const nullable = (type: string) => ({ type: ["null", type] });
const readOnly = <T extends object>(schema: T) => ({ ...schema, readOnly: true });

const imageSchema = {
  name: "image",
  properties: {
    id: { type: "string", description: "An identifier for the image", pattern: "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$" },
    name: { ...nullable("string"), maxLength: 255 },
    status: readOnly({ type: "string", enum: ["queued", "saving", "active", "killed", "deleted", "deactivated"] }),
    visibility: { type: "string", enum: [...imageVisibilities] },
    protected: { type: "boolean" },
    os_hidden: { type: "boolean" },
    checksum: readOnly({ ...nullable("string"), maxLength: 32 }),
    os_hash_algo: readOnly({ ...nullable("string"), maxLength: 64 }),
    os_hash_value: readOnly({ ...nullable("string"), maxLength: 128 }),
    owner: { ...nullable("string"), maxLength: 255 },
    size: readOnly(nullable("integer")),
    virtual_size: readOnly(nullable("integer")),
    container_format: { ...nullable("string"), enum: [null, ...containerFormats] },
    disk_format: { ...nullable("string"), enum: [null, ...diskFormats] },
    created_at: readOnly({ type: "string" }),
    updated_at: readOnly({ type: "string" }),
    tags: { type: "array", items: { type: "string", maxLength: 255 } },
    min_ram: { type: "integer" },
    min_disk: { type: "integer" },
    self: readOnly({ type: "string" }),
    file: readOnly({ type: "string" }),
    schema: readOnly({ type: "string" }),
  },
  additionalProperties: { type: "string" },
  links: [
    { rel: "self", href: "{self}" },
    { rel: "enclosure", href: "{file}" },
    { rel: "describedby", href: "{schema}" },
  ],
};

const imagesSchema = {
  name: "images",
  properties: {
    images: { type: "array", items: imageSchema },
    schema: { type: "string" },
    first: { type: "string" },
    next: { type: "string" },
  },
  links: [
    { rel: "first", href: "{first}" },
    { rel: "next", href: "{next}" },
    { rel: "describedby", href: "{schema}" },
  ],
};

export const schemaRoutes = () =>
  new Hono<ImageEnv>()
    .get("/image", (c) => c.json(imageSchema))
    .get("/images", (c) => c.json(imagesSchema));
