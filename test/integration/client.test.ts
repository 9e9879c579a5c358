/**
 * `larder/client` against the Worker in workerd: every method once, each
 * answer typed from the server's schemas, every failure a LarderApiError
 * with the envelope's code, details and request id.
 */
import { env, exports } from "cloudflare:workers";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { beforeEach, describe, expect, it } from "vitest";
import { type ApplyRequest, isHistoricalJob, LarderApiError, LarderClient } from "../../src/client";
import { applyDemo, SPEC_APPLY_BODY } from "./fixtures";
import { token } from "./helpers";
import { appendHistory, DAY } from "./offline-fixtures";
import { seedOnline } from "./seed";
import { captureTasks, drainTasks } from "./task-queue";

captureTasks();

const ORIGIN = "http://larder.test";
const toWorker = (request: Request) => exports.default.fetch(request);

async function client(scopes: string[] = ["admin"], project?: string): Promise<LarderClient> {
  return new LarderClient({ baseUrl: ORIGIN, token: await token({ scopes }), project, fetch: toWorker });
}

async function failure(work: Promise<unknown>): Promise<LarderApiError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LarderApiError);
  return err as LarderApiError;
}

const JAN = Date.parse("2024-01-01T00:00:00Z");
const now = Date.now();

beforeEach(async () => {
  await applyDemo();
  await seedOnline("customer", "customer_id", [
    { id: "cust_12345", e: now - 60_000, v: { age: 34, lifetime_value: 2450.5, segment: "premium" } },
  ]);
  await seedOnline("pipeline", "pipeline_id", [{ id: "pipe_001", e: now - 60_000, v: { success_rate_7d: 0.96 } }]);
  await seedOnline("user", "user_id", [{ id: "user_123", e: now - 60_000, v: { pipelines_created_30d: 4 } }]);
  await seedOnline("connector", "connector_id", [
    { id: "conn_pg_001", e: now - 60_000, v: { uptime_percentage_7d: 99.5 } },
  ]);
});

describe("LarderClient: system and registry", () => {
  it("health, config, openapi, and every list and get", async () => {
    const larder = await client();
    expect((await larder.health()).status).toBe("ok");
    expect((await larder.config()).project).toBe("ai_etl");
    expect((await larder.openapi()).openapi).toBe("3.1.0");
    const { feature_views } = await larder.listFeatureViews();
    expect(feature_views.map((v) => v.name)).toContain("customer");
    expect((await larder.getFeatureView("customer")).join_keys).toEqual(["customer_id"]);
    expect((await larder.listEntities()).entities.map((e) => e.name)).toContain("customer");
    expect((await larder.listFeatureServices()).feature_services.map((s) => s.name)).toContain("customer_features_v1");
    expect((await larder.listPushSources()).push_sources.map((s) => s.name)).toContain("customer_sessions");
    expect((await larder.listDataSources()).data_sources.map((s) => s.name)).toContain("support_source");
  });

  it("plan, apply, refresh and each delete", async () => {
    const larder = await client();
    // The JSON fixture's literals widen to string; the client's types want the schema's literals.
    const spec = SPEC_APPLY_BODY as ApplyRequest;
    const plan = await larder.plan(spec);
    expect(plan.status).toBe("planned");
    expect(plan.plan.create).toEqual(expect.arrayContaining([{ kind: "feature_views", name: "product_features" }]));
    expect((await larder.listFeatureViews()).feature_views.map((v) => v.name)).not.toContain("product_features");
    const applied = await larder.apply(spec);
    expect(applied).toMatchObject({ status: "success", feature_view: "product_features", dry_run: false });
    expect((await larder.refreshRegistry()).registry_version).toBeGreaterThan(applied.registry_version - 1);
    expect((await larder.deleteFeatureView("product_features")).status).toBe("deleted");
    expect((await larder.deleteDataSource("product_features_source")).kind).toBe("data_sources");
    await larder.apply({
      entities: [{ name: "gadget" }],
      feature_services: [{ name: "tmp_service", features: ["customer:age"] }],
      push_sources: [{ name: "tmp_push", batch_source: "support_source" }],
    });
    expect((await larder.deleteFeatureService("tmp_service")).name).toBe("tmp_service");
    expect((await larder.deletePushSource("tmp_push")).name).toBe("tmp_push");
    expect((await larder.deleteEntity("gadget")).name).toBe("gadget");
  });
});

