/**
 * `LarderClient`: one method per route of the API (the Feast-compatible
 * routes aside), typed from the server's schemas, plus helpers that follow
 * jobs to their end (see follow.ts). Every failure is a `LarderApiError`.
 *
 *   const larder = new LarderClient({ baseUrl: "http://127.0.0.1:8787", token, project: "ai_etl" });
 *   const { features } = await larder.getOnlineFeatures({ feature_service: "customer_features_v1",
 *     entities: { customer_id: ["cust_12345"] } });
 */
import { followHistoricalJob, followMaterialization, retrieveHistorical, type FollowOptions } from "./follow";
import { type CallOptions, type LarderClientOptions, Transport, withQuery } from "./transport";
import type * as T from "./types";

const enc = encodeURIComponent;

export class LarderClient {
  private readonly http: Transport;

  constructor(options: LarderClientOptions) {
    this.http = new Transport(options);
  }

  /** The server's origin, as normalised from `baseUrl`. */
  get origin(): string {
    return this.http.origin;
  }

  /** The project calls go to (undefined: the server's default). */
  get project(): string | undefined {
    return this.http.project;
  }

  /** The same client for another project. */
  withProject(project: string): LarderClient {
    return new LarderClient(this.http.with({ project }));
  }

  private get<R>(path: string, opts: CallOptions = {}, scoped = true): Promise<R> {
    return this.http.send<R>({ method: "GET", path, idempotent: true, scoped, ...opts });
  }

  private post<R>(path: string, body: unknown, idempotent: boolean, opts: CallOptions = {}): Promise<R> {
    return this.http.send<R>({ method: "POST", path, body, idempotent, ...opts });
  }

  private remove(path: string, opts: CallOptions = {}): Promise<T.DeleteResponse> {
    return this.http.send<T.DeleteResponse>({ method: "DELETE", path, idempotent: false, ...opts });
  }

  /** GET /health (no token needed). */
  health(opts?: CallOptions): Promise<T.HealthResponse> {
    return this.http.send({ method: "GET", path: "/health", idempotent: true, auth: false, scoped: false, ...opts });
  }

  /** GET /config: the project's configuration, never a secret. */
  config(opts?: CallOptions): Promise<T.ConfigResponse> {
    return this.get("/config", opts);
  }

  /** GET /openapi.json: the OpenAPI 3.1 document of the API. */
  openapi(opts?: CallOptions): Promise<Record<string, unknown>> {
    return this.get("/openapi.json", opts, false);
  }

  listFeatureViews(opts?: CallOptions): Promise<{ feature_views: T.FeatureView[] }> {
    return this.get("/feature-views", opts);
  }

  getFeatureView(name: string, opts?: CallOptions): Promise<T.FeatureView> {
    return this.get(`/feature-views/${enc(name)}`, opts);
  }

  listEntities(opts?: CallOptions): Promise<{ entities: T.Entity[] }> {
    return this.get("/entities", opts);
  }

  listFeatureServices(opts?: CallOptions): Promise<{ feature_services: T.FeatureService[] }> {
    return this.get("/feature-services", opts);
  }

  listPushSources(opts?: CallOptions): Promise<{ push_sources: T.PushSource[] }> {
    return this.get("/push-sources", opts);
  }

  listDataSources(opts?: CallOptions): Promise<{ data_sources: T.DataSource[] }> {
    return this.get("/data-sources", opts);
  }

  deleteFeatureView(name: string, opts?: CallOptions): Promise<T.DeleteResponse> {
    return this.remove(`/feature-views/${enc(name)}`, opts);
  }

  deleteEntity(name: string, opts?: CallOptions): Promise<T.DeleteResponse> {
    return this.remove(`/entities/${enc(name)}`, opts);
  }

  deleteFeatureService(name: string, opts?: CallOptions): Promise<T.DeleteResponse> {
    return this.remove(`/feature-services/${enc(name)}`, opts);
  }

  deletePushSource(name: string, opts?: CallOptions): Promise<T.DeleteResponse> {
    return this.remove(`/push-sources/${enc(name)}`, opts);
  }

  deleteDataSource(name: string, opts?: CallOptions): Promise<T.DeleteResponse> {
    return this.remove(`/data-sources/${enc(name)}`, opts);
  }

  /** POST /apply: atomic; with `replace: true` the body is the whole registry (objects it omits are deleted). */
  apply(body: T.ApplyRequest, opts?: CallOptions): Promise<T.ApplyResponse> {
    return this.post("/apply", body, Boolean(body.dry_run), opts);
  }

  /** POST /apply with `dry_run: true`: what apply would create, update and delete; changes nothing. */
  plan(body: T.ApplyRequest, opts?: CallOptions): Promise<T.ApplyResponse> {
    return this.post("/apply", { ...body, dry_run: true }, true, opts);
  }

  /** POST /refresh-registry: rebuild the registry snapshot from D1. */
  refreshRegistry(opts?: CallOptions): Promise<T.RefreshResponse> {
    return this.post("/refresh-registry", undefined, false, opts);
  }

  /** POST /online-features (a read: retried on 429/503). */
  getOnlineFeatures(body: T.OnlineFeaturesRequest, opts?: CallOptions): Promise<T.OnlineFeaturesResponse> {
    return this.post("/online-features", body, true, opts);
  }

