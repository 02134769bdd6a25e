/**
 * The flavor catalog as `decide` needs it: every flavor's name and extra specs, and the name
 * index that keeps names unique. One catalog per cloud, so it can grow without bound: the maps
 * are `immutable` persistent maps (O(log n) per event). Sizes and descriptions are the read model's.
 */
import { Map as ImmutableMap } from "immutable";
import type { FlavorEvent } from "./events.ts";

/** The aggregate id of the one flavor catalog of a Weft cloud. */
export const FLAVOR_CATALOG_ID = "00000000-0000-4000-8000-000000000002";
export const flavorCatalogStream = `flavors-${FLAVOR_CATALOG_ID}`;

export interface FlavorEntry {
  readonly name: string;
  readonly extraSpecs: ReadonlyMap<string, string>;
}

/** The catalog has no lifecycle: it exists, empty, before its first event. */
export interface FlavorCatalog {
  readonly status: "catalog";
  readonly flavors: ImmutableMap<string, FlavorEntry>;
  /** name -> flavor id */
  readonly names: ImmutableMap<string, string>;
}

export type FlavorCatalogState = FlavorCatalog;

export const initialState = (): FlavorCatalogState => ({ status: "catalog", flavors: ImmutableMap(), names: ImmutableMap() });

const withExtraSpecs = (state: FlavorCatalog, flavorId: string, change: (specs: Map<string, string>) => void): FlavorCatalog => {
  const flavor = state.flavors.get(flavorId);
  if (flavor === undefined) return state;
  const extraSpecs = new Map(flavor.extraSpecs);
  change(extraSpecs);
  return { ...state, flavors: state.flavors.set(flavorId, { ...flavor, extraSpecs }) };
};

/** Total and never throwing: an event about an unknown flavor changes nothing. */
export const evolve = (state: FlavorCatalogState, event: FlavorEvent): FlavorCatalogState => {
  switch (event.type) {
    case "FlavorCreated": {
      const { flavorId, name } = event.data;
      return { ...state, flavors: state.flavors.set(flavorId, { name, extraSpecs: new Map() }), names: state.names.set(name, flavorId) };
    }
    case "FlavorDeleted": {
      const { flavorId } = event.data;
      const flavor = state.flavors.get(flavorId);
      if (flavor === undefined) return state;
      const names = state.names.get(flavor.name) === flavorId ? state.names.delete(flavor.name) : state.names;
      return { ...state, flavors: state.flavors.delete(flavorId), names };
    }
    case "FlavorExtraSpecsSet":
      return withExtraSpecs(state, event.data.flavorId, (specs) => {
        for (const [key, value] of Object.entries(event.data.extraSpecs)) specs.set(key, value);
      });
    case "FlavorExtraSpecUnset":
      return withExtraSpecs(state, event.data.flavorId, (specs) => specs.delete(event.data.key));
    default: {
      const _unhandled: never = event;
      return state;
    }
  }
};
