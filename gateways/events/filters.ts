/**
 * The stream's query, checked strictly: a typo in a filter must be a 400, not a stream of
 * everything. `type` and `resource_type` take comma-separated lists (or repeat), `resource_id`
 * one id, `from` (or the `Last-Event-ID` header, which wins, as a reconnecting EventSource sends
 * it with the URL it first used) the position to resume after.
 */
import { eventTypeNamed, resourceTypes, type FeedQuery } from "@weft/infra/events";
import { HttpFault } from "../http/faults.ts";

const parameters = ["type", "resource_type", "resource_id", "from"];

const badRequest = (message: string) => new HttpFault(400, message);

const listOf = (queries: Record<string, ReadonlyArray<string>>, name: string): ReadonlyArray<string> | undefined => {
  const values = queries[name];
  if (values === undefined) return undefined;
  const items = values.flatMap((value) => value.split(",")).map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === "")) throw badRequest(`Invalid ${name} filter: an empty name.`);
  return items;
};

const single = (queries: Record<string, ReadonlyArray<string>>, name: string): string | undefined => {
  const values = queries[name];
  if (values === undefined) return undefined;
  if (values.length > 1) throw badRequest(`Invalid ${name}: given ${values.length} times, expected once.`);
  return values[0];
};

/** The filters of `GET /events/v1/stream`; every unknown parameter, type or resource type is a 400. */
export const parseFilters = (queries: Record<string, ReadonlyArray<string>>): Omit<FeedQuery, "project"> => {
  for (const name of Object.keys(queries)) {
    if (!parameters.includes(name)) throw badRequest(`Unknown query parameter '${name}': the event stream takes ${parameters.join(", ")}.`);
  }
  const types = listOf(queries, "type")?.map((name) => {
    const type = eventTypeNamed(name);
    if (type === undefined) throw badRequest(`Unknown event type '${name}'.`);
    return type;
  });
  const categories = listOf(queries, "resource_type")?.map((name) => {
    if (!resourceTypes.includes(name)) throw badRequest(`Unknown resource type '${name}': one of ${resourceTypes.join(", ")}.`);
    return name;
  });
  const resourceId = single(queries, "resource_id");
  // eslint-disable-next-line no-control-regex
  if (resourceId !== undefined && (resourceId === "" || resourceId.length > 255 || /[\u0000-\u001f,]/.test(resourceId))) {
    throw badRequest("Invalid resource_id: one id of 1 to 255 characters is expected.");
  }
  return {
    ...(types === undefined ? {} : { eventTypes: new Set(types) }),
    ...(categories === undefined ? {} : { resourceTypes: new Set(categories) }),
    ...(resourceId === undefined ? {} : { resourceId }),
  };
};

/** The position to resume after, when one is asked for: `Last-Event-ID`, else `from`. */
export const requestedPosition = (queries: Record<string, ReadonlyArray<string>>, lastEventId: string | undefined): number | undefined => {
  const [text, what] = lastEventId !== undefined && lastEventId.trim() !== "" ? [lastEventId.trim(), "Last-Event-ID"] : [single(queries, "from"), "from"];
  if (text === undefined) return undefined;
  const position = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(position)) throw badRequest(`Invalid ${what} '${text}': an event's position, a non-negative integer, is expected.`);
  return position;
};