describe("LarderClient: online", () => {
  it("reads online features and the entity shortcuts", async () => {
    const larder = await client(["online:read"]);
    const answer = await larder.getOnlineFeatures({
      features: ["customer:age", "customer:segment"],
      entities: { customer_id: ["cust_12345", "nobody"] },
      include_statuses: true,
    });
    expect(answer.features.cust_12345).toEqual({ age: 34, segment: "premium" });
    expect(answer.statuses?.nobody.age).toBe("NOT_FOUND");
    const pipe = await larder.getPipelineFeatures({
      pipeline_ids: ["pipe_001"],
      features: ["pipeline:success_rate_7d"],
    });
    expect(pipe.features.pipe_001.success_rate_7d).toBe(0.96);
    const user = await larder.getUserFeatures({ user_ids: ["user_123"], features: ["user:pipelines_created_30d"] });
    expect(user.features.user_123.pipelines_created_30d).toBe(4);
    const conn = await larder.getConnectorFeatures({
      connector_ids: ["conn_pg_001"],
      features: ["connector:uptime_percentage_7d"],
    });
    expect(conn.features.conn_pg_001.uptime_percentage_7d).toBe(99.5);
  });

  it("pushes rows and reports the bad ones", async () => {
    const larder = await client(["online:write"]);
    const answer = await larder.pushFeatures({
      push_source_name: "customer_realtime_updates",
      to: "online",
      features: [
        { customer_id: "cust_12345", event_timestamp: new Date(now).toISOString(), features: { cart_value: 3.5 } },
        { customer_id: "cust_12345", event_timestamp: "soon", features: {} },
      ],
    });
    expect(answer).toMatchObject({ accepted: 1, rejected: 1, written_online: 1 });
    expect(answer.errors[0].index).toBe(1);
  });
});

describe("LarderClient: offline, jobs and materialization", () => {
  /** Rows of the customer profile on day `day` of January 2024 (epoch ms for the store, RFC 3339 for the API). */
  const rows = (ids: string[], day: number, asText = false) =>
    ids.map((id, i) => ({
      customer_id: id,
      event_timestamp: asText ? new Date(JAN + day * DAY).toISOString() : JAN + day * DAY,
      age: 30 + i,
    }));

  it("ingests JSON rows and Parquet bytes, and scans", async () => {
    const larder = await client();
    const json = await larder.ingest("customer_profile_source", {
      rows: [...rows(["cust_001"], 1, true), { customer_id: 7 }],
    });
    expect(json).toMatchObject({ rows_written: 1, rejected: 1 });
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "customer_id", data: ["cust_002"], type: "STRING" },
        { name: "event_timestamp", data: [new Date(JAN + DAY)], type: "TIMESTAMP" },
        { name: "age", data: [41], type: "INT32" },
      ],
    });
    expect((await larder.ingest("customer_profile_source", new Uint8Array(parquet))).rows_written).toBe(1);
    expect((await larder.scanDataSource("customer_profile_source")).files_known).toBeGreaterThanOrEqual(1);
  });

  it("historical features at once, as a followed job, and the export downloaded", async () => {
    await appendHistory("customer_profile_source", rows(["cust_001", "cust_002"], 3));
    const larder = await client();
    const body = {
      features: ["customer:age"],
      entity_df: {
        customer_id: ["cust_001", "cust_002"],
        event_timestamp: ["2024-01-05T00:00:00Z", "2024-01-05T00:00:00Z"],
      },
    };
    const answer = await larder.getHistoricalFeatures(body);
    if (isHistoricalJob(answer)) throw new Error("expected rows");
    expect(answer.data.map((r) => r.age)).toEqual([30, 31]);
    const file = await larder.downloadExport(answer.download_url);
    expect((await parquetReadObjects({ file: file.buffer as ArrayBuffer })).map((r) => r.age)).toEqual([30, 31]);

    const job = await larder.getHistoricalFeatures({ ...body, async: true });
    if (!isHistoricalJob(job)) throw new Error("expected a job");
    expect((await larder.getHistoricalJob(job.job_id)).status).toBe("queued");
    const seen: string[] = [];
    const outcome = await larder.retrieveHistorical(
      { ...body, async: true },
      {
        intervalMs: 20,
        onProgress: (s) => {
          seen.push(s.status);
          if (s.status !== "completed") void drainTasks();
        },
      },
    );
    expect(outcome.job?.status).toBe("completed");
    expect(seen.at(-1)).toBe("completed");
    const exported = await larder.downloadExport(outcome.download_url);
    expect((await parquetReadObjects({ file: exported.buffer as ArrayBuffer })).map((r) => r.age)).toEqual([30, 31]);
    await drainTasks();
    expect((await larder.followHistoricalJob(job.job_id)).status).toBe("completed");
  });

  it("materializes, follows the job, reads the stats, and materializes incrementally", async () => {
    await appendHistory("customer_profile_source", rows(["cust_001", "cust_002"], 3));
    const larder = await client();
    const started = await larder.materialize({
      feature_views: ["customer"],
      start_date: "2024-01-01T00:00:00Z",
      end_date: "2024-01-31T00:00:00Z",
    });
    expect(started.status).toBe("queued");
    expect((await larder.getMaterializationStatus(started.materialization_id)).status).toBe("queued");
    await drainTasks();
    const progress: number[] = [];
    const done = await larder.followMaterialization(started.materialization_id, {
      onProgress: (s) => progress.push(s.progress.tasks_done),
    });
    expect(done).toMatchObject({ status: "completed", rows_materialized: 2, errors: [] });
    expect(progress.at(-1)).toBe(done.progress.tasks_total);
    const stats = await larder.getFeatureViewStats("customer");
    expect(stats.statistics.feature_stats.age).toMatchObject({ min: 30, max: 31, count: 2 });
    const incremental = await larder.materializeIncremental({
      feature_views: ["customer"],
      end_date: "2024-02-01T00:00:00Z",
    });
    expect(incremental.time_ranges.customer.start).toBe("2024-01-31T00:00:00.001Z");
    const jobs = await larder.listJobs({ kind: "materialize", limit: 1 });
    expect(jobs).toMatchObject({ project: "ai_etl", has_more: true });
    expect(jobs.jobs.map((j) => [j.job_id, j.trigger])).toEqual([[incremental.materialization_id, "incremental"]]);
    const completed = await larder.listJobs({ status: "completed" });
    expect(completed.jobs.map((j) => j.job_id)).toContain(started.materialization_id);
    expect((await larder.withProject("team_b").listJobs()).jobs).toEqual([]);
  });
});

