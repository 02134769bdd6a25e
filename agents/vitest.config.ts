import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.spec.ts"],
    exclude: ["**/node_modules/**"],
    passWithNoTests: false,
    // Starts one real nats-server (JetStream on, temp dir, free port) for the whole run.
    globalSetup: ["../infra/testing/natsGlobalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
