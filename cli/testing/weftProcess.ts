/**
 * Runs `weft up` as a real child process for e2e tests, and the real `openstack` CLI against it.
 * Each instance gets its own data dir, HOME (so no test touches the user's clouds.yaml) and port.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPUTE_API_VERSION } from "../dataDir.ts";
import { weftNodeOptions } from "../nodeOptions.ts";

const mainTs = fileURLToPath(new URL("../main.ts", import.meta.url));

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

export interface WeftProcess {
  readonly url: string;
  readonly authUrl: string;
  readonly dataDir: string;
  readonly home: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly home?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly adminPassword?: string;
}

export const makeTempDir = (prefix: string) => mkdtemp(join(tmpdir(), prefix));

export const startWeft = async (options: StartOptions = {}): Promise<WeftProcess> => {
  const dataDir = options.dataDir ?? (await makeTempDir("weft-e2e-data-"));
  const home = options.home ?? (await makeTempDir("weft-e2e-home-"));
  const port = await freePort();
  const child = spawn(process.execPath, [...weftNodeOptions, mainTs, "up"], {
    env: {
      ...process.env,
      HOME: home,
      WEFT_DATA_DIR: dataDir,
      WEFT_HTTP_PORT: String(port),
      WEFT_ADMIN_PASSWORD: options.adminPassword ?? "e2e-admin-password",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 30_000;
  while (!/auth URL:\s+(\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`weft up did not start (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const authUrl = /auth URL:\s+(\S+)/.exec(output)![1]!;
  return {
    url: authUrl.replace(/\/identity\/v3$/, ""),
    authUrl,
    dataDir,
    home,
    child,
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};

export interface CloudEntry {
  readonly username: string;
  readonly password: string;
  readonly project: string;
}

/** A clouds.yaml with one entry per name, all against `authUrl`. */
export const writeCloudsYaml = async (dir: string, authUrl: string, clouds: Readonly<Record<string, CloudEntry>>) => {
  const path = join(dir, "clouds.yaml");
  const entries = Object.entries(clouds).map(([name, entry]) =>
    [
      `  ${name}:`,
      "    auth:",
      `      auth_url: ${authUrl}`,
      `      username: "${entry.username}"`,
      `      password: "${entry.password}"`,
      `      project_name: "${entry.project}"`,
      "      user_domain_name: Default",
      "      project_domain_name: Default",
      "    region_name: RegionOne",
      "    identity_api_version: 3",
      // As the clouds.yaml `weft up` writes.
      `    compute_api_version: "${COMPUTE_API_VERSION}"`,
    ].join("\n"),
  );
  await writeFile(path, `clouds:\n${entries.join("\n")}\n`);
  return path;
};

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `openstack` CLI; never rejects, so tests can assert on failures too. */
export const openstack = (cloudsYaml: string, cloud: string, args: ReadonlyArray<string>) =>
  new Promise<CliResult>((resolve) => {
    execFile(
      "openstack",
      ["--os-cloud", cloud, ...args],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), OS_CLIENT_CONFIG_FILE: cloudsYaml }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
    );
  });

/** `openstack … -f json`, parsed; throws with the CLI's stderr when it fails. */
export const openstackJson = async <T>(cloudsYaml: string, cloud: string, args: ReadonlyArray<string>): Promise<T> => {
  const result = await openstack(cloudsYaml, cloud, [...args, "-f", "json"]);
  if (result.code !== 0) throw new Error(`openstack ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

export const removeDirs = (...dirs: ReadonlyArray<string>) => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
