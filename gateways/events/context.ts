/**
 * What the event stream routes are given (the composition root builds it): the shared feed of
 * `$all`, and what `requireToken` needs to authenticate callers against the identity read model.
 */
import type { EventFeed } from "@weft/infra/events";
import type { IdentityDeps } from "../identity/context.ts";

export type { IdentityEnv as EventsEnv } from "../identity/context.ts";

export interface EventStreamOptions {
  /** How long an idle stream waits before a `: keepalive` comment. Default 15 s. */
  readonly heartbeatMs?: number;
  /**
   * How long a consumer may leave written data unread before it is disconnected (it resumes
   * with Last-Event-ID). Default 60 s.
   */
  readonly stallTimeoutMs?: number;
}

export interface EventsDeps extends Pick<IdentityDeps, "publicUrl" | "directory" | "tokens" | "now">, EventStreamOptions {
  readonly feed: EventFeed;
}
