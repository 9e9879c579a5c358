import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { captureTasks, deliverTasks, drainTasks, sentTasks } from "./task-queue";
import { call, expectStatus, token } from "./helpers";
import { applyDemo, DEMO } from "./fixtures";
import { appendHistory, DAY, HOUR, useBuckets } from "./offline-fixtures";

captureTasks();

const NOW = Date.now();
const START = new Date(NOW - 10 * DAY).toISOString();
const END = new Date(NOW).toISOString();

/** Two files of customer history (36 h and 12 h ago) for `n` customers, plus transactions. */
async function loadHistory(n: number) {
  const older: Record<string, unknown>[] = [];
  const newer: Record<string, unknown>[] = [];
  const tx: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c${String(i).padStart(5, "0")}`;
    older.push({
      customer_id: id,
      event_timestamp: NOW - 1.5 * DAY,
      created_timestamp: NOW - 1.5 * DAY,
      age: 20 + (i % 50),
      lifetime_value: i,
      segment: "old",
    });
    newer.push({
      customer_id: id,
      event_timestamp: NOW - 0.5 * DAY,
      created_timestamp: NOW - 0.5 * DAY,
      age: 21 + (i % 50),
      lifetime_value: i * 2,
      segment: i % 10 === 0 ? null : "new",
    });
    tx.push({
      customer_id: id,
      event_timestamp: NOW - 2 * HOUR,
      created_timestamp: null,
      total_count_30d: i,
      count_30d: i,
      avg_amount_30d: 10.5,
      total_amount_30d: 10.5 * i,
    });
  }
  await appendHistory("customer_profile_source", older);
  await appendHistory("customer_profile_source", newer);
  await appendHistory("transactions_source", tx);
  return { older, newer };
}

async function online(ids: string[], features = ["customer:age", "customer:lifetime_value", "customer:segment"]) {
  return await expectStatus(
    call("POST", "/online-features", { body: { features, entities: { customer_id: ids }, include_statuses: true } }),
    200,
  );
}

beforeEach(async () => {
  await applyDemo();
  // Job mechanics with one task per view (bucketed plans: materialize-buckets.test.ts).
  await useBuckets("customer_profile_source", 1);
  await useBuckets("transactions_source", 1);
});

describe("POST /materialize", () => {
  it("materializes several files and views into KV with real counts, and answers in the specification's shape", async () => {
    await loadHistory(1000);
    const started = await expectStatus(
      call("POST", "/materialize", {
        body: { feature_views: ["customer", "transactions"], start_date: START, end_date: END, project: "ai_etl" },
      }),
      202,
    );
    expect(started).toMatchObject({
      status: "queued",
      feature_views: ["customer", "transactions"],
      time_range: { start: START, end: END },
      estimated_rows: 3000,
      estimated_duration_seconds: null,
      progress_url: `/api/v1/features/materialization-status/${started.materialization_id}`,
    });
    expect(started.materialization_id).toMatch(/^mat_/);
    expect(sentTasks.map((t) => t.kind)).toEqual(["materialize", "materialize"]);

    await drainTasks();
    // 1000 entities per view: 900 written by each scan task, 100 by a write task.
    const status = await expectStatus(call("GET", `/materialization-status/${started.materialization_id}`), 200);
    expect(status).toMatchObject({
      status: "completed",
      rows_materialized: 2000,
      rows_read: 3000,
      errors: [],
      progress: { tasks_done: 4, tasks_total: 4, tasks_failed: 0, fraction: 1 },
    });
    expect(Date.parse(status.completed_at)).not.toBeNaN();
    expect(typeof status.duration_seconds).toBe("number");

    const read = await online(["c00000", "c00010", "c00999"]);
    expect(read.features.c00000).toEqual({ age: 21, lifetime_value: 0, segment: null });
    expect(read.features.c00999).toEqual({ age: 21 + (999 % 50), lifetime_value: 1998, segment: "new" });
    const tx = await online(["c00999"], ["transactions:count_30d"]);
    expect(tx.features.c00999.count_30d).toBe(999);

    // The view's interval is recorded, so the single-view apply now reports it ready.
    const applied = await expectStatus(
      call("POST", "/apply", { body: { feature_view: DEMO.feature_views[0], dry_run: true } }),
      200,
    );
    expect(applied).toMatchObject({ online_store_ready: true, materialization_required: false });

    // A second run changes nothing and now has a measured throughput to estimate from.
    const again = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["customer"], start_date: START, end_date: END } }),
      202,
    );
    expect(typeof again.estimated_duration_seconds).toBe("number");
    await drainTasks();
    const secondStatus = await expectStatus(call("GET", `/materialization-status/${again.materialization_id}`), 200);
    expect(secondStatus.status).toBe("completed");
    expect((await online(["c00999"])).features.c00999).toEqual(read.features.c00999);
  }, 60_000);

  it("takes only rows inside the window, and never regresses a newer pushed value", async () => {
    await loadHistory(5);
    // A newer value pushed after the history: materialization must not overwrite it.
    await expectStatus(
      call("POST", "/apply", {
        body: { push_sources: [{ name: "profile_push", batch_source: "customer_profile_source" }] },
      }),
      200,
    );
    await expectStatus(
      call("POST", "/push-features", {
        body: {
          push_source_name: "profile_push",
          to: "online",
          features: [
            { customer_id: "c00001", event_timestamp: new Date(NOW - HOUR).toISOString(), features: { age: 99 } },
          ],
        },
      }),
      200,
    );
    const windowEnd = new Date(NOW - DAY).toISOString(); // before the newer file
    const started = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["customer"], start_date: START, end_date: windowEnd } }),
      202,
    );
    await drainTasks();
    expect((await expectStatus(call("GET", `/materialization-status/${started.materialization_id}`), 200)).status).toBe(
      "completed",
    );
    const read = await online(["c00000", "c00001"]);
    expect(read.features.c00000).toEqual({ age: 20, lifetime_value: 0, segment: "old" });
    expect(read.features.c00001.age).toBe(99);
  });

  it("keeps serving online reads while a job runs", async () => {
    await loadHistory(50);
    const started = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["customer"], start_date: START, end_date: END } }),
      202,
    );
    const task = sentTasks.shift()!;
    const [, read] = await Promise.all([deliverTasks([task]), online(["c00001"])]);
    expect(read.metadata.entities_count).toBe(1);
    await drainTasks();
    expect((await expectStatus(call("GET", `/materialization-status/${started.materialization_id}`), 200)).status).toBe(
      "completed",
    );
  });

  it("retries a task that fails once and still counts right", async () => {
    await loadHistory(20);
    const started = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["customer"], start_date: START, end_date: END } }),
      202,
    );
    const task = sentTasks.shift()!;
    // The first attempt finds one file missing from R2.
    const list = await env.OFFLINE_STORE.list({ prefix: "offline/ai_etl/customer_profile_source/" });
    const victim = list.objects[0].key;
    const saved = await (await env.OFFLINE_STORE.get(victim))!.arrayBuffer();
    await env.OFFLINE_STORE.delete(victim);
    const first = await deliverTasks([task]);
    expect(first.retryMessages).toHaveLength(1);
    await env.OFFLINE_STORE.put(victim, saved);
    await deliverTasks([task], 2);
    await deliverTasks([task], 3); // a redelivery after success
    const status = await expectStatus(call("GET", `/materialization-status/${started.materialization_id}`), 200);
    expect(status).toMatchObject({
      status: "completed",
      rows_materialized: 20,
      rows_read: 40,
      progress: { tasks_done: 1, tasks_total: 1 },
    });
  });

  it("a task that always fails ends the job failed with its error; a corrupt file is named", async () => {
    await loadHistory(5);
    const list = await env.OFFLINE_STORE.list({ prefix: "offline/ai_etl/customer_profile_source/" });
    const corrupt = list.objects[0].key;
    await env.OFFLINE_STORE.put(
      corrupt,
      "this is not parquet at all, just text long enough to not be a footer".repeat(4),
    );
    await env.DB.prepare("UPDATE offline_files SET bytes = ? WHERE path = ?").bind(272, corrupt).run();
    const started = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["customer"], start_date: START, end_date: END } }),
      202,
    );
    const task = sentTasks.shift()!;
    for (let attempt = 1; attempt <= 4; attempt++)
      expect((await deliverTasks([task], attempt)).retryMessages).toHaveLength(1);
    await deliverTasks([task], 5, "larder-materialize-dlq");
    const status = await expectStatus(call("GET", `/materialization-status/${started.materialization_id}`), 200);
    expect(status.status).toBe("failed");
    expect(status.errors).toEqual([{ task: task.task_id, reason: expect.stringContaining(corrupt) }]);
    expect(status.progress.tasks_failed).toBe(1);
  });

  it("rejects bad requests", async () => {
    const cases: [unknown, number, string][] = [
      [{ feature_views: ["customer_features"], start_date: START, end_date: END }, 404, "FEATURE_VIEW_NOT_FOUND"],
      [{ feature_views: ["customer"], start_date: "yesterday", end_date: END }, 400, "VALIDATION_ERROR"],
      [{ feature_views: ["customer"], start_date: END, end_date: START }, 400, "VALIDATION_ERROR"],
      [{ feature_views: [], start_date: START, end_date: END }, 400, "VALIDATION_ERROR"],
      [{ start_date: START, end_date: END }, 400, "VALIDATION_ERROR"],
    ];
    for (const [body, status, code] of cases)
      expect((await expectStatus(call("POST", "/materialize", { body }), status)).error.code).toBe(code);
    expect((await expectStatus(call("GET", "/materialization-status/mat_nope"), 404)).error.code).toBe(
      "MATERIALIZATION_NOT_FOUND",
    );
  });

  it("needs the materialize scope", async () => {
    const body = { feature_views: ["customer"], start_date: START, end_date: END };
    await expectStatus(call("POST", "/materialize", { body, token: null }), 401);
    await expectStatus(call("POST", "/materialize", { body, token: await token({ scopes: ["online:write"] }) }), 403);
    await expectStatus(
      call("POST", "/materialize", {
        body: { ...body, project: "other" },
        token: await token({ scopes: ["materialize"], projects: ["ai_etl"] }),
      }),
      403,
    );
    await expectStatus(
      call("POST", "/materialize-incremental", { body: {}, token: await token({ scopes: ["online:read"] }) }),
      403,
    );
    await expectStatus(
      call("GET", "/materialization-status/x", { token: await token({ scopes: ["online:read"] }) }),
      403,
    );
  });
});

describe("POST /materialize-incremental", () => {
  it("starts where the last interval ended", async () => {
    await loadHistory(5);
    const first = await expectStatus(
      call("POST", "/materialize", {
        body: { feature_views: ["customer"], start_date: START, end_date: new Date(NOW - DAY).toISOString() },
      }),
      202,
    );
    await drainTasks();
    expect((await online(["c00000"])).features.c00000.segment).toBe("old");
    const next = await expectStatus(
      call("POST", "/materialize-incremental", { body: { feature_views: ["customer"] } }),
      202,
    );
    expect(Date.parse(next.time_range.start)).toBe(NOW - DAY + 1);
    expect(next.estimated_rows).toBe(5);
    await drainTasks();
    expect((await online(["c00000"])).features.c00000.segment).toBeNull();
    expect(first.materialization_id).not.toBe(next.materialization_id);
  });
});

describe("GET /feature-views/{name}/stats", () => {
  it("reports statistics computed from what materialization read", async () => {
    const { older, newer } = await loadHistory(200);
    const started = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["customer"], start_date: START, end_date: END } }),
      202,
    );
    await drainTasks();
    const body = await expectStatus(call("GET", "/feature-views/customer/stats"), 200);
    const rows = [...older, ...newer];
    const ages = rows.map((r) => r.age as number);
    const mean = ages.reduce((s, a) => s + a, 0) / ages.length;
    const std = Math.sqrt(ages.reduce((s, a) => s + (a - mean) ** 2, 0) / ages.length);
    expect(body.feature_view).toBe("customer");
    expect(body.statistics.online_store_records).toBe(200);
    expect(body.statistics.offline_store_records).toBe(400);
    expect(Math.abs(body.statistics.total_entities - 200)).toBeLessThanOrEqual(6);
    expect(body.statistics.last_materialization).toBe(
      (await expectStatus(call("GET", `/materialization-status/${started.materialization_id}`), 200)).completed_at,
    );
    expect(Math.abs(body.statistics.freshness_seconds - 43200)).toBeLessThan(120);
    expect(body.statistics.feature_stats.age.mean).toBeCloseTo(mean, 9);
    expect(body.statistics.feature_stats.age.std).toBeCloseTo(std, 9);
    expect(body.statistics.feature_stats.age).toMatchObject({ min: 20, max: 70, null_percentage: 0 });
    expect(body.statistics.feature_stats.segment).toMatchObject({ mean: null, null_percentage: 20 / 400 });
    expect(body.statistics.feature_stats.lifetime_value.max).toBe(398);
    // Distributions: counted from the same rows, in fixed bins and as top values.
    const histogram = body.statistics.feature_stats.age.histogram as { low: number; high: number; count: number }[];
    expect(histogram.reduce((n, b) => n + b.count, 0)).toBe(ages.length);
    for (const age of new Set(ages)) {
      const bin = histogram.find((b) => age >= b.low && age < b.high);
      expect(bin?.count).toBeGreaterThanOrEqual(ages.filter((a) => a === age).length);
    }
    const segments = rows.map((r) => r.segment).filter((v) => v !== null);
    const top = body.statistics.feature_stats.segment.top_values as { value: string; count: number }[];
    expect(body.statistics.feature_stats.segment.top_values_max_undercount).toBe(0);
    for (const { value, count } of top) expect(count).toBe(segments.filter((v) => v === value).length);
  });

  it("is honest before any materialization, and refuses unknown views", async () => {
    const body = await expectStatus(call("GET", "/feature-views/support/stats"), 200);
    expect(body.statistics).toEqual({
      total_entities: null,
      online_store_records: 0,
      offline_store_records: 0,
      last_materialization: null,
      freshness_seconds: null,
      feature_stats: {},
    });
    const err = await expectStatus(call("GET", "/feature-views/customer_features/stats"), 404);
    expect(err.error).toMatchObject({
      code: "FEATURE_VIEW_NOT_FOUND",
      details: { available_views: expect.arrayContaining(["customer"]) },
    });
    await expectStatus(
      call("GET", "/feature-views/customer/stats", { token: await token({ scopes: ["online:read"] }) }),
      403,
    );
  });
});
