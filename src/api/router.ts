/** Helpers routes share: the project's registry snapshot, and routers with the one validation error. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ZodError } from "zod";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { invalid } from "../domain/errors";
import { assertSafeJson } from "../domain/json-shape";
import type { AppEnv } from "../http/app-env";
import { measure, parsedJsonBody } from "../http/request-context";

/** The compiled registry of the request's project, from isolate memory or KV (never D1). */
export function registryOf(c: Context<AppEnv>): Promise<CompiledRegistry> {
  return measure(c, "registry", c.get("services").registry.current(c.get("project")));
}

/** Zod failures as structured details: one entry per issue with its path. */
function zodDetails(error: ZodError) {
  return {
    issues: error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
      code: issue.code,
    })),
  };
}

/**
 * A router whose validation failures throw the one VALIDATION_ERROR envelope.
 * A JSON body's shape (depth, `__proto__` keys: domain/json-shape.ts) is
 * checked on the raw body here, once the validator (which comes after the
 * scope checks) has parsed it, before zod's verdict is used: zod would drop
 * a `__proto__` key silently.
 */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: async (result, c) => {
      // Only a body the validator parsed as JSON (a body of another media type reaches zod as {}).
      const parsed = result.target === "json" ? parsedJsonBody(c.req) : undefined;
      if (parsed) assertSafeJson(await parsed);
      if (!result.success) {
        const details = zodDetails(result.error);
        const summary = details.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
        throw invalid(`Invalid ${result.target}: ${summary}`, { target: result.target, ...details });
      }
    },
  });
}
