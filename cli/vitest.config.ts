import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.spec.ts"],
    exclude: ["**/node_modules/**"],
    // Starts one real nats-server (JetStream on, temp dir, free port) for the whole run.
    globalSetup: ["../infra/testing/natsGlobalSetup.ts"],
    // Each real `openstack` call is a Python process (1.5 s idle, several seconds on a busy
    // machine); a test making a dozen of them needs minutes, not the default seconds.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
