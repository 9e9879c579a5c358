/**
 * Schemas of Feast's materialization routes, with the fields and defaults of
 * the pydantic models in Feast's sdk/python/feast/feature_server.py
 * (`MaterializeRequest`, `MaterializeIncrementalRequest`) and its query
 * flags (`?async=`, `?force=`). Unknown fields are ignored, as pydantic does.
 */
import { z } from "@hono/zod-openapi";

export const FeastMaterializeRequest = z
  .object({
    start_ts: z.string().nullish().openapi({
      description: "Required unless disable_event_timestamp (then the window is 1970-01-01 to now, as Feast's)",
      example: "2024-06-01T00:00:00",
    }),
    end_ts: z.string().nullish().openapi({ example: "2024-06-30T23:59:59" }),
    feature_views: z
      .array(z.string())
      .nullish()
      .openapi({ description: "Views to materialize; null or absent: every online view" }),
    disable_event_timestamp: z.boolean().default(false),
    full_feature_names: z
      .boolean()
      .default(false)
      .openapi({ description: "Accepted for compatibility (it only names on-demand view outputs in Feast)" }),
    version: z
      .string()
      .nullish()
      .openapi({ description: "Feast's feature-view versions are not supported: a version is refused with a 400" }),
  })
  .openapi("FeastMaterializeRequest");

export const FeastMaterializeIncrementalRequest = z
  .object({
    end_ts: z.string().openapi({ example: "2024-06-30T23:59:59" }),
    feature_views: z.array(z.string()).nullish(),
    full_feature_names: z.boolean().default(false),
    version: z.string().nullish(),
  })
  .openapi("FeastMaterializeIncrementalRequest");

/** FastAPI's reading of a bool query parameter (pydantic's lax bool). */
export const QUERY_BOOL = /^(true|false|1|0|yes|no|on|off|t|f|y|n)$/i;
const QueryBool = z.string().regex(QUERY_BOOL, "expected true or false");

/** The query flags of both materialize routes (a shape: each Feast scope adds its own project parameter). */
export const feastMaterializeFlags = {
  async: QueryBool.optional().openapi({
    description: "true: answer 202 as soon as the job is started, as Feast's ?async=true; default: wait for the job",
  }),
  force: QueryBool.optional().openapi({
    description: "Accepted for compatibility: Larder has no MATERIALIZING state to override (jobs may overlap safely)",
  }),
};

export const FeastMaterializeAccepted = z
  .object({
    status: z.literal("accepted"),
    feature_views: z.array(z.string()),
    materialization_id: z.string().nullable().openapi({
      description: "Larder's job id (Feast's answer has no id); null when no online view was to materialize",
    }),
    progress_url: z.string().nullable(),
  })
  .openapi("FeastMaterializeAccepted");
