import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { ensureBuilt } from "./scripts/build.mjs";

/** The HS256 secret test tokens are signed with (never a real one). */
export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

/** The runner's worker name: auxiliary workers bind to the Worker under test (its named entrypoints) by it. */
const WORKERS_RUNNER = "vitest-pool-workers-runner-workers";

/**
 * An inference Worker on the same account (test/integration/binding/): its
 * service bindings to Larder's `Features` entrypoint, each with the props its
 * wrangler config would give.
 */
function inferenceWorker() {
  const features = (props?: Record<string, unknown>) => ({ name: WORKERS_RUNNER, entrypoint: "Features", props });
  return {
    name: "inference",
    modules: true,
    scriptPath: path.join(import.meta.dirname, "test/integration/binding/inference-worker.mjs"),
    compatibilityDate: "2026-04-20",
    serviceBindings: {
      FEATURES: features(),
      FEATURES_TEAM_B: features({ project: "team_b" }),
      FEATURES_UNLISTED: features({ project: "secret_project" }),
      FEATURES_READ_ONLY: features({ scopes: ["online:read"] }),
    },
  };
}

export default defineConfig(async () => {
  // The Worker's static assets (the console, dist/site) must exist before wrangler.toml is read.
  await ensureBuilt();
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
          // The larder CLI end to end against a Worker under wrangler dev, started once per file.
          test: {
            name: "cli",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
        {
          // The web console in Debian's Chromium (playwright-core) against one wrangler dev, started once per file.
          test: {
            name: "console",
            include: ["test/browser/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 240_000,
          },
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
                  // The projects the Features entrypoint serves to service bindings (test/integration/binding.test.ts).
                  BINDING_PROJECTS: "ai_etl team_b",
                },
                serviceBindings: { INFERENCE: "inference" },
                workers: [inferenceWorker()],
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
