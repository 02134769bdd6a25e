/**
 * Which project an event belongs to, for the public streams' scoping: a project member sees only
 * its own project's events. An event belongs to the project that owns its stream's resource:
 * a server, a server group, an image or a project's quota, owned from the event that creates it
 * (or, for quotas, named on every event). Everything else (the identity directory, flavors, a
 * user's key pairs, resource providers, whose allocations mix projects) belongs to no project and
 * is shown to admins only. The actor's project is deliberately not used: a host agent reports
 * as the system, and an admin may act on another project's server.
 */
import type { Message } from "@weft/domain/shared";

/** Stream categories whose streams are one project's resource. */
export const projectOwnedCategories: ReadonlySet<string> = new Set(["server", "serverGroup", "image", "quota"]);

/**
 * The owning project an event states, or undefined when it states none. Only events of
 * project-owned streams count: `AllocationClaimed` names a project but lives in a provider's stream.
 */
export const ownerStated = (event: Message): string | undefined => {
  const data = event.data as { readonly projectId?: unknown; readonly owner?: unknown };
  switch (event.type) {
    case "ServerBuildRequested":
    case "ServerGroupCreated":
    case "QuotaLimitsSet":
    case "ServerResourcesReserved":
    case "ServerResourcesReleased":
      return typeof data.projectId === "string" && data.projectId !== "" ? data.projectId : undefined;
    case "ImageCreated":
      return typeof data.owner === "string" && data.owner !== "" ? data.owner : undefined;
    default:
      return undefined;
  }
};

/** The owner of a stream of `category` from its events, oldest first; undefined when none states one. */
export const ownerOfStream = (category: string, events: Iterable<Message>): string | undefined => {
  if (!projectOwnedCategories.has(category)) return undefined;
  for (const event of events) {
    const owner = ownerStated(event);
    if (owner !== undefined) return owner;
  }
  return undefined;
};

/** Keystone writes project ids as 32 hex digits, streams as dashed uuids: ids compare folded. */
export const foldedId = (id: string): string => id.replaceAll("-", "").toLowerCase();

/** Whether a caller scoped to `projectId` may see an event owned by `owner` (admins see all, elsewhere). */
export const sameProject = (owner: string | undefined, projectId: string): boolean =>
  owner !== undefined && projectId !== "" && foldedId(owner) === foldedId(projectId);
