/**
 * Why a user's key pairs refuse a command. The `_tag`s are published (the Nova gateway maps
 * KeypairNameTaken to 409, KeypairNotFound to 404, InvalidKeypair to 400); the messages follow
 * Nova's wording.
 */
import { reject, type Rejection } from "../../shared/index.ts";

export const keypairRejectionTags = ["KeypairNameTaken", "KeypairNotFound", "InvalidKeypair"] as const;

export type KeypairRejectionTag = (typeof keypairRejectionTags)[number];

export type KeypairRejection = Rejection<KeypairRejectionTag>;

export const keypairNameTaken = (name: string): KeypairRejection => reject("KeypairNameTaken", `Key pair '${name}' already exists.`);

export const keypairNotFound = (name: string, userId: string): KeypairRejection =>
  reject("KeypairNotFound", `Keypair ${name} not found for user ${userId}`);

export const invalidKeypair = (reason: string): KeypairRejection => reject("InvalidKeypair", `Keypair data is invalid: ${reason}`);
