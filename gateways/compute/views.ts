/**
 * Flavors and key pairs as Nova returns them, field for field, by microversion: a flavor's
 * `description` from 2.55, its `extra_specs` from 2.61, `swap` as "" when 0 before 2.75; a key
 * pair's `type` from 2.2. Links are Nova's: `self` under the versioned endpoint, `bookmark`
 * without the version.
 */
import type { Flavor, Keypair } from "@weft/projections/compute";
import { atLeast, type Microversion } from "./microversions.ts";

const flavorLinks = (publicUrl: string, id: string) => [
  { rel: "self", href: `${publicUrl}/compute/v2.1/flavors/${encodeURIComponent(id)}` },
  { rel: "bookmark", href: `${publicUrl}/compute/flavors/${encodeURIComponent(id)}` },
];

export const flavorSummary = (publicUrl: string, version: Microversion, flavor: Flavor) => ({
  id: flavor.id,
  name: flavor.name,
  ...(atLeast(version, 55) ? { description: flavor.description === "" ? null : flavor.description } : {}),
  links: flavorLinks(publicUrl, flavor.id),
});

export const flavorView = (publicUrl: string, version: Microversion, flavor: Flavor) => ({
  id: flavor.id,
  name: flavor.name,
  ram: flavor.ramMb,
  disk: flavor.diskGb,
  vcpus: flavor.vcpus,
  swap: flavor.swapMb === 0 && !atLeast(version, 75) ? "" : flavor.swapMb,
  "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeralGb,
  "OS-FLV-DISABLED:disabled": false,
  "os-flavor-access:is_public": flavor.isPublic,
  rxtx_factor: 1.0,
  ...(atLeast(version, 55) ? { description: flavor.description === "" ? null : flavor.description } : {}),
  ...(atLeast(version, 61) ? { extra_specs: flavor.extraSpecs } : {}),
  links: flavorLinks(publicUrl, flavor.id),
});

/** One entry of `GET /os-keypairs`. */
export const keypairSummary = (version: Microversion, keypair: Keypair) => ({
  keypair: {
    name: keypair.name,
    public_key: keypair.publicKey,
    fingerprint: keypair.fingerprint,
    ...(atLeast(version, 2) ? { type: keypair.type } : {}),
  },
});

/** `GET /os-keypairs/{name}`. */
export const keypairView = (version: Microversion, keypair: Keypair) => ({
  keypair: {
    name: keypair.name,
    public_key: keypair.publicKey,
    fingerprint: keypair.fingerprint,
    user_id: keypair.userId,
    ...(atLeast(version, 2) ? { type: keypair.type } : {}),
    created_at: keypair.createdAt.replace(/Z$/, ""),
    deleted: false,
    deleted_at: null,
    updated_at: null,
  },
});
