/**
 * Schemas of the Feast-compatible routes (`/feast/*`). Request fields and
 * defaults are those of the pydantic models in Feast's
 * `sdk/python/feast/feature_server.py` (`GetOnlineFeaturesRequest`,
 * `PushFeaturesRequest`, `WriteToFeatureStoreRequest`); unknown fields are
 * ignored, as pydantic does. The response is the JSON form of Feast's
 * `GetOnlineFeaturesResponse` proto as `MessageToDict` writes it after
 * `feast.proto_json.patch()`: plain values, enum names, RFC 3339 timestamps.
 */
import { z } from "@hono/zod-openapi";

/** A pandas-style columnar frame: column name → values, one per row. */
const Df = z.record(z.string(), z.array(z.unknown())).openapi({
  description:
    "Columnar rows (pandas `df.to_dict(orient='list')`): join keys, `event_timestamp` (or the source's timestamp field), optional `created`, features",
});

export const FeastOnlineFeaturesRequest = z
  .object({
    entities: z.record(z.string(), z.array(z.unknown())).openapi({
      description:
        "Columns of entity values. A column that is not a join key (or, Feast's deprecated form, a single-key entity's name) of a requested view is ignored, as Feast ignores it",
      example: { customer_id: ["cust_12345", "cust_67890"] },
    }),
    feature_service: z.string().optional().openapi({ example: "customer_features_v1" }),
    features: z
      .array(z.string())
      .optional()
      .openapi({ example: ["customer:age", "customer:segment"] }),
    full_feature_names: z.boolean().default(false),
    include_feature_view_version_metadata: z
      .boolean()
      .default(false)
      .openapi({ description: "Accepted for compatibility; Larder's views have no versions" }),
  })
  .openapi("FeastOnlineFeaturesRequest");

export const FieldStatus = z
  .enum(["PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE"])
  .openapi("FeastFieldStatus");

export const FeastOnlineFeaturesResponse = z
  .object({
    metadata: z.object({
      feature_names: z
        .array(z.string())
        .openapi({ description: "Join keys (request order), then features (`view__feature` with full_feature_names)" }),
    }),
    results: z
      .array(
        z.object({
          values: z.array(z.unknown()),
          statuses: z.array(FieldStatus),
          event_timestamps: z
            .array(z.string())
            .openapi({ description: "RFC 3339 UTC; `1970-01-01T00:00:00Z` for join keys and values not found" }),
        }),
      )
      .openapi({ description: "One entry per feature_names entry, values across the entity rows" }),
  })
  .openapi("FeastOnlineFeaturesResponse", {
    example: {
      metadata: { feature_names: ["customer_id", "age"] },
      results: [
        { values: ["cust_12345"], statuses: ["PRESENT"], event_timestamps: ["1970-01-01T00:00:00Z"] },
        { values: [34], statuses: ["PRESENT"], event_timestamps: ["2024-06-30T15:00:00Z"] },
      ],
    },
  });

export const FeastPushRequest = z
  .object({
    push_source_name: z.string().min(1).openapi({ example: "customer_realtime_updates" }),
    df: Df.openapi({
      example: { customer_id: ["cust_12345"], event_timestamp: ["2024-06-30T15:45:23Z"], cart_value: [156.5] },
    }),
    to: z
      .enum(["online", "offline", "online_and_offline"])
      .default("online")
      .openapi({ description: "Feast's default: online" }),
    allow_registry_cache: z
      .boolean()
      .default(true)
      .openapi({ description: "Accepted for compatibility; the registry snapshot is always used" }),
    transform_on_write: z
      .boolean()
      .default(true)
      .openapi({ description: "Accepted for compatibility (no on-demand transformations)" }),
  })
  .openapi("FeastPushRequest");

export const FeastWriteToOnlineStoreRequest = z
  .object({
    feature_view_name: z.string().min(1).openapi({ example: "customer" }),
    df: Df.openapi({
      example: {
        customer_id: ["cust_12345"],
        age: [34],
        segment: ["premium"],
        event_timestamp: ["2024-06-30T15:45:23"],
        created: [null],
      },
    }),
    allow_registry_cache: z
      .boolean()
      .default(true)
      .openapi({ description: "Accepted for compatibility; the registry snapshot is always used" }),
    transform_on_write: z
      .boolean()
      .default(true)
      .openapi({ description: "Accepted for compatibility (no on-demand transformations)" }),
  })
  .openapi("FeastWriteToOnlineStoreRequest");

/** Feast answers a successful write (or synchronous materialization) with the JSON `null` of a `-> None` FastAPI handler. */
export const FeastNull = z.null().openapi("FeastNull", { description: "JSON null, as Feast's feature server answers" });

/**
 * Feast's error body: `FeastError.to_error_detail()` is a JSON *string*
 * (`{"module", "class", "message"}`) that FastAPI's JSONResponse encodes
 * again, so the body is a JSON string literal. Feast's REST client decodes
 * it with `FeastError.from_error_detail(response.json())` and re-raises the
 * class.
 */
export const FeastErrorBody = z.string().openapi("FeastErrorDetail", {
  description: 'JSON-encoded string holding {"module": "feast.errors", "class": <exception class>, "message": <text>}',
  example:
    '{"module": "feast.errors", "class": "FeatureViewNotFoundException", "message": "Feature view nope does not exist in project ai_etl"}',
});

export const feastError = (description: string) => ({
  description,
  content: { "application/json": { schema: FeastErrorBody } },
});

/** Error answers every authenticated Feast route can give. */
export const feastErrors = {
  400: feastError("Invalid request (FeastError, FeatureNameCollisionError)"),
  401: feastError("Missing or invalid bearer token (FeastError)"),
  403: feastError("Token lacks the scope or the project (FeastPermissionError)"),
  404: feastError(
    "Feature view, feature service, entity or feature not found (FeatureViewNotFoundException, FeatureServiceNotFoundException, EntityNotFoundException, FeastObjectNotFoundException)",
  ),
} as const;

export const feastPushNotFound = { 422: feastError("Push source not found (PushSourceNotFoundException)") } as const;

/**
 * Feast's `GetOnlineDocumentsRequest` (POST /search and its deprecated alias
 * /retrieve-online-documents): vector or text search over online documents.
 * Validated so a malformed body gets a 400, then answered 501: Larder keeps no
 * document embeddings.
 */
export const FeastDocumentsRequest = z
  .object({
    feature_service: z.string().nullish(),
    features: z.array(z.string()).default([]),
    full_feature_names: z.boolean().default(false),
    include_feature_view_version_metadata: z.boolean().default(false),
    top_k: z.number().int().nullish(),
    query: z.array(z.number()).nullish(),
    query_string: z.string().nullish(),
    distance_metric: z.string().nullish(),
    api_version: z.number().int().nullish(),
    filters: z.record(z.string(), z.unknown()).nullish(),
  })
  .openapi("FeastDocumentsRequest");

export const feastNotSupported = {
  501: feastError("Not supported by Larder (FeastError): document search needs vector storage Larder does not have"),
} as const;
