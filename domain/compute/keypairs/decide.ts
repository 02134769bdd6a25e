/**
 * What a user's key pairs decide: names unique per user, deletes only of what exists. The key
 * itself was validated at the gateway; only its type is checked here, as it picks a code path.
 */
import { assertNever, type Decision } from "../../shared/index.ts";
import { keypairTypes, type ImportKeypair, type KeypairCommand, type KeypairTarget } from "./commands.ts";
import type { KeypairEvent } from "./events.ts";
import { invalidKeypair, keypairNameTaken, keypairNotFound, type KeypairRejection } from "./rejections.ts";
import type { KeypairsState } from "./state.ts";

type KeypairDecision = Decision<KeypairEvent, KeypairRejection>;

const importKeypair = (c: ImportKeypair, state: KeypairsState): KeypairDecision => {
  // The wire carries any string; the TypeScript type only says what it should be.
  if (!(keypairTypes as ReadonlyArray<string>).includes(c.type)) return invalidKeypair(`unknown key pair type ${c.type}`);
  if (state.names.has(c.name)) return keypairNameTaken(c.name);
  return [{ type: "KeypairImported", data: { userId: c.userId, name: c.name, type: c.type, publicKey: c.publicKey, fingerprint: c.fingerprint } }];
};

const deleteKeypair = ({ userId, name }: KeypairTarget, state: KeypairsState): KeypairDecision =>
  state.names.has(name) ? [{ type: "KeypairDeleted", data: { userId, name } }] : keypairNotFound(name, userId);

export const decide = (command: KeypairCommand, state: KeypairsState): KeypairDecision => {
  switch (command.type) {
    case "ImportKeypair":
      return importKeypair(command.data, state);
    case "DeleteKeypair":
      return deleteKeypair(command.data, state);
    default:
      return assertNever(command);
  }
};
