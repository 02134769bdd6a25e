/**
 * The check Nova specs make of a refused request: the status, Nova's fault body under its name
 * (`{"badRequest": {"code": 400, "message": …}}`), and an event log that did not move.
 */
import { expect } from "vitest";
import type { TestCloud } from "./testCloud.ts";

/** Returns the fault's message for the spec to compare. */
export const expectNovaRefusal = async (cloud: TestCloud, status: number, fault: string, request: () => Promise<Response>): Promise<string> => {
  const before = await cloud.head();
  const response = await request();
  const body = (await response.json()) as Record<string, { code: number; message: string }>;
  expect(response.status).toBe(status);
  expect(body[fault]).toMatchObject({ code: status, message: expect.any(String) });
  expect(await cloud.head()).toBe(before);
  return body[fault]!.message;
};
