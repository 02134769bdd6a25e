#!/usr/bin/env node
// Makes sure the system packages Weft runs with are present before `npm start` / `npm test`.
// Installs them with apt-get when running as root on Debian; otherwise prints the exact line to
// run and stops, rather than falling back silently to a fake. Plain JavaScript on purpose: it runs
// under whatever Node is on the machine, before the project's own Node 24 matters.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const needs = {
  cloud: [{ binary: "nats-server", pkg: "nats-server", unless: () => Boolean(process.env.WEFT_NATS_URL) }],
  test: [
    { binary: "nats-server", pkg: "nats-server" },
    { binary: "openstack", pkg: "python3-openstackclient" },
    // The CLI's `resource provider` commands; a Python module, not a binary.
    { module: "osc_placement", pkg: "python3-osc-placement" },
  ],
};

const purpose = process.argv[2];
if (!(purpose in needs)) {
  console.error(`usage: ensureSystemPackages.mjs ${Object.keys(needs).join("|")}`);
  process.exit(2);
}

const onPath = (binary) =>
  ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/sbin", "/bin", ...(process.env.PATH ?? "").split(":")]
    .some((dir) => dir !== "" && existsSync(`${dir}/${binary}`));

const pythonHas = (module) => ["/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"].some((dir) => existsSync(`${dir}/${module}`));

const present = (need) => (need.binary === undefined ? pythonHas(need.module) : onPath(need.binary));

const missing = needs[purpose].filter((need) => !(need.unless?.() ?? false) && !present(need)).map((need) => need.pkg);
if (missing.length === 0) process.exit(0);

const line = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !onPath("apt-get")) {
  console.error(`weft: missing system packages: ${missing.join(", ")}. Install them with:\n  sudo ${line}`);
  process.exit(1);
}

const apt = (args) =>
  spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;

console.error(`weft: installing ${missing.join(", ")} with apt-get`);
if (!apt(["install", "-y", "-q", "--no-install-recommends", ...missing]) && !(apt(["update", "-q"]) && apt(["install", "-y", "-q", "--no-install-recommends", ...missing]))) {
  console.error(`weft: apt-get could not install ${missing.join(", ")}; run:\n  apt-get update && ${line}`);
  process.exit(1);
}
