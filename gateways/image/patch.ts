/**
 * Glance's image PATCH (`application/openstack-images-v2.1-json-patch`, RFC 6902 with Glance's
 * limits): each operation is checked as Glance checks it (op, one-level JSON pointer, read-only
 * and reserved attributes, value types), applied in order to a working copy of the image, and the
 * result becomes one `UpdateImage` holding only what changed. Pure: faults are thrown.
 */
import type { UpdateImage } from "@weft/domain/image";
import type { Image } from "@weft/projections/image";
import { HttpFault } from "../http/faults.ts";
import { boolean, checkWritable, tags, text, visibility, wholeNumber } from "./values.ts";

const OPERATIONS = ["add", "remove", "replace"] as const;
type Operation = (typeof OPERATIONS)[number];

// Base attributes Glance lets an owner change but this cloud's image aggregate does not record changes of.
const UNCHANGEABLE = new Set(["owner", "disk_format", "container_format", "os_hidden", "locations"]);
const EDITABLE = new Set(["name", "visibility", "protected", "min_disk", "min_ram", "tags"]);

interface Working {
  name: string;
  visibility: string;
  protected: boolean;
  minDisk: number;
  minRam: number;
  tags: ReadonlyArray<string>;
  properties: Map<string, string>;
}

const badRequest = (message: string) => new HttpFault(400, message);

// Glance accepts only its limited form of JSON pointers; `~1` and `~0` are the escaped `/` and `~`.
const decodePointer = (pointer: string): ReadonlyArray<string> => {
  if (!pointer.startsWith("/")) throw badRequest(`Pointer \`${pointer}\` does not start with "/".`);
  if (/\/\s*?\//.test(pointer.slice(1))) throw badRequest(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith("/")) throw badRequest(`Pointer \`${pointer}\` end with "/".`);
  if (/~[^01]/.test(pointer) || pointer.endsWith("~")) throw badRequest(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  return pointer.slice(1).split("/").map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~").trim());
};

const parseOperation = (raw: unknown): { op: Operation; root: string; value: unknown } => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badRequest("Operations must be JSON objects.");
  const change = raw as Record<string, unknown>;
  const available = OPERATIONS.join(", ");
  if (change.op === undefined) throw badRequest(`Unable to find \`op\` in JSON Schema change. It must be one of the following: ${available}.`);
  if (!OPERATIONS.includes(change.op as Operation)) throw badRequest(`Invalid operation: \`${String(change.op)}\`. It must be one of the following: ${available}.`);
  const op = change.op as Operation;
  if (typeof change.path !== "string") throw badRequest("Unable to find 'path' in JSON Schema change");
  const path = decodePointer(change.path);
  if (path.length !== 1) throw badRequest(`Invalid JSON pointer for this resource: '/${path.join("/")}'`);
  if (op !== "remove" && !Object.hasOwn(change, "value")) throw badRequest(`Operation "${op}" requires a member named "value".`);
  const root = path[0]!;
  checkWritable(root);
  return { op, root, value: change.value };
};

const setBase = (working: Working, root: string, value: unknown): void => {
  switch (root) {
    case "name":
      working.name = value === null ? "" : text(value);
      return;
    case "visibility":
      working.visibility = visibility(value);
      return;
    case "protected":
      working.protected = boolean(value);
      return;
    case "min_disk":
      working.minDisk = wholeNumber(value);
      return;
    case "min_ram":
      working.minRam = wholeNumber(value);
      return;
    case "tags":
      working.tags = tags(value);
      return;
  }
};

const apply = (working: Working, { op, root, value }: { op: Operation; root: string; value: unknown }): void => {
  if (UNCHANGEABLE.has(root)) throw new HttpFault(403, `Attribute '${root}' cannot be changed on this cloud.`);
  if (EDITABLE.has(root)) {
    if (op === "remove") throw new HttpFault(403, `Property ${root} may not be removed.`);
    setBase(working, root, value);
    return;
  }
  const present = working.properties.has(root);
  // Draft 10 `add` sets whether or not the property exists; `replace` and `remove` need it there.
  if (op !== "add" && !present) throw new HttpFault(409, `Property ${root} does not exist.`);
  if (op === "remove") working.properties.delete(root);
  else working.properties.set(root, text(value));
};

const sameTags = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => a.length === b.length && a.every((tag) => b.includes(tag));

/** The update a Glance JSON patch asks of `image`, with only the changed attributes set. */
export const updateFromPatch = (image: Image, body: unknown): UpdateImage => {
  if (!Array.isArray(body)) throw badRequest("Request body must be a JSON array of operation objects.");
  const operations = body.map(parseOperation);
  const working: Working = {
    name: image.name, visibility: image.visibility, protected: image.protected, minDisk: image.minDisk, minRam: image.minRam,
    tags: image.tags, properties: new Map(Object.entries(image.properties)),
  };
  for (const operation of operations) apply(working, operation);
  const setProperties = Object.fromEntries([...working.properties].filter(([name, value]) => image.properties[name] !== value || !Object.hasOwn(image.properties, name)));
  return {
    imageId: image.id,
    ...(working.name === image.name ? {} : { name: working.name }),
    ...(working.visibility === image.visibility ? {} : { visibility: working.visibility }),
    ...(working.protected === image.protected ? {} : { protected: working.protected }),
    ...(working.minDisk === image.minDisk ? {} : { minDiskGb: working.minDisk }),
    ...(working.minRam === image.minRam ? {} : { minRamMb: working.minRam }),
    setProperties,
    removeProperties: Object.keys(image.properties).filter((name) => !working.properties.has(name)),
    ...(sameTags(working.tags, image.tags) ? {} : { tags: { tags: working.tags } }),
    addTags: [],
    removeTags: [],
  };
};
