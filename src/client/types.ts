/**
 * Request and response types of the API, derived from the very zod schemas
 * the server validates with (`z.input` for what a caller may send, defaults
 * optional; `z.infer` for what the server answers). Type-only imports: no
 * zod code reaches a bundle of the client.
 */
import type { z } from "zod";
import type * as historical from "../schemas/historical";
import type * as jobs from "../schemas/jobs";
import type * as materialize from "../schemas/materialize";
import type * as offline from "../schemas/offline";
import type * as online from "../schemas/online";
import type * as registry from "../schemas/registry";
import type * as system from "../schemas/system";

export type HealthResponse = z.infer<typeof system.HealthResponse>;
export type ConfigResponse = z.infer<typeof system.ConfigResponse>;

export type ApplyRequest = z.input<typeof registry.ApplyRequest>;
export type ApplyResponse = z.infer<typeof registry.ApplyResponse>;
export type ApplyPlan = z.infer<typeof registry.ApplyPlan>;
export type RefreshResponse = z.infer<typeof registry.RefreshResponse>;
export type DeleteResponse = z.infer<typeof registry.DeleteResponse>;
export type EntityInput = z.input<typeof registry.EntityInput>;
export type DataSourceInput = z.input<typeof registry.DataSourceInput>;
export type FeatureViewInput = z.input<typeof registry.FeatureViewInput>;
export type FeatureServiceInput = z.input<typeof registry.FeatureServiceInput>;
export type PushSourceInput = z.input<typeof registry.PushSourceInput>;
export type FeatureView = z.infer<typeof registry.FeatureViewOut>;
export type Entity = z.infer<typeof registry.EntityOut>;
export type FeatureService = z.infer<typeof registry.FeatureServiceOut>;
export type PushSource = z.infer<typeof registry.PushSourceOut>;
export type DataSource = z.infer<typeof registry.DataSourceOut>;

export type OnlineFeaturesRequest = z.input<typeof online.OnlineFeaturesRequest>;
export type OnlineFeaturesResponse = z.infer<typeof online.OnlineFeaturesResponse>;
export type EntityFeaturesResponse = z.infer<typeof online.EntityFeaturesResponse>;
/** One entity value: a string, or a number for integer join keys. */
export type EntityValue = OnlineFeaturesRequest["entities"][string][number];
/** The pipeline / user / connector routes: `<ids>` of one entity, features of its view. */
export type EntityFeaturesRequest<Ids extends string> = Record<Ids, EntityValue[]> &
  Pick<OnlineFeaturesRequest, "features" | "full_feature_names" | "include_statuses">;

export type PushRequest = z.input<typeof online.PushRequest>;
export type PushResponse = z.infer<typeof online.PushResponse>;

export type IngestRequest = z.input<typeof offline.IngestRequest>;
export type IngestResponse = z.infer<typeof offline.IngestResponse>;
export type ScanRequest = z.input<typeof offline.ScanRequest>;
export type ScanResponse = z.infer<typeof offline.ScanResponse>;

/** The inline form (the binding's). */
export type HistoricalRequest = z.input<typeof historical.HistoricalRequest>;
/** The HTTP route's: `entity_df` inline, or `entity_df_path` naming a Parquet file in R2. */
export type HistoricalHttpRequest = z.input<typeof historical.HistoricalHttpRequest>;
export type HistoricalResponse = z.infer<typeof historical.HistoricalResponse>;
export type HistoricalJobAccepted = z.infer<typeof historical.HistoricalJobAccepted>;
export type HistoricalJobStatus = z.infer<typeof historical.HistoricalJobStatus>;

export type MaterializeRequest = z.input<typeof materialize.MaterializeRequest>;
export type MaterializeIncrementalRequest = z.input<typeof materialize.MaterializeIncrementalRequest>;
export type MaterializeResponse = z.infer<typeof materialize.MaterializeResponse>;
export type MaterializationStatus = z.infer<typeof materialize.MaterializationStatus>;
export type FeatureViewStats = z.infer<typeof materialize.FeatureViewStats>;

/** GET /jobs filters (the project comes from the client; `limit` defaults to 20, at most 100). */
export type JobsQuery = Partial<Omit<z.infer<typeof jobs.JobsQuery>, "project">>;
export type JobsResponse = z.infer<typeof jobs.JobsResponse>;
export type JobSummary = z.infer<typeof jobs.JobSummary>;

/** Job states shared by materialization and historical jobs. */
export type JobState = MaterializationStatus["status"];
