import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { offlineColumns, readParquet, writeParquet } from "../../src/offline/parquet";
import { captureTasks, sentTasks } from "./task-queue";
import { call, expectStatus } from "./helpers";
import { applyDemo } from "./fixtures";
import { appendHistory, DAY, HOUR, useBuckets } from "./offline-fixtures";

const NOW = Date.now();
captureTasks();

async function runCron(at = NOW) {
  const controller = createScheduledController({ scheduledTime: new Date(at), cron: "*/5 * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

async function setMaterializedEnd(view: string, end: number | null) {
  await env.DB.prepare("UPDATE feature_views SET materialized_end = ? WHERE project = 'ai_etl' AND name = ?")
    .bind(end === null ? null : new Date(end).toISOString(), view)
    .run();
}

beforeEach(async () => {
  await applyDemo();
  await useBuckets("support_source", 1);
});

describe("cron", () => {
  it("starts incremental materialization only for views whose schedule is due, visible through the status route", async () => {
    await setMaterializedEnd("customer", NOW - 30 * 60_000); // 1h schedule: not due
    await setMaterializedEnd("transactions", NOW - 2 * HOUR); // 1h: due
    await setMaterializedEnd("support", NOW - 2 * HOUR); // 1d: not due
    await setMaterializedEnd("user", NOW - 2 * DAY); // 1d: due
    // pipeline and connector (1h) were never materialized: due. customer_realtime has no schedule.
    await runCron();
    const jobs = await env.DB.prepare("SELECT id, spec FROM jobs WHERE kind = 'materialize'").all<{
      id: string;
      spec: string;
    }>();
    expect(jobs.results).toHaveLength(1);
    const spec = JSON.parse(jobs.results[0].spec);
    expect(spec.trigger).toBe("cron");
    expect([...spec.feature_views].sort()).toEqual(["connector", "pipeline", "transactions", "user"]);
    expect(spec.windows.transactions).toEqual({ start: NOW - 2 * HOUR + 1, end: NOW });
    const status = await expectStatus(call("GET", `/materialization-status/${jobs.results[0].id}`), 200);
    // No files in those windows: the job completes at once and the intervals advance.
    expect(status.status).toBe("completed");
    await runCron(NOW + 60_000);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs").first<{ n: number }>())!.n).toBe(1);
  });

  it("discovers files users drop under a batch source and adopts them into the bucketed layout", async () => {
    await setMaterializedEnd("customer", NOW);
    const bytes = writeParquet(
      offlineColumns([{ name: "customer_id", type: "STRING" }], [{ name: "age", dtype: "int32" }]),
      [{ customer_id: "dropped", event_timestamp: NOW - HOUR, age: 41 }],
    );
    const key = "offline/ai_etl/customer_profile_source/date=2026-01-01/from-spark.parquet";
    await env.OFFLINE_STORE.put(key, bytes);
    await runCron();
    const files = await env.DB.prepare("SELECT path, origin, rows, min_event_ts FROM offline_files").all();
    expect(files.results).toEqual([
      {
        path: expect.stringMatching(/^offline\/ai_etl\/customer_profile_source\/bucket=\d+\/month=\d{4}-\d{2}\/adopt-/),
        origin: "adopted",
        rows: 1,
        min_event_ts: NOW - HOUR,
      },
    ]);
    const adoption = await env.DB.prepare("SELECT rows, rows_done FROM offline_adopted_files WHERE path = ?")
      .bind(key)
      .first();
    expect(adoption).toEqual({ rows: 1, rows_done: 1 });
    // Adopted once: a second run finds nothing new.
    await runCron(NOW + 60_000);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM offline_files").first<{ n: number }>())!.n).toBe(1);
  });

  it("compacts the files of a bucket and a month that is over into one, keeping every row", async () => {
    const day = Date.parse("2024-03-01T00:00:00Z");
    for (let f = 0; f < 5; f++)
      await appendHistory("support_source", [
        {
          customer_id: `c${f}`,
          event_timestamp: day + f * HOUR,
          ticket_count_90d: f,
          open_tickets: 0,
          avg_resolution_hours: 1.5,
        },
      ]);
    expect(
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM offline_files WHERE source = 'support_source'").first<{
        n: number;
      }>())!.n,
    ).toBe(5);
    await runCron();
    const files = await env.DB.prepare(
      "SELECT path, rows, origin FROM offline_files WHERE source = 'support_source'",
    ).all<{ path: string; rows: number; origin: string }>();
    expect(files.results).toEqual([
      { path: expect.stringContaining("bucket=0/month=2024-03/"), rows: 5, origin: "compaction" },
    ]);
    expect((await env.OFFLINE_STORE.list({ prefix: "offline/ai_etl/support_source/" })).objects).toHaveLength(1);
    const history = await expectStatus(
      call("POST", "/historical-features", {
        body: {
          features: ["support:ticket_count_90d"],
          entity_df: { customer_id: ["c0", "c4"], event_timestamp: ["2024-03-01T12:00:00Z", "2024-03-01T12:00:00Z"] },
        },
      }),
      200,
    );
    expect(history.data.map((r: { ticket_count_90d: number }) => r.ticket_count_90d)).toEqual([0, 4]);
  });

  it("compacts into a file sorted by entity, then event time, keeping every row and its version", async () => {
    const day = Date.parse("2024-04-01T00:00:00Z");
    // Six writes in an order that is neither by key nor by time.
    const writes = [
      ["c3", 5],
      ["c1", 9],
      ["c2", 1],
      ["c1", 2],
      ["c3", 0],
      ["c2", 7],
    ] as const;
    for (const [customer, hour] of writes)
      await appendHistory("support_source", [
        {
          customer_id: customer,
          event_timestamp: day + hour * HOUR,
          ticket_count_90d: hour,
          open_tickets: 0,
          avg_resolution_hours: 1.5,
        },
      ]);
    await runCron();
    const files = await env.DB.prepare("SELECT path FROM offline_files WHERE source = 'support_source'").all<{
      path: string;
    }>();
    expect(files.results).toHaveLength(1);
    const object = await env.OFFLINE_STORE.get(files.results[0].path);
    const table = await readParquet(await object!.arrayBuffer(), {
      columns: ["customer_id", "event_timestamp", "ticket_count_90d", "_larder_seq"],
    });
    const rows = table.columns.customer_id.map((id, i) => [id, table.columns.event_timestamp[i]]);
    expect(rows).toEqual(
      [...writes]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
        .map(([id, hour]) => [id, day + hour * HOUR]),
    );
    expect(table.columns.ticket_count_90d).toEqual(rows.map(([, ts]) => ((ts as number) - day) / HOUR));
    expect(new Set(table.columns._larder_seq.map(String)).size).toBe(6);
  });

  it("deletes expired exports", async () => {
    await env.OFFLINE_STORE.put("exports/ai_etl/exp_old.parquet", "PAR1");
    await env.DB.prepare(
      "INSERT INTO exports (id, project, path, rows, bytes, created_at, expires_at) VALUES ('exp_old', 'ai_etl', 'exports/ai_etl/exp_old.parquet', 1, 4, ?, ?)",
    )
      .bind(new Date(NOW - 9 * DAY).toISOString(), new Date(NOW - DAY).toISOString())
      .run();
    await runCron();
    expect(await env.OFFLINE_STORE.head("exports/ai_etl/exp_old.parquet")).toBeNull();
    expect(await env.DB.prepare("SELECT id FROM exports").first()).toBeNull();
  });
});

describe("cron housekeeping", () => {
  it("deletes intermediate job files once they are old", async () => {
    await env.OFFLINE_STORE.put("jobs/ai_etl/hist_x/entity_df.json", "{}");
    await runCron(NOW + 6 * DAY);
    expect(await env.OFFLINE_STORE.head("jobs/ai_etl/hist_x/entity_df.json")).not.toBeNull();
    await runCron(NOW + 8 * DAY);
    expect(await env.OFFLINE_STORE.head("jobs/ai_etl/hist_x/entity_df.json")).toBeNull();
  });
});

describe("the jobs watchdog on the cron", () => {
  it("sends a lost task again after its lease, then fails the job truthfully after its resends", async () => {
    await appendHistory("support_source", [
      { customer_id: "c1", event_timestamp: NOW - HOUR, ticket_count_90d: 1, open_tickets: 0, avg_resolution_hours: 1 },
    ]);
    const started = await expectStatus(
      call("POST", "/materialize", {
        body: {
          feature_views: ["support"],
          start_date: new Date(NOW - DAY).toISOString(),
          end_date: new Date(NOW).toISOString(),
        },
      }),
      202,
    );
    const id = started.materialization_id;
    expect(sentTasks.map((t) => t.task_id)).toEqual(["support-b0"]);
    sentTasks.length = 0; // the message is lost: never delivered
    // (The cron also starts scheduled jobs of its own: only this job's tasks count here.)
    const ours = () => sentTasks.filter((t) => t.job_id === id).map((t) => t.task_id);
    for (let resend = 1; resend <= 3; resend++) {
      await runCron(NOW + resend * 30 * 60_000);
      expect(ours()).toEqual(["support-b0"]);
      sentTasks.length = 0;
      expect((await expectStatus(call("GET", `/materialization-status/${id}`), 200)).status).toBe("queued");
    }
    await runCron(NOW + 3 * HOUR);
    expect(ours()).toEqual([]);
    const status = await expectStatus(call("GET", `/materialization-status/${id}`), 200);
    expect(status.status).toBe("failed");
    expect(status.errors).toEqual([
      {
        task: "support-b0",
        reason: expect.stringMatching(/task support-b0 was sent again 3 time\(s\) and never finished/),
      },
    ]);
  });
});
