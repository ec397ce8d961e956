import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/env.ts"],
    // Each file gets its own database cloned from the migrated template, so files run in parallel safely.
    pool: "forks",
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
