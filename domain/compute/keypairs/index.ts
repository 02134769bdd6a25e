/**
 * A user's key pairs (`keypairs-<userId as uuid>`): one aggregate per user, since key pair
 * names are unique per user.
 */
import type { Decider } from "../../shared/index.ts";
import type { KeypairCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import type { KeypairEvent } from "./events.ts";
import type { KeypairRejection } from "./rejections.ts";
import { evolve, initialState, keypairsStream, type KeypairsState } from "./state.ts";

export * from "./commands.ts";
export * from "./events.ts";
export * from "./rejections.ts";
export { keypairsStream, type KeypairsState, type UserKeypairs } from "./state.ts";

export const keypairsDecider: Decider<KeypairCommand, KeypairEvent, KeypairsState, KeypairRejection> = { initialState, evolve, decide };

/** The stream a key pair command is decided against. */
export const keypairsStreamFor = (command: KeypairCommand): string => keypairsStream(command.data.userId);
