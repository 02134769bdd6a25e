/**
 * What the Nova routes are given (the composition root builds it): the compute read model, the
 * command sender, and what `requireToken` needs to authenticate callers against the identity
 * read model. The hono environment adds the microversion the request negotiated.
 */
import type { ComputeDocument } from "@weft/projections/compute";
import type { PlacementDocument } from "@weft/projections/placement";
import type { ImageDocument } from "@weft/projections/image";
import type { CommandSender } from "../http/commands.ts";
import type { IdentityDeps, IdentityEnv } from "../identity/context.ts";
import type { HostLiveness } from "./hosts.ts";
import type { Microversion } from "./microversions.ts";

export interface ComputeDeps extends Pick<IdentityDeps, "publicUrl" | "directory" | "tokens" | "now" | "newId"> {
  readonly compute: () => ComputeDocument;
  /** Servers boot from Glance images: create resolves `imageRef` here. */
  readonly images: () => ImageDocument;
  readonly commands: CommandSender;
  /** Compute hosts, their capacity and zones: `os-services`, `os-hypervisors`, `os-availability-zone`. */
  readonly placement: () => PlacementDocument;
  readonly hostLiveness: HostLiveness;
}

export interface ComputeEnv {
  Variables: IdentityEnv["Variables"] & { microversion: Microversion };
}
