/**
 * Identity bench. (a) Token validation in-process: a directory of 1,000 users, projects and
 * role assignments folded from the events the real decider decides, 1,000 project-scoped tokens
 * (one per user) presented in turn, and `resolveCaller` (open the AES-GCM seal, check the claims
 * against the read model) timed over 200,000 calls; then 100,000 tokens each presented once, which
 * the sealer has never opened before (it remembers the claims of tokens it opened lately). (b) Token issue with the default scrypt cost: the KDF alone (hash and
 * verify), then `POST /identity/v3/auth/tokens` through the gateway app in-process on a real
 * control plane (`startTestCloud`: nats-server, sqlite, command handlers) for a user whose hash
 * has the default cost, and the same request for the test cloud's cheap-cost admin, whose
 * difference from a cheap verify is what issuing costs besides the KDF.
 * Run from the repository root: `node_modules/.bin/node bench/identity.bench.ts`.
 */
// testCloud.ts brings infra/testing, which augments vitest's types: the root typecheck needs them.
/// <reference types="vitest" />
import { randomBytes, randomUUID } from "node:crypto";
import { Context, Effect, Layer } from "effect";
import { identityDecider, type IdentityCommand, type IdentityEvent, type IdentityState } from "@weft/domain/identity";
import { isRejection } from "@weft/domain/shared";
import { evolveIdentity, findRoleByName, identityProjection, type IdentityDocument } from "@weft/projections/identity";
import { CommandBus, Nats, natsCommandBusLayer } from "@weft/infra/bus";
import { startNatsServer } from "@weft/infra/nats";
import { identityEnvelope } from "../infra/testing/identityCommands.ts";
import { resolveCaller } from "../gateways/identity/callers.ts";
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword, type ScryptCost } from "../gateways/identity/passwords.ts";
import { makeTokenSealer, newAuditId, type TokenSealer } from "../gateways/identity/tokens.ts";
import { ADMIN_PASSWORD, startTestCloud, testScryptCost, type TestCloud } from "../gateways/testing/testCloud.ts";
import { report, Samples, timed } from "./stats.ts";

const DIRECTORY_SIZE = 1_000;
const VALIDATE_WARMUP = 20_000;
const VALIDATE_CALLS = 200_000;
const FIRST_USE = 100_000;
const HASH_RUNS = 3;
const ISSUE_RUNS = 9;
const CHEAP_RUNS = 200;
const PASSWORD = "bench-password";

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
  const cpu = process.threadCpuUsage();
  for (let i = 0; i < VALIDATE_CALLS; i++) if (resolveCaller(doc, sealer, tokens[i % DIRECTORY_SIZE]!, now) !== undefined) valid++;
  const seconds = (performance.now() - start) / 1_000;
  const used = process.threadCpuUsage(cpu);

  const latency = new Samples(VALIDATE_CALLS);
  for (let i = 0; i < VALIDATE_CALLS; i++) {
    const before = performance.now();
    const caller = resolveCaller(doc, sealer, tokens[i % DIRECTORY_SIZE]!, now);
    latency.add(performance.now() - before);
    if (caller !== undefined) valid++;
  }
  if (valid !== VALIDATE_WARMUP + 2 * VALIDATE_CALLS) throw new Error(`only ${valid} validations succeeded`);

  // Tokens never presented before: the sealer has to open every one (AES-GCM, msgpack).
  const fresh = Array.from({ length: FIRST_USE }, (_, i) =>
    sealer.seal({
      userId: users[i % DIRECTORY_SIZE]!,
      scope: { kind: "project", projectId: projects[i % DIRECTORY_SIZE]! },
      methods: ["password"],
      issuedAt: now,
      expiresAt: now + 3_600_000,
      auditId: newAuditId(),
    }),
  );
  const freshStart = performance.now();
  const freshCpu = process.threadCpuUsage();
  for (const token of fresh) if (resolveCaller(doc, sealer, token, now) === undefined) throw new Error("a fresh token did not validate");
  const freshSeconds = (performance.now() - freshStart) / 1_000;
  const freshUsed = process.threadCpuUsage(freshCpu);

  report("identity.directory.users", DIRECTORY_SIZE);
  report("identity.token.validate.per_s", VALIDATE_CALLS / seconds);
  // Per second of this thread's CPU: what one core does, whatever else the machine runs.
  report("identity.token.validate.per_cpu_s", VALIDATE_CALLS / ((used.user + used.system) / 1e6));
  report("identity.token.validate.p50_us", latency.percentile(50) * 1_000, 1);
  report("identity.token.validate.p99_us", latency.percentile(99) * 1_000, 1);
  report("identity.token.validate.first_use.per_s", FIRST_USE / freshSeconds);
  report("identity.token.validate.first_use.per_cpu_s", FIRST_USE / ((freshUsed.user + freshUsed.system) / 1e6));
};