describe("LarderClient: errors", () => {
  it("a bad token: UNAUTHENTICATED with status and the request id the client sent", async () => {
    const larder = new LarderClient({ baseUrl: ORIGIN, token: "not-a-jwt", fetch: toWorker });
    const err = await failure(larder.listFeatureViews());
    expect(err).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(err.requestId).toMatch(/^lc_[0-9a-f]{32}$/);
    expect(err.method).toBe("GET");
  });

  it("a missing scope, an unknown view (with its details), bad input", async () => {
    const reader = await client(["online:read"]);
    expect((await failure(reader.listFeatureViews())).code).toBe("FORBIDDEN");
    const larder = await client();
    const missing = await failure(larder.getFeatureViewStats("nope"));
    expect(missing).toMatchObject({ status: 404, code: "FEATURE_VIEW_NOT_FOUND", isNotFound: true });
    expect(missing.details.available_views).toContain("customer");
    const invalid = await failure(larder.getOnlineFeatures({ entities: {} }));
    expect(invalid.code).toBe("VALIDATION_ERROR");
    expect((await failure(larder.getMaterializationStatus("mat_nope"))).code).toBe("MATERIALIZATION_NOT_FOUND");
  });

  it("another project's data is out of reach through withProject", async () => {
    const larder = (await client(["admin"])).withProject("team_b");
    expect(larder.project).toBe("team_b");
    expect((await failure(larder.getFeatureView("customer"))).code).toBe("FEATURE_VIEW_NOT_FOUND");
    const limited = new LarderClient({
      baseUrl: ORIGIN,
      token: await token({ scopes: ["admin"], projects: ["ai_etl"] }),
      project: "team_b",
      fetch: toWorker,
    });
    expect((await failure(limited.listFeatureViews())).code).toBe("FORBIDDEN");
  });

  it("retries idempotent calls on 503 only, never a write", async () => {
    let failNext = 0;
    const calls: string[] = [];
    const flaky = async (request: Request) => {
      calls.push(`${request.method} ${new URL(request.url).pathname}`);
      if (failNext-- > 0) return new Response("busy", { status: 503, headers: { "retry-after": "0" } });
      return toWorker(request);
    };
    const larder = new LarderClient({ baseUrl: ORIGIN, token: await token(), fetch: flaky, retryDelayMs: 1 });
    failNext = 2;
    expect((await larder.listEntities()).entities.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(3);
    calls.length = 0;
    failNext = 1;
    const err = await failure(
      larder.pushFeatures({ push_source_name: "customer_sessions", features: [{ customer_id: "x" }] }),
    );
    expect(err).toMatchObject({ status: 503, code: "HTTP_503" });
    expect(calls).toHaveLength(1);
    expect(env.AUTH_JWT_SECRET).toBeTruthy();
  });
});
