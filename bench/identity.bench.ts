/**
 * Identity bench. (a) Token validation in-process: a directory of 1,000 users, projects and
 * role assignments folded from the events the real decider decides, 1,000 project-scoped tokens,
 * and `resolveCaller` (open the AES-GCM seal, check the claims against the read model) timed
 * over 200,000 calls. (b) Token issue with the default scrypt cost: the KDF alone (hash and
 * verify), then `POST /identity/v3/auth/tokens` through the gateway app in-process on a real
 * control plane (`startTestCloud`: nats-server, sqlite, command handlers) for a user whose hash
 * has the default cost, and the same request for the test cloud's cheap-cost admin, whose
 * difference from a cheap verify is what issuing costs besides the KDF.
 * Run from the repository root: `node_modules/.bin/node bench/identity.bench.ts`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Context, Effect, Layer } from "effect";
import { identityDecider, type IdentityCommand, type IdentityEvent, type IdentityState } from "@weft/domain/identity";
import { isRejection } from "@weft/domain/shared";
import { evolveIdentity, findRoleByName, identityProjection, type IdentityDocument } from "@weft/projections/identity";
import { CommandBus, Nats, natsCommandBusLayer } from "@weft/infra/bus";
import { startNatsServer } from "@weft/infra/nats";
import { identityEnvelope } from "@weft/infra/testing";
import { resolveCaller } from "../gateways/identity/callers.ts";
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword, type ScryptCost } from "../gateways/identity/passwords.ts";
import { makeTokenSealer, newAuditId, type TokenSealer } from "../gateways/identity/tokens.ts";
import { ADMIN_PASSWORD, startTestCloud, testScryptCost, type TestCloud } from "../gateways/testing/testCloud.ts";
import { report, Samples, timed } from "./stats.ts";

const DIRECTORY_SIZE = 1_000;
const VALIDATE_WARMUP = 20_000;
const VALIDATE_CALLS = 200_000;
const KDF_RUNS = 9;
const ISSUE_RUNS = 9;
const CHEAP_RUNS = 300;

const costName = (cost: ScryptCost) => `scrypt N=2^${cost.logN},r=${cost.r},p=${cost.p}`;

/** Decides `commands` in order against the real decider and folds the events into the read model. */
const buildDirectory = (commands: ReadonlyArray<IdentityCommand>): IdentityDocument => {
  let state: IdentityState = identityDecider.initialState();
  let doc = identityProjection.initial();
  let position = 0;
  const occurredAt = new Date().toISOString();
  for (const command of commands) {
    const decision = identityDecider.decide(command, state);
    if (isRejection(decision)) throw new Error(`${command.type} rejected: ${decision.message}`);
    for (const event of decision as ReadonlyArray<IdentityEvent>) {
      state = identityDecider.evolve(state, event);
      doc = evolveIdentity(doc, { event, stream: "identity", position: ++position, occurredAt });
    }
  }
  return doc;
};

const hex = () => randomUUID().replaceAll("-", "");

const validation = () => {
  const roles = { admin: hex(), member: hex(), reader: hex() };
  const users = Array.from({ length: DIRECTORY_SIZE }, hex);
  const projects = Array.from({ length: DIRECTORY_SIZE }, hex);
  const commands: Array<IdentityCommand> = [
    {
      type: "BootstrapIdentity",
      data: {
        domainId: "default", domainName: "Default", adminProjectId: hex(), adminProjectName: "admin", adminUserId: hex(),
        adminUserName: "admin", adminPasswordHash: "", adminRoleId: roles.admin, memberRoleId: roles.member, readerRoleId: roles.reader,
      },
    },
    ...projects.map((projectId, i): IdentityCommand => ({
      type: "CreateProject",
      data: { projectId, domainId: "default", name: `project-${i}`, description: "", enabled: true, tags: [] },
    })),
    ...users.map((userId, i): IdentityCommand => ({
      type: "CreateUser",
      data: { userId, domainId: "default", name: `user-${i}`, passwordHash: "", email: "", description: "", enabled: true, defaultProjectId: "" },
    })),
    ...users.map((userId, i): IdentityCommand => ({
      type: "GrantRole",
      data: { roleId: roles.member, userId, projectId: projects[i]!, system: false },
    })),
  ];
  const doc = buildDirectory(commands);
  if (findRoleByName(doc, "member")?.id !== roles.member) throw new Error("the directory was not bootstrapped");

  const sealer: TokenSealer = makeTokenSealer(randomBytes(32));
  const now = Date.now();
  const tokens = users.map((userId, i) =>
    sealer.seal({
      userId,
      scope: { kind: "project", projectId: projects[i]! },
      methods: ["password"],
      issuedAt: now,
      expiresAt: now + 3_600_000,
      auditId: newAuditId(),
    }),
  );
  const check = resolveCaller(doc, sealer, tokens[0]!, now);
  if ([...(check?.roleNames ?? [])].sort().join(",") !== "member,reader") throw new Error(`unexpected caller: ${JSON.stringify(check?.roleNames)}`);

  let valid = 0;
  for (let i = 0; i < VALIDATE_WARMUP; i++) if (resolveCaller(doc, sealer, tokens[i % DIRECTORY_SIZE]!, now) !== undefined) valid++;

  const start = performance.now();
  for (let i = 0; i < VALIDATE_CALLS; i++) if (resolveCaller(doc, sealer, tokens[i % DIRECTORY_SIZE]!, now) !== undefined) valid++;
  const seconds = (performance.now() - start) / 1_000;

  const latency = new Samples(VALIDATE_CALLS);
  for (let i = 0; i < VALIDATE_CALLS; i++) {
    const before = performance.now();
    const caller = resolveCaller(doc, sealer, tokens[i % DIRECTORY_SIZE]!, now);
    latency.add(performance.now() - before);
    if (caller !== undefined) valid++;
  }
  if (valid !== VALIDATE_WARMUP + 2 * VALIDATE_CALLS) throw new Error(`only ${valid} validations succeeded`);

  report("identity.directory.users", DIRECTORY_SIZE);
  report("identity.token.validate.per_s", VALIDATE_CALLS / seconds);
  report("identity.token.validate.p50_us", latency.percentile(50) * 1_000, 1);
  report("identity.token.validate.p99_us", latency.percentile(99) * 1_000, 1);
};

