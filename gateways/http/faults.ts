/**
 * Faults: the only place HTTP statuses meet failures. Handlers throw `HttpFault`; the app's error
 * handler renders it in the body shape of the service the path belongs to, because each
 * OpenStack service has its own (Keystone `{"error": {code, message, title}}`, Nova
 * `{"itemNotFound": {code, message}}`, Glance `{message, code: "404 Not Found", title}`, Placement
 * `{"errors": [...]}`), and clients parse them.
 */
import type { Context, Hono } from "hono";
import type { RequestIdVariables } from "./requestId.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class HttpFault extends Error {
  readonly status: ContentfulStatusCode;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: ContentfulStatusCode, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** The reason phrases Keystone puts in `title`. */
const titles: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  416: "Requested Range Not Satisfiable",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The body a service answers a fault with; `c` is there for the styles that echo the request (its id, its version). */
export type FaultStyle = (status: ContentfulStatusCode, message: string, c: Context) => unknown;

/** The reason phrase of a status, as webob and Keystone put it in `title`. */
export const statusTitle = (status: number): string => titles[status] ?? "Error";

export const keystoneFaultBody: FaultStyle = (status, message) => ({
  error: { code: status, message, title: titles[status] ?? "Error" },
});

/** Nova's fault names by status, as novaclient and openstacksdk expect them. */
const novaFaultNames: Partial<Record<number, string>> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  405: "badMethod",
  406: "notAcceptable",
  409: "conflictingRequest",
  413: "overLimit",
  415: "badMediaType",
  501: "notImplemented",
  503: "serviceUnavailable",
};

export const novaFaultBody: FaultStyle = (status, message) => ({
  [novaFaultNames[status] ?? "computeFault"]: { code: status, message },
});

/** Glance's body: webob's JSON error, the status line as `code`. */
export const glanceFaultBody: FaultStyle = (status, message) => {
  const title = titles[status] ?? "Error";
  return { message, code: `${status} ${title}`, title };
};

export const renderFault = (c: Context, style: FaultStyle, status: ContentfulStatusCode, message: string, headers: Readonly<Record<string, string>> = {}) => {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(style(status, message, c), status);
};

/**
 * An app's last word on every request: a 404 for a path it does not serve and a fault for any
 * error, in the body shape of the service the path belongs to. An undeclared error is a 500 that
 * names only the request id; its stack goes to `log`, never to the client.
 */
export const withFaults = <A extends Hono<{ Variables: RequestIdVariables }>>(
  app: A,
  styleFor: (path: string) => FaultStyle,
  log: (message: string, error: unknown) => void,
): A => {
  app.notFound((c) => renderFault(c, styleFor(c.req.path), 404, "The resource could not be found."));
  app.onError((error, c) => {
    if (error instanceof HttpFault) return renderFault(c, styleFor(c.req.path), error.status, error.message, error.headers);
    const id = c.get("requestId") ?? "unknown";
    log(`unhandled error in ${c.req.method} ${c.req.path} (${id})`, error);
    return renderFault(c, styleFor(c.req.path), 500, `An unexpected error prevented the server from fulfilling your request (request id ${id}).`);
  });
  return app;
};
