/**
 * GET /jobs: a project's materialization and historical jobs, newest first,
 * with the status routes' counts; filters and limits; 401/403; and no job of
 * another project, by token or by `?project=`.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { call, expectStatus, token } from "./helpers";
import { applyDemo } from "./fixtures";
import { appendHistory, DAY, HOUR } from "./offline-fixtures";
import { captureTasks, drainTasks } from "./task-queue";

captureTasks();

const NOW = Date.now();

async function loadHistory(project = "ai_etl") {
  const customers = Array.from({ length: 30 }, (_, i) => ({
    customer_id: `c${i}`,
    event_timestamp: NOW - DAY,
    age: 20 + i,
    lifetime_value: i * 10,
    segment: i % 2 ? "vip" : "new",
  }));
  await appendHistory("customer_profile_source", customers, project);
  await appendHistory(
    "transactions_source",
    customers.map((c) => ({ customer_id: c.customer_id, event_timestamp: NOW - HOUR, total_count_30d: 3 })),
    project,
  );
}

async function startJobs(project = "ai_etl") {
  const q = `?project=${project}`;
  const window = { start_date: new Date(NOW - 10 * DAY).toISOString(), end_date: new Date(NOW).toISOString() };
  const mat = await expectStatus(
    call("POST", `/materialize${q}`, { body: { feature_views: ["customer"], ...window } }),
    202,
  );
  const inc = await expectStatus(
    call("POST", `/materialize-incremental${q}`, { body: { feature_views: ["transactions"] } }),
    202,
  );
  const hist = await expectStatus(
    call("POST", `/historical-features${q}`, {
      body: {
        features: ["customer:age", "transactions:total_count_30d"],
        entity_df: { customer_id: ["c1", "c2"], event_timestamp: [new Date(NOW).toISOString(), NOW / 1000] },
        async: true,
      },
    }),
    202,
  );
  return { mat: mat.materialization_id as string, inc: inc.materialization_id as string, hist: hist.job_id as string };
}

const list = (query = "", bearer?: string | null) => call("GET", `/jobs${query}`, { token: bearer });

beforeEach(async () => {
  await applyDemo();
  await loadHistory();
});

describe("GET /jobs", () => {
  it("lists the project's jobs newest first with their kind, views, windows and live counts", async () => {
    const ids = await startJobs();
    const queued = await expectStatus(list(), 200);
    expect(queued.project).toBe("ai_etl");
    expect(queued.has_more).toBe(false);
    expect(queued.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual(Object.values(ids).sort());
    const created = queued.jobs.map((j: { created_at: string }) => j.created_at);
    expect(created).toEqual([...created].sort().reverse());

    const mat = queued.jobs.find((j: { job_id: string }) => j.job_id === ids.mat);
    expect(mat).toMatchObject({
      kind: "materialize",
      status: "queued",
      trigger: "api",
      feature_views: ["customer"],
      estimated_rows: 30,
      entity_rows: null,
      completed_at: null,
      errors: [],
      status_url: `/api/v1/features/materialization-status/${ids.mat}`,
    });
    expect(mat.progress.tasks_total).toBeGreaterThan(0);
    expect(mat.progress.tasks_done).toBe(0);
    expect(mat.time_ranges.customer).toEqual({
      start: new Date(NOW - 10 * DAY).toISOString(),
      end: new Date(NOW).toISOString(),
    });
    const hist = queued.jobs.find((j: { job_id: string }) => j.job_id === ids.hist);
    expect(hist).toMatchObject({
      kind: "historical",
      trigger: null,
      time_ranges: null,
      entity_rows: 2,
      feature_views: ["customer", "transactions"],
      status_url: `/api/v1/features/historical-features/${ids.hist}`,
    });
    expect(JSON.stringify(hist)).not.toContain("download");

    await drainTasks();
    const done = await expectStatus(list(), 200);
    for (const job of done.jobs) expect(job.status, job.job_id).toBe("completed");
    const status = await expectStatus(call("GET", `/materialization-status/${ids.mat}`), 200);
    const finished = done.jobs.find((j: { job_id: string }) => j.job_id === ids.mat);
    expect(finished.rows_written).toBe(status.rows_materialized);
    expect(finished.rows_written).toBe(30);
    expect(finished.rows_read).toBe(status.rows_read);
    expect(finished.progress).toEqual(status.progress);
    expect(finished.completed_at).toBe(status.completed_at);
    expect(finished.duration_seconds).toBe(status.duration_seconds);
  });

  it("filters by kind and status, and limits with has_more", async () => {
    const ids = await startJobs();
    const historical = await expectStatus(list("?kind=historical"), 200);
    expect(historical.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([ids.hist]);
    const materialize = await expectStatus(list("?kind=materialize&status=queued"), 200);
    expect(materialize.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual([ids.inc, ids.mat].sort());
    expect((await expectStatus(list("?status=completed"), 200)).jobs).toEqual([]);
    const one = await expectStatus(list("?limit=1"), 200);
    expect(one.jobs).toHaveLength(1);
    expect(one.has_more).toBe(true);
    expect((await expectStatus(list("?limit=3"), 200)).has_more).toBe(false);
  });

  it("answers 400 for a bad filter or limit, in the error envelope", async () => {
    for (const query of ["?kind=compaction", "?status=running", "?limit=0", "?limit=101", "?limit=abc", "?limit=1.5"]) {
      const body = await expectStatus(list(query), 400);
      expect(body.error.code, query).toBe("VALIDATION_ERROR");
    }
  });

  it("needs a valid token (401) with registry:read for the project (403)", async () => {
    expect((await list("", null)).status).toBe(401);
    expect((await list("", "not-a-jwt")).status).toBe(401);
    const onlineOnly = await expectStatus(list("", await token({ scopes: ["online:read", "materialize"] })), 403);
    expect(onlineOnly.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: "registry:read" } });
    const otherProject = await token({ scopes: ["registry:read"], projects: ["team_b"] });
    expect((await list("", otherProject)).status).toBe(403);
    expect((await list("?project=team_b", otherProject)).status).toBe(200);
    expect((await list("", await token({ scopes: ["registry:read"] }))).status).toBe(200);
  });

  it("never shows another project's jobs", async () => {
    await applyDemo("team_b");
    await loadHistory("team_b");
    const mine = await startJobs("ai_etl");
    const theirs = await startJobs("team_b");
    const ai = await expectStatus(list(), 200);
    const b = await expectStatus(list("?project=team_b"), 200);
    expect(ai.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual(Object.values(mine).sort());
    expect(b.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual(Object.values(theirs).sort());
    expect(b.project).toBe("team_b");
    const bOnly = await token({ scopes: ["registry:read"], projects: ["team_b"] });
    const forB = await expectStatus(list("?project=team_b&limit=100", bOnly), 200);
    for (const id of Object.values(mine)) expect(JSON.stringify(forB)).not.toContain(id);
  });
});
