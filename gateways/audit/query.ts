/**
 * The audit API's query, checked strictly: a typo must be a 400, never a silently wider answer.
 * `since` is an ISO 8601 time, `limit` 1 to 1000 (1000 when absent), `marker` the `weft.position`
 * of the last record of the previous page.
 */
import { parseAuditTime, type AuditQuery } from "@weft/infra/audit";
import { HttpFault } from "../http/faults.ts";

export const maxLimit = 1000;

const badRequest = (message: string) => new HttpFault(400, message);

const single = (queries: Record<string, ReadonlyArray<string>>, name: string): string | undefined => {
  const values = queries[name];
  if (values === undefined) return undefined;
  if (values.length > 1) throw badRequest(`Invalid ${name}: given ${values.length} times, expected once.`);
  return values[0];
};

const count = (text: string, name: string, min: number, max: number): number => {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw badRequest(`Invalid ${name} '${text}': an integer from ${min} to ${max} is expected.`);
  return value;
};

/** An id as the path or `user_id` gives it: 1 to 255 characters, no control characters or slashes. */
export const checkedId = (id: string | undefined, what: string): string => {
  // eslint-disable-next-line no-control-regex
  if (id === undefined || id === "" || id.length > 255 || /[\u0000-\u001f\u007f/]/.test(id)) throw badRequest(`Invalid ${what}: an id of 1 to 255 characters is expected.`);
  return id;
};

/** The paging and time window of a query; `allowed` names the parameters the route takes. */
export const parseAuditQuery = (queries: Record<string, ReadonlyArray<string>>, allowed: ReadonlyArray<string>): Omit<AuditQuery, "project"> => {
  for (const name of Object.keys(queries)) {
    if (!allowed.includes(name)) throw badRequest(`Unknown query parameter '${name}': this request takes ${allowed.join(", ")}.`);
  }
  const since = single(queries, "since");
  const sinceTime = since === undefined ? undefined : parseAuditTime(since);
  if (since !== undefined && sinceTime === undefined) throw badRequest(`Invalid since '${since}': an ISO 8601 time such as 2030-01-02T03:04:05Z is expected.`);
  const limit = single(queries, "limit");
  const marker = single(queries, "marker");
  return {
    limit: limit === undefined ? maxLimit : count(limit, "limit", 1, maxLimit),
    ...(sinceTime === undefined ? {} : { since: sinceTime }),
    ...(marker === undefined ? {} : { after: count(marker, "marker", 0, Number.MAX_SAFE_INTEGER) }),
  };
};
