/** Helpers routes share: the project's registry snapshot, the app type. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { invalid } from "../errors";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { currentRegistry } from "../registry/snapshot";

/** The compiled registry of the request's project, from isolate memory or KV (never D1). */
export function registryOf(c: Context<AppEnv>): Promise<CompiledRegistry> {
  const ttl = Number(c.env.REGISTRY_CACHE_TTL_MS || 5000);
  return c.get("timing").measure("registry", () => currentRegistry(c.env.REGISTRY_CACHE, c.get("project"), ttl));
}

/** Zod failures as structured details: one entry per issue with its path. */
export function zodDetails(error: ZodError) {
  return {
    issues: error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
      code: issue.code,
    })),
  };
}

/** A router whose validation failures throw the one VALIDATION_ERROR envelope. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = zodDetails(result.error);
        const summary = details.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
        throw invalid(`Invalid ${result.target}: ${summary}`, { target: result.target, ...details });
      }
    },
  });
}
