/**
 * What the flavor catalog decides: names and ids unique cloud-wide, sizes within Nova's bounds,
 * extra specs only on flavors that exist. A flavor's delete frees its name and id, as Nova's
 * API database does. Servers keep a snapshot of their flavor, so a delete never touches them.
 */
import { assertNever, type Decision } from "../../shared/index.ts";
import type { CreateFlavor, FlavorCommand, FlavorExtraSpecKey, FlavorExtraSpecs } from "./commands.ts";
import type { FlavorEvent } from "./events.ts";
import { flavorExtraSpecNotFound, flavorIdTaken, flavorNameTaken, flavorNotFound, invalidFlavor, type FlavorRejection } from "./rejections.ts";
import type { FlavorCatalogState } from "./state.ts";

type FlavorDecision = Decision<FlavorEvent, FlavorRejection>;

// [API field name, value, minimum], in the order Nova's schema reports them.
const bounds = (c: CreateFlavor): ReadonlyArray<readonly [string, number, number]> => [
  ["ram", c.ramMb, 1],
  ["vcpus", c.vcpus, 1],
  ["disk", c.diskGb, 0],
  ["OS-FLV-EXT-DATA:ephemeral", c.ephemeralGb, 0],
  ["swap", c.swapMb, 0],
];

const createFlavor = (c: CreateFlavor, state: FlavorCatalogState): FlavorDecision => {
  const outOfBounds = bounds(c).find(([, value, minimum]) => value < minimum);
  if (outOfBounds !== undefined) return invalidFlavor(...outOfBounds);
  if (state.names.has(c.name)) return flavorNameTaken(c.name);
  if (state.flavors.has(c.flavorId)) return flavorIdTaken(c.flavorId);
  return [{
    type: "FlavorCreated",
    data: {
      flavorId: c.flavorId, name: c.name, vcpus: c.vcpus, ramMb: c.ramMb, diskGb: c.diskGb,
      ephemeralGb: c.ephemeralGb, swapMb: c.swapMb, isPublic: c.isPublic, description: c.description,
    },
  }];
};

const deleteFlavor = (flavorId: string, state: FlavorCatalogState): FlavorDecision =>
  state.flavors.has(flavorId) ? [{ type: "FlavorDeleted", data: { flavorId } }] : flavorNotFound(flavorId);

const setExtraSpecs = ({ flavorId, extraSpecs }: FlavorExtraSpecs, state: FlavorCatalogState): FlavorDecision => {
  const flavor = state.flavors.get(flavorId);
  if (flavor === undefined) return flavorNotFound(flavorId);
  const changed = Object.entries(extraSpecs).filter(([key, value]) => flavor.extraSpecs.get(key) !== value);
  return changed.length === 0 ? [] : [{ type: "FlavorExtraSpecsSet", data: { flavorId, extraSpecs: Object.fromEntries(changed) } }];
};

const unsetExtraSpec = ({ flavorId, key }: FlavorExtraSpecKey, state: FlavorCatalogState): FlavorDecision => {
  const flavor = state.flavors.get(flavorId);
  if (flavor === undefined) return flavorNotFound(flavorId);
  return flavor.extraSpecs.has(key) ? [{ type: "FlavorExtraSpecUnset", data: { flavorId, key } }] : flavorExtraSpecNotFound(flavorId, key);
};

export const decide = (command: FlavorCommand, state: FlavorCatalogState): FlavorDecision => {
  switch (command.type) {
    case "CreateFlavor":
      return createFlavor(command.data, state);
    case "DeleteFlavor":
      return deleteFlavor(command.data.flavorId, state);
    case "SetFlavorExtraSpecs":
      return setExtraSpecs(command.data, state);
    case "UnsetFlavorExtraSpec":
      return unsetExtraSpec(command.data, state);
    default:
      return assertNever(command);
  }
};