  getPipelineFeatures(
    body: T.EntityFeaturesRequest<"pipeline_ids">,
    opts?: CallOptions,
  ): Promise<T.EntityFeaturesResponse> {
    return this.post("/pipeline-features", body, true, opts);
  }

  getUserFeatures(body: T.EntityFeaturesRequest<"user_ids">, opts?: CallOptions): Promise<T.EntityFeaturesResponse> {
    return this.post("/user-features", body, true, opts);
  }

  getConnectorFeatures(
    body: T.EntityFeaturesRequest<"connector_ids">,
    opts?: CallOptions,
  ): Promise<T.EntityFeaturesResponse> {
    return this.post("/connector-features", body, true, opts);
  }

  /** POST /push-features: rows validated one by one; bad rows come back in `errors`. Never retried. */
  pushFeatures(body: T.PushRequest, opts?: CallOptions): Promise<T.PushResponse> {
    return this.post("/push-features", body, false, opts);
  }

  /**
   * POST /data-sources/{name}/ingest: JSON rows (`{rows}`, at most 100,000) or a Parquet file's bytes.
   * Never retried (a repeat would append the rows twice).
   */
  ingest(
    source: string,
    rows: T.IngestRequest | Uint8Array | ArrayBuffer | Blob,
    opts?: CallOptions,
  ): Promise<T.IngestResponse> {
    const path = `/data-sources/${enc(source)}/ingest`;
    if (
      rows instanceof Uint8Array ||
      rows instanceof ArrayBuffer ||
      (typeof Blob !== "undefined" && rows instanceof Blob)
    ) {
      const raw = { body: rows as BodyInit, contentType: "application/vnd.apache.parquet" };
      return this.http.send({ method: "POST", path, raw, idempotent: false, ...opts });
    }
    return this.post(path, rows, false, opts);
  }

  /** POST /data-sources/{name}/scan: adopt Parquet files dropped under the source's prefix. */
  scanDataSource(source: string, body: T.ScanRequest = {}, opts?: CallOptions): Promise<T.ScanResponse> {
    return this.post(`/data-sources/${enc(source)}/scan`, body, false, opts);
  }

  /**
   * POST /historical-features: the joined rows and a signed Parquet link, or (large or `async`
   * requests) an accepted job; tell them apart with `isHistoricalJob`. Not retried.
   */
  getHistoricalFeatures(
    body: T.HistoricalHttpRequest,
    opts?: CallOptions,
  ): Promise<T.HistoricalResponse | T.HistoricalJobAccepted> {
    return this.post("/historical-features", body, false, opts);
  }

  /** GET /historical-features/{job_id}. */
  getHistoricalJob(jobId: string, opts?: CallOptions): Promise<T.HistoricalJobStatus> {
    return this.get(`/historical-features/${enc(jobId)}`, opts);
  }

  /** Polls a historical job until it completes or fails; resolves with its last status. */
  followHistoricalJob(jobId: string, opts?: FollowOptions<T.HistoricalJobStatus>): Promise<T.HistoricalJobStatus> {
    return followHistoricalJob(this, jobId, opts);
  }

  /** Historical features to the end: answered at once, or as a job followed to completion. */
  retrieveHistorical(body: T.HistoricalHttpRequest, opts?: FollowOptions<T.HistoricalJobStatus>) {
    return retrieveHistorical(this, body, opts);
  }

  /** GET a signed export link (`download_url`): the Parquet file's bytes. Sends no token. */
  downloadExport(downloadUrl: string, opts?: CallOptions): Promise<Uint8Array> {
    const path = new URL(downloadUrl, this.origin).toString();
    return this.http.send({
      method: "GET",
      path,
      idempotent: true,
      auth: false,
      scoped: false,
      response: "bytes",
      ...opts,
    });
  }

  /** POST /materialize: starts a job for [start_date, end_date]. Not retried. */
  materialize(body: T.MaterializeRequest, opts?: CallOptions): Promise<T.MaterializeResponse> {
    return this.post("/materialize", body, false, opts);
  }

  /** POST /materialize-incremental: from each view's materialized end up to `end_date` (default now). */
  materializeIncremental(
    body: T.MaterializeIncrementalRequest = {},
    opts?: CallOptions,
  ): Promise<T.MaterializeResponse> {
    return this.post("/materialize-incremental", body, false, opts);
  }

  /** GET /materialization-status/{id}. */
  getMaterializationStatus(id: string, opts?: CallOptions): Promise<T.MaterializationStatus> {
    return this.get(`/materialization-status/${enc(id)}`, opts);
  }

  /** Polls a materialization until it completes or fails; resolves with its last status. */
  followMaterialization(id: string, opts?: FollowOptions<T.MaterializationStatus>): Promise<T.MaterializationStatus> {
    return followMaterialization(this, id, opts);
  }

  /** GET /jobs: the project's materialization and historical jobs, newest first (`kind`, `status`, `limit`). */
  listJobs(query: T.JobsQuery = {}, opts?: CallOptions): Promise<T.JobsResponse> {
    return this.get(withQuery("/jobs", query), opts);
  }

  /** GET /feature-views/{name}/stats. */
  getFeatureViewStats(name: string, opts?: CallOptions): Promise<T.FeatureViewStats> {
    return this.get(`/feature-views/${enc(name)}/stats`, opts);
  }
}
