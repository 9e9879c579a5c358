import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** The HS256 secret test tokens are signed with (never a real one). */
export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      // The JSON report feeds the plain "N passed, N failed" line that .ci/run prints.
      reporters: ["default", ["json", { outputFile: ".vitest/results.json" }] as ["json", { outputFile: string }]],
      projects: [
        {
          // Pure logic: plain Node, fast.
          test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
        },
        {
          // Routes, queues and cron inside workerd with Miniflare's KV, D1, R2 and Queues.
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  // The fuzz suite's budget and seed (test/integration/fuzz.test.ts).
                  LARDER_FUZZ_REQUESTS: process.env.LARDER_FUZZ_REQUESTS ?? "600",
                  LARDER_FUZZ_SEED: process.env.LARDER_FUZZ_SEED ?? "20261201",
                  TEST_MIGRATIONS: migrations,
                  AUTH_JWT_SECRET: TEST_JWT_SECRET,
                  REGISTRY_CACHE_TTL_MS: "5000",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/integration/**/*.test.ts"],
            setupFiles: ["./test/integration/setup.ts"],
          },
        },
      ],
    },
  };
});
