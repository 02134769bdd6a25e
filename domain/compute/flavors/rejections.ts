/**
 * Why the flavor catalog refuses a command. The `_tag`s are published (the Nova gateway maps
 * FlavorNameTaken and FlavorIdTaken to 409, InvalidFlavor to 400, the not-found ones to 404);
 * the messages follow Nova's wording.
 */
import { reject, type Rejection } from "../../shared/index.ts";

export const flavorRejectionTags = [
  "FlavorNameTaken",
  "FlavorIdTaken",
  "InvalidFlavor",
  "FlavorNotFound",
  "FlavorExtraSpecNotFound",
] as const;

export type FlavorRejectionTag = (typeof flavorRejectionTags)[number];

export type FlavorRejection = Rejection<FlavorRejectionTag>;

export const flavorNameTaken = (name: string): FlavorRejection => reject("FlavorNameTaken", `Flavor with name ${name} already exists.`);

export const flavorIdTaken = (flavorId: string): FlavorRejection => reject("FlavorIdTaken", `Flavor with ID ${flavorId} already exists.`);

/** Nova's schema wording, naming the API's field (`ram`, `disk`, `OS-FLV-EXT-DATA:ephemeral`, `swap`, `vcpus`). */
export const invalidFlavor = (field: string, value: number, minimum: number): FlavorRejection =>
  reject("InvalidFlavor", `Invalid input for field/attribute ${field}. Value: ${value}. ${value} is less than the minimum of ${minimum}`);

export const flavorNotFound = (flavorId: string): FlavorRejection => reject("FlavorNotFound", `Flavor ${flavorId} could not be found.`);

export const flavorExtraSpecNotFound = (flavorId: string, key: string): FlavorRejection =>
  reject("FlavorExtraSpecNotFound", `Flavor ${flavorId} has no extra specs with key ${key}.`);
