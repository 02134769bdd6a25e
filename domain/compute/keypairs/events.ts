/**
 * The events of a user's key pairs, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto`. Event type names are published forever; a key pair's
 * `created_at` is its KeypairImported's time.
 */
import type { ImportKeypair, KeypairTarget } from "./commands.ts";

export type KeypairImported = ImportKeypair;

export type KeypairEvent =
  | { readonly type: "KeypairImported"; readonly data: KeypairImported }
  | { readonly type: "KeypairDeleted"; readonly data: KeypairTarget };

export type KeypairEventType = KeypairEvent["type"];

/** Every key pair event type: the filter of key pair read models and exhaustive specs. */
export const keypairEventTypes = ["KeypairImported", "KeypairDeleted"] as const satisfies ReadonlyArray<KeypairEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<KeypairEventType, (typeof keypairEventTypes)[number]> extends never ? true : never = true;
