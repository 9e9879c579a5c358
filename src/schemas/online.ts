/** Schemas of the online read and push routes. */
import { z } from "@hono/zod-openapi";

const EntityValue = z.union([z.string(), z.number()]);
const Status = z.enum(["PRESENT", "NOT_FOUND", "NULL_VALUE", "OUTSIDE_MAX_AGE"]);

export const OnlineFeaturesRequest = z
  .object({
    feature_service: z.string().optional().openapi({ example: "customer_features_v1" }),
    entities: z
      .record(z.string(), z.array(EntityValue))
      .openapi({ example: { customer_id: ["cust_12345", "cust_67890"] } }),
    features: z
      .array(z.string())
      .optional()
      .openapi({ example: ["customer:age", "customer:lifetime_value"] }),
    full_feature_names: z.boolean().default(false),
    include_statuses: z
      .boolean()
      .default(false)
      .openapi({ description: "Add per-value statuses: PRESENT, NOT_FOUND, NULL_VALUE, OUTSIDE_MAX_AGE" }),
    include_event_timestamps: z
      .boolean()
      .default(false)
      .openapi({ description: "Add each value's event timestamp (null where nothing was found)" }),
  })
  .openapi("OnlineFeaturesRequest");

export const OnlineMetadata = z
  .object({
    latency_ms: z.number().openapi({ description: "Measured server-side time" }),
    features_count: z.number().int(),
    entities_count: z.number().int(),
    feature_views: z.array(z.string()),
    keys_read: z.number().int().openapi({ description: "Distinct online-store keys read" }),
  })
  .openapi("OnlineMetadata");

export const OnlineFeaturesResponse = z
  .object({
    feature_service: z.string().optional(),
    entities: z.record(z.string(), z.array(EntityValue)),
    features: z.record(z.string(), z.record(z.string(), z.unknown())).openapi({
      description:
        "By entity value (composite keys: values joined by '|' in join-key order); missing or expired values are null",
    }),
    statuses: z.record(z.string(), z.record(z.string(), Status)).optional(),
    event_timestamps: z
      .record(z.string(), z.record(z.string(), z.string().nullable()))
      .optional()
      .openapi({ description: "With include_event_timestamps: each value's event timestamp (RFC 3339), by entity" }),
    metadata: OnlineMetadata,
  })
  .openapi("OnlineFeaturesResponse");

/** The pipeline / user / connector routes: ids of one entity and features of its view. */
export function entityFeaturesRequest(idsField: string, exampleIds: string[], exampleFeatures: string[]) {
  return z.object({
    [idsField]: z.array(EntityValue).min(1).openapi({ example: exampleIds }),
    features: z
      .array(z.string())
      .optional()
      .openapi({ example: exampleFeatures, description: "Defaults to every feature of the view" }),
    full_feature_names: z.boolean().default(false),
    include_statuses: z.boolean().default(false),
  });
}

export const EntityFeaturesResponse = z
  .object({
    features: z.record(z.string(), z.record(z.string(), z.unknown())),
    statuses: z.record(z.string(), z.record(z.string(), Status)).optional(),
    metadata: OnlineMetadata,
  })
  .openapi("EntityFeaturesResponse");

export const PushRequest = z
  .object({
    push_source_name: z.string().min(1).openapi({ example: "customer_realtime_updates" }),
    features: z
      .array(z.unknown())
      .min(1)
      .max(1000)
      .openapi({
        description:
          "Rows: join keys, event_timestamp, optional created_timestamp, and features. Each row is validated on its own.",
        example: [
          {
            customer_id: "cust_12345",
            event_timestamp: "2024-06-30T15:45:23Z",
            features: { session_count_today: 3, cart_value: 156.5 },
          },
        ],
      }),
    to: z.enum(["online", "offline", "online_and_offline"]).default("online_and_offline"),
  })
  .openapi("PushRequest");

export const PushResponse = z
  .object({
    push_id: z.string(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    errors: z.array(z.object({ index: z.number().int(), reason: z.string(), field: z.string().optional() })),
    written_online: z.number().int().openapi({
      description: "Online records changed; rows older than what is stored are accepted but change nothing",
    }),
    processing_time_ms: z.number(),
  })
  .openapi("PushResponse");
