/** Request and response schemas of the registry routes (apply, list, get, delete). */
import { z } from "@hono/zod-openapi";
import { Name, Tags } from "./common";

const Dtype = z.string().min(1).openapi({
  example: "float64",
  description: "int32, int64, float32, float64, string, bool, bytes, unix_timestamp, or array<…>",
});
const ValueType = z.string().openapi({ example: "STRING", description: "STRING, INT32, INT64 or BYTES" });

export const EntityInput = z
  .object({
    name: Name,
    join_keys: z
      .array(Name)
      .min(1)
      .optional()
      .openapi({ description: "Defaults to [name]. Several keys make a composite key." }),
    value_type: ValueType.optional().openapi({ description: "Type of every join key (default STRING)" }),
    value_types: z
      .record(z.string(), ValueType)
      .optional()
      .openapi({ description: "Type per join key, overriding value_type" }),
    description: z.string().optional(),
    tags: Tags.optional(),
  })
  .openapi("EntityInput");

export const BatchSourceInput = z
  .object({
    name: Name.optional(),
    type: z.literal("batch"),
    path: z.string().min(1).openapi({ example: "s3://data-lake/products/features/" }),
    file_format: z.literal("parquet").default("parquet"),
    timestamp_field: Name.default("event_timestamp"),
    created_timestamp_column: Name.nullish(),
    description: z.string().optional(),
    tags: Tags.optional(),
  })
  .openapi("BatchSourceInput");

export const PushSourceInput = z
  .object({
    name: Name,
    type: z.literal("push").optional(),
    batch_source: z
      .union([Name, BatchSourceInput])
      .openapi({ description: "Name of a batch source, or one defined inline" }),
    description: z.string().optional(),
    tags: Tags.optional(),
  })
  .openapi("PushSourceInput");

export const DataSourceInput = z
  .union([BatchSourceInput.extend({ name: Name }), PushSourceInput.extend({ type: z.literal("push") })])
  .openapi("DataSourceInput");

const FeatureField = z.object({ name: Name, dtype: Dtype, description: z.string().optional() });

export const FeatureViewInput = z
  .object({
    name: Name,
    entities: z.array(Name).min(1),
    schema: z
      .array(FeatureField)
      .min(1)
      .optional()
      .openapi({ description: "The features (Feast's name); `features` is accepted too" }),
    features: z.array(FeatureField).min(1).optional(),
    source: z
      .union([Name, BatchSourceInput, PushSourceInput.extend({ type: z.literal("push") })])
      .openapi({ description: "A data source name, or a source defined inline (named <view>_source unless named)" }),
    ttl_seconds: z.number().int().min(0).default(0).openapi({ description: "0: values never expire" }),
    online: z.boolean().default(true),
    tags: Tags.optional(),
    schedule: z
      .string()
      .nullish()
      .openapi({ description: "Incremental materialization every 15m, 1h, 1d, @hourly, @daily" }),
    description: z.string().optional(),
  })
  .refine((v) => v.schema || v.features, { message: "give the features as `schema` (or `features`)", path: ["schema"] })
  .openapi("FeatureViewInput");

export const FeatureServiceInput = z
  .object({
    name: Name,
    features: z
      .array(z.string().min(1))
      .min(1)
      .openapi({
        example: ["customer:age", "transactions"],
        description: "view:feature, or a view name for all its features",
      }),
    description: z.string().optional(),
    tags: Tags.optional(),
  })
  .openapi("FeatureServiceInput");

