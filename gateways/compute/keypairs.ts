/**
 * `/v2.1/os-keypairs`: the calling user's key pairs. Import validates the OpenSSH public key (or
 * X.509 certificate) and computes Nova's fingerprint here, at the edge; create without a key
 * generates an RSA 2048 pair, answers the private key once and records only the public key.
 * Key pairs count against the user's `key_pairs` quota.
 */
import { X509Certificate, createHash } from "node:crypto";
import { Hono } from "hono";
import { keypairTypes, type KeypairType } from "@weft/domain/compute";
import { getKeypair, listKeypairs, quotaOf } from "@weft/projections/compute";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { literal, object, optional, parseBody, string } from "../http/validate.ts";
import { runComputeCommand } from "./commandRunner.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { atLeast } from "./microversions.ts";
import { enforceCompute } from "./policy.ts";
import { generateRsaKeypair, sshFingerprint } from "./sshKeys.ts";
import { keypairSummary, keypairView } from "./views.ts";

const createSchema = (withType: boolean) =>
  object({
    keypair: object({
      name: string({ min: 1, max: 255, trimmed: true }),
      public_key: optional(string({ max: 65535 })),
      ...(withType ? { type: optional(literal(...keypairTypes)) } : {}),
    }),
  });

const invalid = (reason: string) => new HttpFault(400, `Keypair data is invalid: ${reason}`);

// Nova's `_validate_new_key_pair` before 2.92: letters, digits, '-', '_' and spaces.
const SAFE_NAME = /^[A-Za-z0-9_\- ]+$/;

const x509Fingerprint = (pem: string): string | undefined => {
  try {
    const der = new X509Certificate(pem).raw;
    return createHash("sha1").update(der).digest("hex").match(/../g)!.join(":");
  } catch {
    return undefined;
  }
};

export const keypairRoutes = (deps: ComputeDeps) =>
  new Hono<ComputeEnv>()
    .get("/", (c) => {
      const caller = c.get("caller");
      enforceCompute(caller, "os_compute_api:os-keypairs:index");
      const version = c.get("microversion");
      return c.json({ keypairs: listKeypairs(deps.compute(), caller.actor.userId).map((keypair) => keypairSummary(version, keypair)) });
    })
    .post("/", async (c) => {
      const caller = c.get("caller");
      enforceCompute(caller, "os_compute_api:os-keypairs:create");
      const version = c.get("microversion");
      const { keypair } = parseBody(createSchema(atLeast(version, 2)), await readJsonObject(c));
      const type: KeypairType = (keypair as { type?: KeypairType | undefined }).type ?? "ssh";
      if (!SAFE_NAME.test(keypair.name)) throw invalid("Keypair name contains unsafe characters");
      const { limits, inUse } = quotaOf(deps.compute(), caller.actor.projectId, caller.actor.userId);
      if (limits.keyPairs >= 0 && inUse.keyPairs + 1 > limits.keyPairs) throw new HttpFault(403, "Quota exceeded, too many key pairs.");

      let publicKey: string;
      let fingerprint: string;
      let privateKey: string | undefined;
      if (keypair.public_key === undefined) {
        if (type !== "ssh") throw invalid("generating x509 key pairs is not supported; import a certificate instead");
        const generated = generateRsaKeypair();
        ({ publicKey, fingerprint, privateKey } = generated);
      } else {
        publicKey = keypair.public_key;
        const computed = type === "ssh" ? sshFingerprint(publicKey) : x509Fingerprint(publicKey);
        if (computed === undefined) throw invalid("failed to generate fingerprint");
        fingerprint = computed;
      }
      await runComputeCommand(deps, c, { type: "ImportKeypair", data: { userId: caller.actor.userId, name: keypair.name, type, publicKey, fingerprint } });
      const body = {
        keypair: {
          name: keypair.name,
          public_key: publicKey,
          fingerprint,
          user_id: caller.actor.userId,
          ...(atLeast(version, 2) ? { type } : {}),
          ...(privateKey === undefined ? {} : { private_key: privateKey }),
        },
      };
      return c.json(body, atLeast(version, 2) ? 201 : 200);
    })
    .get("/:name", (c) => {
      const caller = c.get("caller");
      enforceCompute(caller, "os_compute_api:os-keypairs:show");
      const name = c.req.param("name");
      const keypair = getKeypair(deps.compute(), caller.actor.userId, name);
      if (keypair === undefined) throw new HttpFault(404, `Keypair ${name} not found for user ${caller.actor.userId}`);
      return c.json(keypairView(c.get("microversion"), keypair));
    })
    .delete("/:name", async (c) => {
      const caller = c.get("caller");
      enforceCompute(caller, "os_compute_api:os-keypairs:delete");
      await runComputeCommand(deps, c, { type: "DeleteKeypair", data: { userId: caller.actor.userId, name: c.req.param("name") } });
      return c.body(null, atLeast(c.get("microversion"), 2) ? 204 : 202);
    });
