/**
 * `POST /servers`: validate the request as Nova's schema does, resolve its references (flavor,
 * Glance image, key pair, server group) against the read models, then run the create saga of
 * docs/compute-design.md for each server asked for: reserve on the project's quota, request the
 * build, and give the reservation back if the build is refused. Nothing is booted here: the
 * scheduler and the host's agent take it from the recorded ServerBuildRequested.
 *
 * An `Idempotency-Key` header makes the server ids and command ids derive from the key, so a
 * retried request (a timeout, a lost response) finds the commands already applied and answers
 * with the same servers instead of creating more.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Context } from "hono";
import { dashedUuidOf, imageFlavorMismatch, type FlavorSnapshot, type ImageRef, type RequestServerBuild } from "@weft/domain/compute";
import { getFlavor, getKeypair, getServerGroup, quotaOf, type Flavor } from "@weft/projections/compute";
import { getImage, isImageVisible } from "@weft/projections/image";
import { rejectionFault } from "../http/commands.ts";
import { readJsonObject } from "../http/body.ts";
import { HttpFault } from "../http/faults.ts";
import { arrayOf, literal, nullable, object, optional, parseBody, string, type Field } from "../http/validate.ts";
import type { Caller } from "../identity/context.ts";
import { sendComputeCommand } from "./commandRunner.ts";
import type { ComputeDeps, ComputeEnv } from "./context.ts";
import { computeRejectionStatus } from "./faults.ts";
import { callerIsAdmin } from "./policy.ts";

/** Nova's default `max_count` ceiling is the quota; this bounds one request's work. */
const MAX_COUNT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalidInput = (path: string, value: unknown, reason: string) =>
  new HttpFault(400, `Invalid input for field/attribute ${path}. Value: ${JSON.stringify(value)}. ${reason}`);

/** Nova's `positive_integer`: a JSON integer or a string of digits, at least 1. */
const count: Field<number> = {
  optional: false,
  parse: (value, path) => {
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n)) throw invalidInput(path, value, `${JSON.stringify(value)} is not of type 'integer', 'string'`);
    if (n < 1) throw invalidInput(path, value, `${n} is less than the minimum of 1`);
    return n;
  },
};

/** A flavor or image reference: an id, or a link whose last segment is the id. */
const reference: Field<string> = {
  optional: false,
  parse: (value, path) => {
    const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
    if (typeof text !== "string" || text.length > 255) throw invalidInput(path, value, `${JSON.stringify(value)} is not of type 'string', 'integer'`);
    return text.slice(text.lastIndexOf("/") + 1);
  },
};

/** Nova's metadata: string keys of 1–255 characters, string values of at most 255. */
export const metadataField: Field<Record<string, string>> = {
  optional: false,
  parse: (value, path) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidInput(path, value, `${JSON.stringify(value)} is not of type 'object'`);
    const items: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.length < 1 || key.length > 255) throw invalidInput(path, key, "Metadata keys must be 1 to 255 characters long");
      if (typeof item !== "string") throw invalidInput(`${path}/${key}`, item, `${JSON.stringify(item)} is not of type 'string'`);
      if (item.length > 255) throw invalidInput(`${path}/${key}`, item, "Value is too long (maximum 255)");
      items[key] = item;
    }
    return items;
  },
};

/**
 * `networks`: "none" and "auto" (2.37), or a list. This cloud has no network service yet, so
 * "auto" allocates nothing (as "none"), and a list naming a network finds none.
 */
const networks: Field<"none"> = {
  optional: false,
  parse: (value, path) => {
    if (value === "none" || value === "auto") return "none";
    if (!Array.isArray(value)) throw invalidInput(path, value, `${JSON.stringify(value)} is not one of ['none', 'auto'] or of type 'array'`);
    const [first] = value as ReadonlyArray<{ uuid?: unknown; port?: unknown }>;
    if (first === undefined) return "none";
    if (typeof first === "object" && first !== null && typeof first.port === "string") throw new HttpFault(400, `Port ${first.port} could not be found.`);
    const id = typeof first === "object" && first !== null ? first.uuid : first;
    throw new HttpFault(400, `Network ${String(id)} could not be found.`);
  },
};

const securityGroup = object({ name: string({ min: 1, max: 255 }) });

