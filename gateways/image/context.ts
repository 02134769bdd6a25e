/**
 * What the image routes are given (the composition root builds it): the image read model, the
 * command sender, where image bytes live and how large they may be, and what `requireToken` needs
 * to authenticate callers against the identity read model.
 */
import type { ImageDocument } from "@weft/projections/image";
import type { CommandSender } from "../http/commands.ts";
import type { IdentityDeps } from "../identity/context.ts";

export type { IdentityEnv as ImageEnv } from "../identity/context.ts";

export interface ImageDeps extends Pick<IdentityDeps, "publicUrl" | "directory" | "tokens" | "now" | "newId"> {
  readonly images: () => ImageDocument;
  readonly commands: CommandSender;
  /** The cloud's data dir: bytes live in `<dataDir>/images/`, and image locations are relative to it. */
  readonly dataDir: string;
  /** The largest image upload accepted, in bytes (Glance's `image_size_cap`). */
  readonly sizeCap: number;
}

/** Glance's default `image_size_cap`: 1 TiB. */
export const DEFAULT_IMAGE_SIZE_CAP = 1024 ** 4;
