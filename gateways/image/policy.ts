/**
 * Who may do what with images, as Glance's default policy has it: any member of a project may
 * create images owned by it; the owner's members (and admins) modify, upload to and delete them;
 * readers only read; only admins publicize an image or (de)activate one. Seeing an image at all is
 * Glance's visibility rule, answered by the read model; an image the caller cannot see is a 404,
 * one it can see but not change a 403 naming the action, in Glance's words.
 */
import { isImageVisible, type Image, type Viewer } from "@weft/projections/image";
import { HttpFault } from "../http/faults.ts";
import type { Caller } from "../identity/context.ts";

const isAdmin = (caller: Caller) => caller.roleNames.includes("admin");
const isMember = (caller: Caller) => caller.roleNames.includes("member");
const ownsImage = (caller: Caller, image: Pick<Image, "owner">) =>
  caller.actor.projectId !== "" && caller.actor.projectId === image.owner && isMember(caller);

type Rule = (caller: Caller, image: Pick<Image, "owner">) => boolean;

export const imagePolicy = {
  add_image: (caller) => isAdmin(caller) || (isMember(caller) && caller.actor.projectId !== ""),
  modify_image: (caller, image) => isAdmin(caller) || ownsImage(caller, image),
  upload_image: (caller, image) => isAdmin(caller) || ownsImage(caller, image),
  delete_image: (caller, image) => isAdmin(caller) || ownsImage(caller, image),
  publicize_image: isAdmin,
  deactivate: isAdmin,
  reactivate: isAdmin,
} satisfies Record<string, Rule>;

export type ImageAction = keyof typeof imagePolicy;

export const enforceImage = (caller: Caller, action: ImageAction, image: Pick<Image, "owner"> = { owner: "" }): void => {
  if (!imagePolicy[action](caller, image)) throw new HttpFault(403, `You are not authorized to complete ${action} action.`);
};

/** Whose images the caller sees: every image for an admin, else its project's and public ones. */
export const viewerOf = (caller: Caller): Viewer => (isAdmin(caller) ? "admin" : caller.actor.projectId);

export const callerIsAdmin = isAdmin;

/** The image if the caller may see it; else Glance's 404, which does not tell "exists" from "hidden". */
export const visibleImage = (image: Image | undefined, caller: Caller, imageId: string): Image => {
  if (image === undefined || !isImageVisible(image, viewerOf(caller))) throw new HttpFault(404, `No image found with ID ${imageId}`);
  return image;
};
