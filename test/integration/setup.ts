import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";
import { clearSnapshotCache } from "../../src/registry/snapshot";

// Storage is shared across tests: start each one from empty bindings and a fresh schema.
beforeEach(async () => {
  await reset();
  clearSnapshotCache();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
