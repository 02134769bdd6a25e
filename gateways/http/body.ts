/**
 * Request bodies: a size limit enforced while reading (a 10 MB body is refused without being
 * buffered whole), JSON that must parse, and an object at the top. Each failure is a 4xx fault.
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

/** The parsed JSON object of the request body. */
export const readJsonObject = async (c: Context, limit = DEFAULT_BODY_LIMIT): Promise<Record<string, unknown>> => {
  const text = await readLimited(c, limit);
  if (text.trim() === "") throw new HttpFault(400, "The request body is empty; a JSON object was expected.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpFault(400, `Malformed request body: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpFault(400, "Malformed request body: a JSON object was expected.");
  }
  return parsed as Record<string, unknown>;
};
