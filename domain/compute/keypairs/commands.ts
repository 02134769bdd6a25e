/**
 * The commands on one user's key pairs, as TypeScript mirrors of the messages in
 * `proto/weft/compute/v1/compute.proto` (`../wire.unit.spec.ts` keeps the two identical). The
 * gateway validates the key and computes its fingerprint; for a create without a key it
 * generates the pair, hands the private key to the user once and sends only the public key.
 * The key pair quota is enforced by the gateway from the quota read model.
 */

export type KeypairType = "ssh" | "x509";

export const keypairTypes = ["ssh", "x509"] as const satisfies ReadonlyArray<KeypairType>;

export interface ImportKeypair {
  readonly userId: string;
  readonly name: string;
  readonly type: KeypairType;
  readonly publicKey: string;
  readonly fingerprint: string;
}

export interface KeypairTarget {
  readonly userId: string;
  readonly name: string;
}

export type KeypairCommand =
  | { readonly type: "ImportKeypair"; readonly data: ImportKeypair }
  | { readonly type: "DeleteKeypair"; readonly data: KeypairTarget };

export type KeypairCommandType = KeypairCommand["type"];

/** Every key pair command type, for routing and exhaustive specs. */
export const keypairCommandTypes = ["ImportKeypair", "DeleteKeypair"] as const satisfies ReadonlyArray<KeypairCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<KeypairCommandType, (typeof keypairCommandTypes)[number]> extends never ? true : never = true;
