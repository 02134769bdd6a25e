/**
 * Who may read placement: Placement's defaults give every read here to `admin_or_service`, and
 * Weft has no service users yet, so admins. A refusal is Placement's 403 naming the rule.
 */
import { HttpFault } from "../http/faults.ts";
import type { Caller } from "../identity/context.ts";

const isAdmin = (caller: Caller) => caller.roleNames.includes("admin");

type Rule = (caller: Caller) => boolean;

export const placementPolicy = {
  "placement:resource_providers:list": isAdmin,
  "placement:resource_providers:show": isAdmin,
  "placement:resource_providers:inventories:list": isAdmin,
  "placement:resource_providers:inventories:show": isAdmin,
  "placement:resource_providers:usages": isAdmin,
  "placement:resource_providers:allocations:list": isAdmin,
  "placement:resource_providers:aggregates:list": isAdmin,
  "placement:resource_providers:traits:list": isAdmin,
  "placement:allocations:list": isAdmin,
  "placement:resource_classes:list": isAdmin,
  "placement:resource_classes:show": isAdmin,
} satisfies Record<string, Rule>;

export type PlacementAction = keyof typeof placementPolicy;

export const enforcePlacement = (caller: Caller, action: PlacementAction): void => {
  if (!placementPolicy[action](caller)) throw new HttpFault(403, `Policy does not allow ${action} to be performed.`);
};