const hints = object({ group: optional(string({ min: 1, max: 255 })) }, { allowUnknown: true });

const createSchema = object({
  server: object({
    name: string({ min: 1, max: 255, trimmed: true }),
    imageRef: reference,
    flavorRef: reference,
    key_name: optional(nullable(string({ min: 1, max: 255 }))),
    min_count: optional(count),
    max_count: optional(count),
    networks: optional(networks),
    availability_zone: optional(string({ min: 1, max: 255 })),
    metadata: optional(metadataField),
    security_groups: optional(arrayOf(securityGroup)),
    adminPass: optional(string({ max: 255 })),
    "OS-DCF:diskConfig": optional(literal("AUTO", "MANUAL")),
    return_reservation_id: optional(literal<boolean | string>(true, false, "True", "False", "true", "false")),
  }),
  "os:scheduler_hints": optional(hints),
  "OS-SCH-HNT:scheduler_hints": optional(hints),
});

type CreateRequest = ReturnType<(typeof createSchema)["parse"]>;

/** A uuid named by `text`: the same text gives the same id (RFC 4122 version 5 layout, sha-1). */
const nameBasedUuid = (text: string): string => {
  const bytes = createHash("sha1").update(`weft:server:${text}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return dashedUuidOf(bytes.toString("hex"));
};

const idempotencyKeyOf = (c: Context<ComputeEnv>): string | undefined => {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new HttpFault(400, "Idempotency-Key must be 1 to 255 printable characters without spaces.");
  return key;
};

const flavorFor = (deps: ComputeDeps, caller: Caller, ref: string): FlavorSnapshot => {
  const flavor: Flavor | undefined = getFlavor(deps.compute(), ref);
  if (flavor === undefined || (!flavor.isPublic && !callerIsAdmin(caller))) throw new HttpFault(400, `Flavor ${ref} could not be found.`);
  return {
    flavorId: flavor.id, name: flavor.name, vcpus: flavor.vcpus, ramMb: flavor.ramMb, diskGb: flavor.diskGb,
    ephemeralGb: flavor.ephemeralGb, swapMb: flavor.swapMb, extraSpecs: { ...flavor.extraSpecs },
  };
};

const imageFor = (deps: ComputeDeps, caller: Caller, ref: string): ImageRef => {
  if (ref === "") throw new HttpFault(400, "Booting from a volume is not supported yet: imageRef must name an image.");
  const image = UUID.test(ref) ? getImage(deps.images(), ref) : undefined;
  const viewer = callerIsAdmin(caller) ? "admin" : caller.actor.projectId;
  if (image === undefined || image.status === "deleted" || !isImageVisible(image, viewer)) throw new HttpFault(400, `Image ${ref} could not be found.`);
  if (image.status !== "active") throw new HttpFault(400, `Image ${ref} is not active.`);
  return { imageId: image.id, name: image.name, minDiskGb: image.minDisk, minRamMb: image.minRam };
};

const serverGroupFor = (deps: ComputeDeps, caller: Caller, request: CreateRequest): string => {
  const groupId = request["os:scheduler_hints"]?.group ?? request["OS-SCH-HNT:scheduler_hints"]?.group;
  if (groupId === undefined) return "";
  const group = getServerGroup(deps.compute(), groupId);
  if (group === undefined || (!callerIsAdmin(caller) && group.projectId !== caller.actor.projectId)) {
    throw new HttpFault(400, `Instance group ${groupId} could not be found.`);
  }
  const { limits } = quotaOf(deps.compute(), caller.actor.projectId);
  if (limits.serverGroupMembers >= 0 && group.members.length + 1 > limits.serverGroupMembers) {
    throw new HttpFault(403, "Quota exceeded, too many servers in group");
  }
  return group.id;
};

const truthy = (value: unknown) => value === true || value === "True" || value === "true";

export interface CreatedServers {
  readonly serverIds: ReadonlyArray<string>;
  readonly adminPass: string;
  readonly reservationId: string;
  readonly returnReservationId: boolean;
}

export const createServers = async (deps: ComputeDeps, c: Context<ComputeEnv>): Promise<CreatedServers> => {
  const caller = c.get("caller");
  const key = idempotencyKeyOf(c);
  const request = parseBody(createSchema, await readJsonObject(c));
  const { server } = request;
  const minCount = server.min_count ?? 1;
  const maxCount = server.max_count ?? minCount;
  if (minCount > maxCount) throw new HttpFault(400, "min_count must be <= max_count");
  if (maxCount > MAX_COUNT) throw new HttpFault(400, `max_count must be at most ${MAX_COUNT} in one request.`);
  const unknownGroup = server.security_groups?.find((group) => group.name !== "default");
  if (unknownGroup !== undefined) throw new HttpFault(400, `Security group ${unknownGroup.name} not found.`);

  const { projectId, userId } = caller.actor;
  const flavor = flavorFor(deps, caller, server.flavorRef);
  const image = imageFor(deps, caller, server.imageRef);
  const keypair = server.key_name === undefined ? undefined : getKeypair(deps.compute(), userId, server.key_name);
  if (server.key_name !== undefined && keypair === undefined) throw new HttpFault(400, "Invalid key_name provided.");
  const metadata = server.metadata ?? {};
  const { limits } = quotaOf(deps.compute(), projectId);
  if (limits.metadataItems >= 0 && Object.keys(metadata).length > limits.metadataItems) {
    throw new HttpFault(403, `Quota exceeded for metadata_items: Maximum number of metadata items is ${limits.metadataItems}`);
  }
  const mismatch = imageFlavorMismatch(flavor, image);
  if (mismatch !== undefined) throw new HttpFault(computeRejectionStatus[mismatch._tag], mismatch.message);
  const serverGroupId = serverGroupFor(deps, caller, request);

  const base = key === undefined ? undefined : nameBasedUuid(`${projectId}/${userId}/${key}`);
  const idOf = (index: number) => (base === undefined ? deps.newId() : index === 0 ? base : nameBasedUuid(`${base}/${index}`));
  // Derived from the server id, so re-sending a step (a retry here, or a client retrying with the
  // same Idempotency-Key) applies it at most once.
  const commandIdOf = (serverId: string, step: string) => `${serverId}:${step}`;
  const requestedAt = new Date(deps.now()).toISOString();

  const created: Array<string> = [];
  const release = (serverId: string) =>
    sendComputeCommand(deps, c, { type: "ReleaseServerResources", data: { projectId, serverId } }, commandIdOf(serverId, "release"));
  const releaseAll = () => Promise.all(created.map(release));

  for (let index = 0; index < maxCount; index++) {
    const serverId = idOf(index);
    const reserved = await sendComputeCommand(
      deps, c,
      { type: "ReserveServerResources", data: { projectId, serverId, instances: 1, cores: flavor.vcpus, ramMb: flavor.ramMb } },
      commandIdOf(serverId, "reserve"),
    );
    if (reserved.kind === "rejected") {
      // Nova builds as many as fit between min_count and max_count, and none below min_count.
      if (created.length >= minCount) break;
      await releaseAll();
      throw rejectionFault(computeRejectionStatus, reserved);
    }
    const build: RequestServerBuild = {
      serverId, projectId, userId,
      name: maxCount > 1 ? `${server.name}-${index + 1}` : server.name,
      flavor, image,
      keyName: keypair?.name ?? "",
      keyPublicKey: keypair?.publicKey ?? "",
      serverGroupId,
      availabilityZone: server.availability_zone ?? "",
      metadata,
      requestedAt,
    };
    const requestBuild = () => sendComputeCommand(deps, c, { type: "RequestServerBuild", data: build }, commandIdOf(serverId, "build"));
    // Once more on a 503: whether the first try was applied is unknown, and the same command id
    // makes the second answer tell. A second 503 keeps the reservation rather than risk giving
    // back what a recorded build holds (quota errs on the side of counting).
    const built = await requestBuild().catch(requestBuild);
    if (built.kind === "rejected") {
      await release(serverId);
      await releaseAll();
      throw rejectionFault(computeRejectionStatus, built);
    }
    created.push(serverId);
  }
  return {
    serverIds: created,
    adminPass: server.adminPass ?? randomBytes(9).toString("base64url"),
    reservationId: `r-${(created[0] ?? "").slice(0, 8)}`,
    returnReservationId: truthy(server.return_reservation_id),
  };
};