export const ApplyRequest = z
  .object({
    feature_view: FeatureViewInput.optional().openapi({ description: "The specification's single-view form" }),
    entities: z.array(EntityInput).optional(),
    data_sources: z.array(DataSourceInput).optional(),
    feature_views: z.array(FeatureViewInput).optional(),
    feature_services: z.array(FeatureServiceInput).optional(),
    push_sources: z.array(PushSourceInput).optional(),
    replace: z
      .boolean()
      .default(false)
      .openapi({ description: "The body is the whole registry: objects it omits are deleted (like feast apply)" }),
    dry_run: z.boolean().default(false).openapi({ description: "Return the plan; change nothing" }),
  })
  .refine(
    (b) => b.feature_view || b.entities || b.data_sources || b.feature_views || b.feature_services || b.push_sources,
    {
      message:
        "give feature_view, or one or more of entities, data_sources, feature_views, feature_services, push_sources",
    },
  )
  .openapi("ApplyRequest", {
    example: {
      feature_view: {
        name: "product_features",
        entities: ["product"],
        schema: [
          { name: "category", dtype: "string" },
          { name: "price", dtype: "float64" },
        ],
        source: { type: "batch", path: "s3://data-lake/products/features/", timestamp_field: "event_timestamp" },
        ttl_seconds: 86400,
        online: true,
        tags: { team: "product" },
      },
    },
  });

export type ApplyRequestBody = z.infer<typeof ApplyRequest>;
export type BatchSourceInputT = z.infer<typeof BatchSourceInput>;
export type PushSourceInputT = z.infer<typeof PushSourceInput>;

const PlanEntry = z.object({ kind: z.string(), name: z.string() });
export const ApplyPlan = z
  .object({
    create: z.array(PlanEntry),
    update: z.array(PlanEntry),
    delete: z.array(PlanEntry),
    unchanged: z.array(PlanEntry),
  })
  .openapi("ApplyPlan");

export const PathWarning = z
  .object({ data_source: z.string(), path: z.string(), problem: z.string() })
  .openapi("PathWarning", { description: "A stored batch source whose path breaks the path rule or changed meaning" });

export const ApplyResponse = z
  .object({
    status: z.enum(["success", "planned"]),
    feature_view: z.string().optional(),
    registered_at: z.string(),
    online_store_ready: z.boolean().optional(),
    materialization_required: z.boolean().optional(),
    dry_run: z.boolean(),
    registry_version: z.number().int(),
    plan: ApplyPlan,
    warnings: z.array(PathWarning),
  })
  .openapi("ApplyResponse");

export const FeatureViewOut = z
  .object({
    name: z.string(),
    entities: z.array(z.string()),
    join_keys: z.array(z.string()),
    features: z.array(z.object({ name: z.string(), dtype: z.string(), description: z.string().optional() })),
    ttl_seconds: z.number().int(),
    online: z.boolean(),
    tags: Tags,
    source: z.string(),
    schedule: z.string().nullable(),
    description: z.string(),
  })
  .openapi("FeatureView");

export const EntityOut = z
  .object({
    name: z.string(),
    join_keys: z.array(z.string()),
    value_type: z
      .string()
      .nullable()
      .openapi({ description: "The type shared by all join keys; null when they differ (see value_types)" }),
    value_types: z.record(z.string(), z.string()),
    description: z.string(),
    tags: Tags,
  })
  .openapi("Entity");

export const FeatureServiceOut = z
  .object({
    name: z.string(),
    features: z.array(z.string()),
    feature_views: z.array(z.string()),
    description: z.string(),
    tags: Tags,
  })
  .openapi("FeatureService");

export const PushSourceOut = z
  .object({
    name: z.string(),
    batch_source: z.string(),
    feature_views: z.array(z.string()),
    description: z.string(),
    tags: Tags,
  })
  .openapi("PushSource");

export const DataSourceOut = z
  .object({
    name: z.string(),
    type: z.enum(["batch", "push"]),
    path: z.string().optional(),
    file_format: z.string().optional(),
    timestamp_field: z.string().optional(),
    created_timestamp_column: z.string().nullable().optional(),
    batch_source: z.string().optional(),
    description: z.string(),
    tags: Tags,
  })
  .openapi("DataSource");

export const DeleteResponse = z
  .object({ status: z.literal("deleted"), kind: z.string(), name: z.string(), registry_version: z.number().int() })
  .openapi("DeleteResponse");

export const NamePath = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) });

export const RefreshResponse = z
  .object({
    status: z.literal("success"),
    feature_views_count: z.number().int(),
    entities_count: z.number().int(),
    feature_services_count: z.number().int(),
    refreshed_at: z.string(),
    registry_version: z.number().int(),
    warnings: z.array(PathWarning),
  })
  .openapi("RefreshResponse");
