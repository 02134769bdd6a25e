/**
 * `weft show <resource> <id> [--as-of <ISO time | position>] [--user USER_ID]`: one resource as
 * it was at a time, in the body the API shows for it (compute at its newest microversion, as an
 * admin sees it). It replays only the read model that holds the resource, up to the time, then
 * reads it with the read model's own queries. A resource is found by id, or by name when the
 * name is unique; a key pair by name, narrowed by `--user` when several users have one of that
 * name. Its private key was never recorded, so only the public part shows.
 */
import { Effect } from "effect";
import { views } from "@weft/gateways";
import { EventStore } from "@weft/infra/eventStore";
import { readModelNamed, replay, type ReplayBound } from "@weft/infra/replay";
import { findFlavorByName, getFlavor, getServer, type ComputeDocument, type Keypair, type Server } from "@weft/projections/compute";
import { getProject, getUser, type IdentityDocument } from "@weft/projections/identity";
import { getImage, type ImageDocument } from "@weft/projections/image";
import { UsageError } from "./agent.ts";
import { weftConfig } from "./config.ts";
import { CheckFailed, logLayer, parseArguments, parseBound } from "./replay.ts";

export const showUsage = "weft show <server|flavor|keypair|image|project|user> <id or name> [--as-of <ISO time | position>] [--user USER_ID]";

interface Shown {
  readonly body: unknown;
}

type Lookup = (doc: never, key: string, context: { readonly publicUrl: string; readonly user: string | undefined }) => Shown | string;

/** The single match of `matches`, or why there is none. */
const single = <T>(kind: string, key: string, matches: ReadonlyArray<T>, describe: (item: T) => string): T | string => {
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) return `no ${kind} ${key}`;
  return `${matches.length} ${kind}s are named ${key} (${matches.map(describe).join(", ")}): give the id`;
};

const computeVersion = { major: 2 as const, minor: Number(views.MAX_COMPUTE_VERSION.split(".")[1]) };

const lookups: Record<string, { readonly model: string; readonly find: Lookup }> = {
  server: {
    model: "compute",
    find: (doc: ComputeDocument, key, { publicUrl }) => {
      const byId = getServer(doc, key);
      const server = byId ?? single("server", key, doc.servers.byId.valueSeq().filter((candidate) => candidate.name === key && !candidate.deleted).toArray(), (found: Server) => found.id);
      if (typeof server === "string") return server;
      if (server.deleted) return `server ${key} was deleted by then (${server.terminatedAt ?? server.updated})`;
      return { body: { server: views.serverDetail({ publicUrl, version: computeVersion, isAdmin: true }, server) } };
    },
  },
  flavor: {
    model: "compute",
    find: (doc: ComputeDocument, key, { publicUrl }) => {
      const flavor = getFlavor(doc, key) ?? findFlavorByName(doc, key);
      return flavor === undefined ? `no flavor ${key}` : { body: { flavor: views.flavorView(publicUrl, computeVersion, flavor) } };
    },
  },
  keypair: {
    model: "compute",
    find: (doc: ComputeDocument, key, { user }) => {
      const held = doc.keypairs.valueSeq().flatMap((keypairs) => keypairs.valueSeq()).filter((keypair) => keypair.name === key && (user === undefined || keypair.userId === user));
      const keypair = single("key pair", key, held.toArray(), (found: Keypair) => `user ${found.userId}`);
      return typeof keypair === "string" ? `${keypair}${user === undefined ? "" : ` of user ${user}`}` : { body: views.keypairView(computeVersion, keypair) };
    },
  },
  image: {
    model: "image",
    find: (doc: ImageDocument, key) => {
      const image = getImage(doc, key) ?? single("image", key, doc.images.keySeq().map((id) => getImage(doc, id)!).filter((found) => found.name === key).toArray(), (found) => found.id);
      return typeof image === "string" ? image : { body: views.imageView(image) };
    },
  },
  project: {
    model: "identity",
    find: (doc: IdentityDocument, key, { publicUrl }) => {
      const project = getProject(doc, key) ?? single("project", key, doc.projects.valueSeq().filter((found) => found.name === key).toArray(), (found) => found.id);
      return typeof project === "string" ? project : { body: { project: views.projectView(publicUrl, project) } };
    },
  },
  user: {
    model: "identity",
    find: (doc: IdentityDocument, key, { publicUrl }) => {
      const user = getUser(doc, key) ?? single("user", key, doc.users.valueSeq().filter((found) => found.name === key).toArray(), (found) => found.id);
      return typeof user === "string" ? user : { body: { user: views.userView(publicUrl, user) } };
    },
  },
};

const describeBound = (bound: ReplayBound) => (bound.kind === "head" ? "now" : bound.kind === "position" ? `position ${bound.position}` : bound.time);

export const show = Effect.gen(function* () {
  const { values, positionals } = yield* parseArguments(process.argv.slice(3), { "as-of": { type: "string" }, user: { type: "string" } });
  const [kind, key, ...rest] = positionals;
  if (kind === undefined || key === undefined) return yield* new UsageError({ message: "give a resource kind and its id" });
  if (rest.length > 0) return yield* new UsageError({ message: `unexpected argument "${rest[0]}"` });
  const lookup = lookups[kind];
  if (lookup === undefined) return yield* new UsageError({ message: `unknown resource kind "${kind}": one of ${Object.keys(lookups).join(", ")}` });
  const bound = yield* parseBound("--as-of", values["as-of"]);
  const config = yield* weftConfig;
  const publicUrl = config.publicUrl ?? `http://${config.httpHost}:${config.httpPort}`;
  yield* Effect.gen(function* () {
    const store = yield* EventStore;
    const result = yield* replay(store, [{ model: readModelNamed(lookup.model)! }], bound);
    const found = lookup.find(result.models[0]!.doc as never, key, { publicUrl, user: values.user });
    if (typeof found === "string") return yield* new CheckFailed({ message: `${found} at ${describeBound(bound)} (log position ${result.position})` });
    console.log(JSON.stringify(found.body, null, 2));
  }).pipe(Effect.provide(logLayer(config)));
});
