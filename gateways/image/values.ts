/**
 * Glance's checks on image attribute values, shared by create and PATCH: the types and bounds of
 * its image schema, worded as Glance words a schema failure (400), and its lists of read-only and
 * reserved attribute names (403 when written).
 */
import { containerFormats, diskFormats, imageVisibilities } from "@weft/domain/image";
import { HttpFault } from "../http/faults.ts";

/** Computed or server-set attributes: writing one is a 403. */
export const READ_ONLY = new Set([
  "created_at", "updated_at", "status", "checksum", "size", "virtual_size", "direct_url", "self", "file", "schema", "id",
  "os_hash_algo", "os_hash_value", "stores",
]);
const RESERVED = new Set(["location", "deleted", "deleted_at"]);
// Glance keeps this namespace for properties it sets itself.
const RESERVED_PREFIX = "os_glance_";
const MAX_LENGTH = 255;

export const checkWritable = (name: string, readOnly: ReadonlySet<string> = READ_ONLY): void => {
  if (readOnly.has(name)) throw new HttpFault(403, `Attribute '${name}' is read-only.`);
  if (RESERVED.has(name) || name.startsWith(RESERVED_PREFIX)) throw new HttpFault(403, `Attribute '${name}' is reserved.`);
  if (name.length > MAX_LENGTH) throw new HttpFault(400, `Custom property should not be greater than ${MAX_LENGTH} characters.`);
};

export const schemaFault = (reason: string) => new HttpFault(400, `Provided object does not match schema 'image': ${reason}`);

const describe = (value: unknown) => (value === null ? "None" : JSON.stringify(value));

export const text = (value: unknown): string => {
  if (typeof value !== "string") throw schemaFault(`${describe(value)} is not of type 'string'`);
  if (value.length > MAX_LENGTH) throw schemaFault(`'${value.slice(0, 20)}…' is too long (maximum ${MAX_LENGTH})`);
  return value;
};

export const wholeNumber = (value: unknown): number => {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw schemaFault(`${describe(value)} is not of type 'integer'`);
  if (value < 0) throw schemaFault(`${value} is less than the minimum of 0`);
  return value;
};

export const boolean = (value: unknown): boolean => {
  if (typeof value !== "boolean") throw schemaFault(`${describe(value)} is not of type 'boolean'`);
  return value;
};

export const oneOf = <T extends string>(allowed: ReadonlyArray<T>) => (value: unknown): T => {
  if (!allowed.includes(value as T)) throw schemaFault(`${describe(value)} is not one of [${allowed.map((v) => `'${v}'`).join(", ")}]`);
  return value as T;
};

export const visibility = oneOf(imageVisibilities);
export const diskFormat = oneOf(diskFormats);
export const containerFormat = oneOf(containerFormats);

/** A tag list as a set, first occurrence first. */
export const tags = (value: unknown): ReadonlyArray<string> => {
  if (!Array.isArray(value)) throw schemaFault(`${describe(value)} is not of type 'array'`);
  return [...new Set(value.map(text))];
};
