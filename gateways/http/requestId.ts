/**
 * Every response carries `x-openstack-request-id: req-<uuid>`, as the OpenStack services do; the
 * same id travels on the command envelope and lands in each event's metadata, so an operator can
 * follow one request from the HTTP log to the audit trail.
 */
import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";

export interface RequestIdVariables {
  requestId: string;
}

export interface RequestIdOptions {
  readonly generate?: () => string;
}

export const requestId = ({ generate = () => `req-${randomUUID()}` }: RequestIdOptions = {}): MiddlewareHandler<{ Variables: RequestIdVariables }> =>
  async function requestIdMiddleware(c, next) {
    const id = generate();
    c.set("requestId", id);
    c.header("x-openstack-request-id", id);
    await next();
  };