const kdf = async (cost: ScryptCost, runs: number) => {
  const hashing = new Samples(runs);
  const verifying = new Samples(runs);
  let hash = "";
  for (let i = 0; i < runs; i++) {
    const hashed = await timed(() => hashPassword("bench-password", cost));
    hashing.add(hashed.ms);
    hash = hashed.value;
    const verified = await timed(() => verifyPassword("bench-password", hash));
    if (!verified.value) throw new Error("verify failed");
    verifying.add(verified.ms);
  }
  return { hashing, verifying, hash };
};

const issueBody = (user: { readonly name: string }, password: string) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: user.name, domain: { id: "default" }, password } } },
    scope: { project: { name: "admin", domain: { id: "default" } } },
  },
});

const issueTimes = async (cloud: TestCloud, body: unknown, runs: number) => {
  const samples = new Samples(runs);
  for (let i = 0; i < runs; i++) {
    const { value: response, ms } = await timed(async () => {
      const response = await cloud.request("/identity/v3/auth/tokens", { method: "POST", json: body });
      await response.arrayBuffer();
      return response;
    });
    if (response.status !== 201) throw new Error(`token issue answered ${response.status}`);
    samples.add(ms);
  }
  return samples;
};

// A user whose hash has the default cost, as `weft up` writes them: the users API of the test
// cloud hashes with its cheap test cost, so the CreateUser command goes on the bus directly.
const createDefaultCostUser = async (natsUrl: string, cloud: TestCloud, hash: string) => {
  const userId = hex();
  const send = Effect.scoped(Effect.gen(function* () {
    const context = yield* Layer.build(natsCommandBusLayer().pipe(Layer.provide(Nats.layer(natsUrl))));
    return yield* Context.get(context, CommandBus).send("identity", identityEnvelope({
      type: "CreateUser",
      data: { userId, domainId: "default", name: "kdf-user", passwordHash: hash, email: "", description: "", enabled: true, defaultProjectId: "" },
    }));
  }));
  const reply = await Effect.runPromise(send);
  if (reply.outcome !== "accepted") throw new Error(`CreateUser: ${JSON.stringify(reply)}`);
  // The grant goes through the API, which waits until the read model has its own write, and so the user.
  const admin = { token: cloud.adminToken };
  const roles = (await (await cloud.request("/identity/v3/roles?name=member", admin)).json()) as { roles: Array<{ id: string }> };
  const projects = (await (await cloud.request("/identity/v3/projects?name=admin", admin)).json()) as { projects: Array<{ id: string }> };
  const granted = await cloud.request(`/identity/v3/projects/${projects.projects[0]!.id}/users/${userId}/roles/${roles.roles[0]!.id}`, { ...admin, method: "PUT" });
  if (granted.status !== 204) throw new Error(`grant answered ${granted.status}: ${await granted.text()}`);
  return { name: "kdf-user" };
};

const issue = async () => {
  const real = await kdf(DEFAULT_SCRYPT_COST, KDF_RUNS);
  const cheap = await kdf(testScryptCost, CHEAP_RUNS);

  const nats = await startNatsServer();
  try {
    const cloud = await startTestCloud({ natsUrl: nats.url });
    try {
      const user = await createDefaultCostUser(nats.url, cloud, real.hash);
      await issueTimes(cloud, issueBody(user, "bench-password"), 1);
      const issued = await issueTimes(cloud, issueBody(user, "bench-password"), ISSUE_RUNS);
      await issueTimes(cloud, issueBody({ name: "admin" }, ADMIN_PASSWORD), 50);
      const cheapIssued = await issueTimes(cloud, issueBody({ name: "admin" }, ADMIN_PASSWORD), CHEAP_RUNS);

      report("identity.kdf.cost", costName(DEFAULT_SCRYPT_COST));
      report("identity.kdf.hash.p50_ms", real.hashing.percentile(50), 1);
      report("identity.kdf.verify.p50_ms", real.verifying.percentile(50), 1);
      report("identity.kdf.verify.max_ms", real.verifying.percentile(100), 1);
      report("identity.token.issue.p50_ms", issued.percentile(50), 1);
      report("identity.token.issue.max_ms", issued.percentile(100), 1);
      report("identity.token.issue.non_kdf_p50_ms", issued.percentile(50) - real.verifying.percentile(50), 1);
      // The same request with the test cloud's cheap hash: the KDF is ~1 ms, so the rest shows.
      report("identity.token.issue.cheap_kdf.cost", costName(testScryptCost));
      report("identity.token.issue.cheap_kdf.p50_ms", cheapIssued.percentile(50), 2);
      report("identity.token.issue.cheap_kdf.p99_ms", cheapIssued.percentile(99), 2);
      report("identity.kdf.verify.cheap.p50_ms", cheap.verifying.percentile(50), 2);
      report("identity.token.issue.non_kdf_measured_p50_ms", cheapIssued.percentile(50) - cheap.verifying.percentile(50), 2);
    } finally {
      await cloud.close();
    }
  } finally {
    await nats.stop();
  }
};

validation();
await issue();
