/**
 * Request bodies: a size limit enforced while reading (a 10 MB body is refused without being
 * buffered whole), JSON that must parse, usually an object at the top. Each failure is a 4xx fault.
 */
import type { Context } from "hono";
import { HttpFault } from "./faults.ts";

export const DEFAULT_BODY_LIMIT = 112 * 1024;

const readLimited = async (c: Context, limit: number): Promise<string> => {
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (declared > limit) throw new HttpFault(413, `Request is too large. The request body may not exceed ${limit} bytes.`);
  const body = c.req.raw.body;
  if (body === null) return "";
  const reader = body.getReader();
  const chunks: Array<Uint8Array> = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new HttpFault(413, `Request is too large. The request body may not exceed ${limit} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
};

// JSON may escape half of a surrogate pair on its own (`"\ud800"`); such a string has no UTF-8
// form, so the command carrying it could not be decoded by its handler (a 503 that no retry
// mends) and no event could hold it. Only a body that escapes a surrogate is walked.
const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;

const wellFormed = (_key: string, value: unknown): unknown => {
  if (typeof value === "string" && !value.isWellFormed()) {
    throw new HttpFault(400, `Malformed request body: the string ${JSON.stringify(value)} holds a lone UTF-16 surrogate, which is no Unicode text.`);
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const key of Object.keys(value)) {
      if (!key.isWellFormed()) throw new HttpFault(400, `Malformed request body: the key ${JSON.stringify(key)} holds a lone UTF-16 surrogate, which is no Unicode text.`);
    }
  }
  return value;
};

/** The parsed JSON of the request body, whatever its top level (a JSON patch is an array). */
export const readJson = async (c: Context, limit = DEFAULT_BODY_LIMIT, expected = "a JSON object"): Promise<unknown> => {
  const text = await readLimited(c, limit);
  if (text.trim() === "") throw new HttpFault(400, `The request body is empty; ${expected} was expected.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpFault(400, `Malformed request body: ${(error as Error).message}`);
  }
  return ESCAPED_SURROGATE.test(text) ? JSON.parse(text, wellFormed) : parsed;
};

/** The parsed JSON object of the request body. */
export const readJsonObject = async (c: Context, limit = DEFAULT_BODY_LIMIT): Promise<Record<string, unknown>> => {
  const parsed = await readJson(c, limit);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpFault(400, "Malformed request body: a JSON object was expected.");
  }
  return parsed as Record<string, unknown>;
};
