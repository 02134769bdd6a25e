/**
 * The body of `POST /v2/images` as Glance reads it: base attributes checked against its image
 * schema, every other member an extra property whose value must be a string, read-only and
 * reserved names refused with a 403. Returns the `CreateImage` it asks for; pure, faults thrown.
 */
import type { CreateImage } from "@weft/domain/image";
import { HttpFault } from "../http/faults.ts";
import { boolean, checkWritable, containerFormat, diskFormat, schemaFault, tags, text, visibility, wholeNumber } from "./values.ts";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE = new Set(["id", "name", "visibility", "protected", "os_hidden", "disk_format", "container_format", "min_disk", "min_ram", "tags", "owner"]);
// On create `id` may be chosen by the client; everything else read-only stays so.
const READ_ONLY_ON_CREATE = new Set(["created_at", "updated_at", "status", "checksum", "size", "virtual_size", "direct_url", "self", "file", "schema", "os_hash_algo", "os_hash_value", "stores"]);

export interface CreateDefaults {
  readonly imageId: string;
  /** The caller's project: the owner unless an `owner` is given. */
  readonly owner: string;
}

const given = (body: Record<string, unknown>, name: string) => body[name] !== undefined && body[name] !== null;

export const parseCreate = (body: Record<string, unknown>, defaults: CreateDefaults): CreateImage => {
  for (const name of Object.keys(body)) if (!BASE.has(name)) checkWritable(name, READ_ONLY_ON_CREATE);
  if (given(body, "id") && (typeof body.id !== "string" || !UUID.test(body.id))) throw schemaFault(`${JSON.stringify(body.id)} does not match the UUID pattern`);
  if (given(body, "os_hidden") && boolean(body.os_hidden)) throw new HttpFault(400, "Hidden images (os_hidden) are not supported on this cloud.");
  // Glance lets both formats wait until the upload; this cloud records them at creation.
  for (const name of ["disk_format", "container_format"]) if (!given(body, name)) throw schemaFault(`'${name}' is a required property on this cloud`);
  const properties = Object.fromEntries(Object.entries(body).filter(([name]) => !BASE.has(name)).map(([name, value]) => [name, text(value)]));
  return {
    imageId: given(body, "id") ? (body.id as string) : defaults.imageId,
    owner: given(body, "owner") ? text(body.owner) : defaults.owner,
    name: given(body, "name") ? text(body.name) : "",
    diskFormat: diskFormat(body.disk_format),
    containerFormat: containerFormat(body.container_format),
    visibility: given(body, "visibility") ? visibility(body.visibility) : "private",
    protected: given(body, "protected") ? boolean(body.protected) : false,
    minDiskGb: given(body, "min_disk") ? wholeNumber(body.min_disk) : 0,
    minRamMb: given(body, "min_ram") ? wholeNumber(body.min_ram) : 0,
    tags: given(body, "tags") ? tags(body.tags) : [],
    properties,
  };
};
