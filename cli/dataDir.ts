/**
 * Files the cloud keeps in its data dir besides the event store: the token sealing key (made
 * once, readable by the owner only; every gateway of the cloud must share it), the generated
 * admin password, and `clouds.yaml`.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";

const readOrCreate = (path: string, create: () => Buffer) =>
  Effect.tryPromise(async () => {
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      const value = create();
      // "wx" fails if another process made it first; then that one's value wins.
      await writeFile(path, value, { mode: 0o600, flag: "wx" }).catch(() => undefined);
      return readFile(path);
    }
  });

export const ensureDataDir = (dataDir: string) =>
  Effect.tryPromise(() => mkdir(join(dataDir, "keys"), { recursive: true, mode: 0o700 }));

export const tokenKey = (dataDir: string) => readOrCreate(join(dataDir, "keys", "token.key"), () => randomBytes(32));

/** The admin password: WEFT_ADMIN_PASSWORD when set, else one generated on first start and kept. */
export const adminPassword = (dataDir: string, configured: string | undefined) =>
  configured !== undefined
    ? Effect.succeed(configured)
    : Effect.map(readOrCreate(join(dataDir, "keys", "admin-password"), () => Buffer.from(randomBytes(18).toString("base64url"))), (bytes) =>
        bytes.toString("utf8").trim(),
      );

/** The newest Nova microversion the gateway serves, so the CLI asks for everything it can show. */
export const COMPUTE_API_VERSION = "2.79";

export const cloudsYaml = (authUrl: string, password: string, region: string) =>
  [
    "# Written by `weft up`: use with OS_CLIENT_CONFIG_FILE=<this file> OS_CLOUD=weft openstack …",
    "clouds:",
    "  weft:",
    "    auth:",
    `      auth_url: ${authUrl}`,
    "      username: admin",
    `      password: "${password.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`,
    "      project_name: admin",
    "      user_domain_name: Default",
    "      project_domain_name: Default",
    `    region_name: ${region}`,
    "    identity_api_version: 3",
    // The CLI speaks Nova 2.1 unless told more; `--nic none` and most server fields need newer.
    `    compute_api_version: "${COMPUTE_API_VERSION}"`,
    "    interface: public",
    "",
  ].join("\n");

export const writeCloudsYaml = (dataDir: string, content: string) =>
  Effect.tryPromise(async () => {
    const path = join(dataDir, "clouds.yaml");
    await writeFile(path, content, { mode: 0o600 });
    return path;
  });
