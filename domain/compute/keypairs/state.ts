/**
 * One user's key pairs as `decide` needs them: the names in use. A user holds a handful (the
 * quota default is 100), so a plain copy-on-write set is enough.
 */
import { uuidOf } from "../ids.ts";
import type { KeypairEvent } from "./events.ts";

/** Keystone user ids have no dashes; the stream names them in uuid form. */
export const keypairsStream = (userId: string): string => `keypairs-${uuidOf(userId)}`;

export interface UserKeypairs {
  readonly status: "keypairs";
  readonly names: ReadonlySet<string>;
}

export type KeypairsState = UserKeypairs;

export const initialState = (): KeypairsState => ({ status: "keypairs", names: new Set() });

/** Total and never throwing. */
export const evolve = (state: KeypairsState, event: KeypairEvent): KeypairsState => {
  switch (event.type) {
    case "KeypairImported":
      return { ...state, names: new Set(state.names).add(event.data.name) };
    case "KeypairDeleted": {
      const names = new Set(state.names);
      names.delete(event.data.name);
      return { ...state, names };
    }
    default: {
      const _unhandled: never = event;
      return state;
    }
  }
};