const hashTimes = async (cost: ScryptCost, runs: number) => {
  const samples = new Samples(runs);
  let hash = "";
  for (let i = 0; i < runs; i++) {
    const hashed = await timed(() => hashPassword(PASSWORD, cost));
    samples.add(hashed.ms);
    hash = hashed.value;
  }
  return { samples, hash };
};

const verifyOnce = async (hash: string) => {
  const verified = await timed(() => verifyPassword(PASSWORD, hash));
  if (!verified.value) throw new Error("verify failed");
  return verified.ms;
};

const issueBody = (user: { readonly name: string }, password: string) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: user.name, domain: { id: "default" }, password } } },
    scope: { project: { name: "admin", domain: { id: "default" } } },
  },
});

const issueOnce = async (cloud: TestCloud, body: unknown) => {
  const { value: status, ms } = await timed(async () => {
    const response = await cloud.request("/identity/v3/auth/tokens", { method: "POST", json: body });
    await response.arrayBuffer();
    return response.status;
  });
  if (status !== 201) throw new Error(`token issue answered ${status}`);
  return ms;
};

/**
 * Alternates a bare verify of `hash` and a token issue whose password check verifies the same
 * cost, so load from elsewhere on the machine weighs on both alike.
 */
const issueAndVerify = async (cloud: TestCloud, body: unknown, hash: string, runs: number) => {
  const issued = new Samples(runs);
  const verified = new Samples(runs);
  const rest = new Samples(runs);
  for (let i = 0; i < runs; i++) {
    const verify = await verifyOnce(hash);
    const issue = await issueOnce(cloud, body);
    verified.add(verify);
    issued.add(issue);
    rest.add(issue - verify);
  }
  return { issued, verified, rest };
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
  const real = await hashTimes(DEFAULT_SCRYPT_COST, HASH_RUNS);
  const cheap = await hashTimes(testScryptCost, 1);

  const nats = await startNatsServer();
  try {
    const cloud = await startTestCloud({ natsUrl: nats.url });
    try {
      const user = await createDefaultCostUser(nats.url, cloud, real.hash);
      const body = issueBody(user, PASSWORD);
      await issueAndVerify(cloud, body, real.hash, 1);
      const slow = await issueAndVerify(cloud, body, real.hash, ISSUE_RUNS);
      // The test cloud's admin has the cheap test hash: with a ~1 ms KDF the rest of issuing shows.
      const adminBody = issueBody({ name: "admin" }, ADMIN_PASSWORD);
      // Verifying costs the same for any password: the bare verify checks the bench's own cheap hash.
      await issueAndVerify(cloud, adminBody, cheap.hash, 30);
      const fast = await issueAndVerify(cloud, adminBody, cheap.hash, CHEAP_RUNS);

      report("identity.kdf.cost", costName(DEFAULT_SCRYPT_COST));
      report("identity.kdf.hash.p50_ms", real.samples.percentile(50), 1);
      report("identity.kdf.verify.p50_ms", slow.verified.percentile(50), 1);
      report("identity.token.issue.p50_ms", slow.issued.percentile(50), 1);
      report("identity.token.issue.max_ms", slow.issued.percentile(100), 1);
      // Issue minus verify, pair by pair, at the cheap cost: at the default cost the difference
      // (~1 ms) drowns in the KDF's own variation.
      report("identity.token.issue.non_kdf.p50_ms", fast.rest.percentile(50), 2);
      report("identity.token.issue.cheap_kdf.cost", costName(testScryptCost));
      report("identity.token.issue.cheap_kdf.p50_ms", fast.issued.percentile(50), 2);
      report("identity.token.issue.cheap_kdf.p99_ms", fast.issued.percentile(99), 2);
      report("identity.kdf.verify.cheap.p50_ms", fast.verified.percentile(50), 2);
    } finally {
      await cloud.close();
    }
  } finally {
    await nats.stop();
  }
};

validation();
await issue();
