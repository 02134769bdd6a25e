/**
 * A small, strict body validator: each field says its type and bounds, unknown fields are
 * refused, and a failure names the field the way Keystone's jsonschema messages do
 * ("Invalid input for field 'user.name': …"), so a client learns exactly what to fix.
 */
import { HttpFault } from "./faults.ts";

export interface Field<T> {
  readonly optional: boolean;
  readonly parse: (value: unknown, path: string) => T;
}

const invalid = (path: string, reason: string): never => {
  throw new HttpFault(400, `Invalid input for field '${path}': ${reason}`);
};

const describe = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

export const string = (bounds: { readonly min?: number; readonly max?: number; readonly trimmed?: boolean } = {}): Field<string> => ({
  optional: false,
  parse: (value, path) => {
    if (typeof value !== "string") return invalid(path, `${describe(value)} is not of type 'string'`);
    if (bounds.min !== undefined && value.length < bounds.min) return invalid(path, `'${value}' is too short (minimum ${bounds.min})`);
    if (bounds.max !== undefined && value.length > bounds.max) return invalid(path, `string is too long (maximum ${bounds.max})`);
    if (bounds.trimmed === true && value.trim() !== value) return invalid(path, `'${value}' has leading or trailing whitespace`);
    return value;
  },
});

export const boolean = (): Field<boolean> => ({
  optional: false,
  parse: (value, path) => (typeof value === "boolean" ? value : invalid(path, `${describe(value)} is not of type 'boolean'`)),
});

export const literal = <T extends string | boolean | null>(...allowed: ReadonlyArray<T>): Field<T> => ({
  optional: false,
  parse: (value, path) =>
    allowed.includes(value as T) ? (value as T) : invalid(path, `${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`),
});

export const arrayOf = <T>(item: Field<T>, bounds: { readonly max?: number } = {}): Field<Array<T>> => ({
  optional: false,
  parse: (value, path) => {
    if (!Array.isArray(value)) return invalid(path, `${describe(value)} is not of type 'array'`);
    if (bounds.max !== undefined && value.length > bounds.max) return invalid(path, `too many items (maximum ${bounds.max})`);
    return value.map((element, index) => item.parse(element, `${path}[${index}]`));
  },
});

/** `null` is accepted and read as undefined (clients send `"parent_id": null` for "none"). */
export const nullable = <T>(field: Field<T>): Field<T | undefined> => ({
  optional: field.optional,
  parse: (value, path) => (value === null ? undefined : field.parse(value, path)),
});

export const optional = <T>(field: Field<T>): Field<T | undefined> => ({ optional: true, parse: field.parse });

type Shape = Record<string, Field<unknown>>;
type Parsed<S extends Shape> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export const object = <S extends Shape>(shape: S, options: { readonly allowUnknown?: boolean } = {}): Field<Parsed<S>> => ({
  optional: false,
  parse: (value, path) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return invalid(path, `${describe(value)} is not of type 'object'`);
    }
    const input = value as Record<string, unknown>;
    if (options.allowUnknown !== true) {
      const unknown = Object.keys(input).filter((key) => !(key in shape));
      if (unknown.length > 0) {
        return invalid(path, `Additional properties are not allowed (${unknown.map((key) => `'${key}'`).join(", ")} ${unknown.length === 1 ? "was" : "were"} unexpected)`);
      }
    }
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const fieldPath = path === "" ? key : `${path}.${key}`;
      if (!(key in input) || input[key] === undefined) {
        if (!field.optional) return invalid(fieldPath, `'${key}' is a required property`);
        continue;
      }
      result[key] = field.parse(input[key], fieldPath);
    }
    return result as Parsed<S>;
  },
});

/** Parses a whole body against a schema whose top level is an object. */
export const parseBody = <T>(schema: Field<T>, body: unknown): T => schema.parse(body, "");
