/** Schemas of the system routes: health and configuration. */
import { z } from "@hono/zod-openapi";

export const HealthResponse = z.object({ status: z.literal("ok"), time: z.string() }).openapi("Health");

export const ConfigResponse = z
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
    offline_store: z.object({
      type: z.literal("r2"),
      binding: z.string(),
      format: z.literal("parquet"),
      project_prefix: z.string().openapi({ description: "Where the project's batch source paths resolve" }),
      external_prefixes: z
        .array(z.string())
        .openapi({ description: "Prefixes the operator lets this project read with external:// paths" }),
    }),
    problems: z.array(z.string()).openapi({ description: "Settings that were refused (none when all is well)" }),
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
