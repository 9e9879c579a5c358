/** GET /health (no auth) and GET /config (never shows a secret). */
import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../auth/middleware";
import { KEY_ENCODING_VERSION } from "../domain/entity-key";
import { commonErrors, jsonResponse, ProjectQuery } from "./schemas/common";
import { registryOf, router } from "./context";

export const healthRoutes = router();
export const configRoutes = router();

const HealthResponse = z.object({ status: z.literal("ok"), time: z.string() }).openapi("Health");

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["system"],
    summary: "Liveness (no auth)",
    security: [],
    responses: { 200: jsonResponse(HealthResponse, "Alive") },
  }),
  (c) => c.json({ status: "ok" as const, time: new Date().toISOString() }, 200),
);

const ConfigResponse = z
  .object({
    project: z.string(),
    registry: z.object({
      type: z.literal("d1"),
      binding: z.string(),
      snapshot: z.object({
        type: z.literal("kv"),
        binding: z.string(),
        version: z.number().int(),
        cache_ttl_ms: z.number(),
      }),
    }),
    online_store: z.object({ type: z.literal("cloudflare_kv"), binding: z.string() }),
    offline_store: z.object({ type: z.literal("r2"), binding: z.string(), format: z.literal("parquet") }),
    auth: z.object({
      type: z.literal("jwt"),
      hs256: z.boolean(),
      jwks: z.boolean(),
      issuer: z.string().nullable(),
      audience: z.string().nullable(),
    }),
    entity_key_serialization_version: z.number().int(),
    feature_views_count: z.number().int(),
    entities_count: z.number().int(),
    feature_services_count: z.number().int(),
  })
  .openapi("Config");

configRoutes.openapi(
  createRoute({
    method: "get",
    path: "/config",
    tags: ["system"],
    summary: "Configuration (no secrets)",
    middleware: [requireScope("registry:read")] as const,
    request: { query: ProjectQuery },
    responses: { 200: jsonResponse(ConfigResponse, "Configuration"), ...commonErrors },
  }),
  async (c) => {
    const registry = await registryOf(c);
    return c.json(
      {
        project: c.get("project"),
        registry: {
          type: "d1" as const,
          binding: "DB",
          snapshot: {
            type: "kv" as const,
            binding: "REGISTRY_CACHE",
            version: registry.version,
            cache_ttl_ms: Number(c.env.REGISTRY_CACHE_TTL_MS || 5000),
          },
        },
        online_store: { type: "cloudflare_kv" as const, binding: "ONLINE_STORE" },
        offline_store: { type: "r2" as const, binding: "OFFLINE_STORE", format: "parquet" as const },
        // Whether each method is configured, never the secret itself.
        auth: {
          type: "jwt" as const,
          hs256: Boolean(c.env.AUTH_JWT_SECRET),
          jwks: Boolean(c.env.AUTH_JWKS_URL),
          issuer: c.env.AUTH_ISSUER || null,
          audience: c.env.AUTH_AUDIENCE || null,
        },
        entity_key_serialization_version: KEY_ENCODING_VERSION,
        feature_views_count: registry.views.size,
        entities_count: registry.entities.size,
        feature_services_count: registry.services.size,
      },
      200,
    );
  },
);
