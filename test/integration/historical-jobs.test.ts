/**
 * Historical jobs at the bucket level, on real workerd (Miniflare R2, D1,
 * queues delivered by the test): a job's export equals the synchronous join
 * of the same request cell for cell (three view groups: sources of 4, 3 and
 * 1 buckets; ttl on and off; labels, duplicate rows, null and unknown keys);
 * each shard reads only its bucket's files in its rows' window; replayed
 * shards and combine change nothing; a combine killed mid-write is healed by
 * the watchdog and its aborted upload leaves no object.
 */
import { env, exports } from "cloudflare:workers";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { beforeEach, describe, expect, it } from "vitest";
import type { BucketRows } from "../../src/domain/historical-plan";
import type { HistoricalShardTask } from "../../src/queues/messages";
import { streamExport, UPLOAD_PART_BYTES } from "../../src/offline/export-stream";
import { exportColumns } from "../../src/offline/export-writer";
import { servicesFor } from "../../src/services/services";
import { healJobs } from "../../src/services/watchdog";
import { rng } from "../prng";
import { DEMO } from "./fixtures";
import { call, expectStatus, token } from "./helpers";
import { appendHistory, DAY, HOUR, useBuckets } from "./offline-fixtures";
import { captureTasks, deliverTasks, drainTasks, sentTasks } from "./task-queue";

captureTasks();

const T0 = Date.parse("2024-03-01T00:00:00Z");
const CUSTOMERS = Array.from({ length: 24 }, (_, i) => `c${i}`);
const FEATURES = [
  "customer:age",
  "customer:segment",
  "customer:lifetime_value",
  "transactions:count_30d",
  "transactions:avg_amount_30d",
  "support:open_tickets",
];

/** History over 20 days in several writes (several files per bucket), with gaps longer than the ttl. */
async function loadHistory() {
  const r = rng(12);
  for (let batch = 0; batch < 3; batch++) {
    const customers: Record<string, unknown>[] = [];
    const transactions: Record<string, unknown>[] = [];
    const support: Record<string, unknown>[] = [];
    for (const [k, id] of CUSTOMERS.entries()) {
      for (let h = batch; h < 40; h += 3) {
        const ts = T0 + h * 12 * HOUR;
        // Customers k % 5 == 0 go quiet for days 6-12: the 2-day ttl nulls them there.
        if (k % 5 === 0 && h >= 12 && h < 24) continue;
        const created = r() < 0.3 ? ts : ts + Math.floor(r() * 3) * HOUR;
        customers.push({
          customer_id: id,
          event_timestamp: ts,
          created_timestamp: created,
          age: 20 + k,
          lifetime_value: Math.round(r() * 10_000) / 4,
          segment: r() < 0.5 ? "standard" : "premium",
        });
        if (r() < 0.7) {
          transactions.push({
            customer_id: id,
            event_timestamp: ts,
            created_timestamp: created,
            count_30d: Math.floor(r() * 50),
            avg_amount_30d: Math.round(r() * 400) / 8,
            total_count_30d: h,
            total_amount_30d: 1,
          });
        }
        if (r() < 0.3) support.push({ customer_id: id, event_timestamp: ts, open_tickets: Math.floor(r() * 4) });
      }
    }
    await appendHistory("customer_profile_source", customers);
    await appendHistory("transactions_source", transactions);
    await appendHistory("support_source", support);
  }
}

/** Entity rows: known, unknown and null customers, duplicates, and labels of several types. */
function entityDf(rows: number, seed: number) {
  const r = rng(seed);
  const df: Record<string, unknown[]> = { customer_id: [], event_timestamp: [], label: [], note: [], weight: [] };
  for (let i = 0; i < rows; i++) {
    const duplicate = i > 0 && r() < 0.1;
    const pick = r();
    const id = pick < 0.05 ? null : pick < 0.1 ? "nobody" : CUSTOMERS[Math.floor(r() * CUSTOMERS.length)];
    const ts = new Date(T0 + Math.floor(r() * 22 * 24) * HOUR).toISOString();
    df.customer_id.push(duplicate ? df.customer_id[i - 1] : id);
    df.event_timestamp.push(duplicate ? df.event_timestamp[i - 1] : ts);
    df.label.push(i % 7 === 0 ? null : i % 2 === 0);
    df.note.push(`row ${i}`);
    df.weight.push(i % 3 === 0 ? i : i + 0.5);
  }
  return df;
}

async function exportBytes(url: string): Promise<ArrayBuffer> {
  const u = new URL(url);
  const res = await exports.default.fetch(new Request(`http://larder.test${u.pathname}${u.search}`));
  expect(res.status).toBe(200);
  return res.arrayBuffer();
}

async function startJob(body: Record<string, unknown>) {
  const accepted = await expectStatus(call("POST", "/historical-features", { body: { ...body, async: true } }), 202);
  return accepted as { job_id: string; shards: number };
}

const status = (jobId: string) => expectStatus(call("GET", `/historical-features/${jobId}`), 200);

beforeEach(async () => {
  // The transactions view without a ttl: every other view keeps the demo's two days.
  const views = DEMO.feature_views.map((v) => (v.name === "transactions" ? { ...v, ttl_seconds: 0 } : v));
  await expectStatus(call("POST", "/apply", { body: { ...DEMO, feature_views: views } }), 200);
  await useBuckets("customer_profile_source", 4);
  await useBuckets("transactions_source", 3);
  await useBuckets("support_source", 1);
  await loadHistory();
});

describe("historical jobs by bucket", () => {
  it("give the synchronous join's export, cell for cell, and each shard reads only its bucket", async () => {
    const body = { features: FEATURES, entity_df: entityDf(400, 5), full_feature_names: true };
    const sync = await expectStatus(call("POST", "/historical-features", { body }), 200);
    const expected = await exportBytes(sync.download_url);

    const job = await startJob(body);
    const shards = sentTasks.filter((t): t is HistoricalShardTask => t.kind === "historical-shard");
    // Groups: customer (4 buckets), transactions (3), support (1 bucket: one shard).
    expect(new Set(shards.map((t) => `${t.group}:${t.bucket}`)).size).toBe(4 + 3 + 1);
    expect(job.shards).toBe(shards.length);
    await drainTasks();
    const done = await status(job.job_id);
    expect(done.status).toBe("completed");
    const actual = await exportBytes(done.download_url);
    const want = await parquetReadObjects({ file: expected });
    // The case is not vacuous: every feature has values, and nulls (ttl, unknown and null keys).
    for (const name of Object.keys(want[0]).filter((n) => n.includes("__"))) {
      expect(want.some((row) => row[name] !== null)).toBe(true);
      expect(want.some((row) => row[name] === null)).toBe(true);
    }
    expect(await parquetReadObjects({ file: actual })).toEqual(want);
    expect(parquetMetadata(actual).schema).toEqual(parquetMetadata(expected).schema);

    // Each shard's recorded reads are exactly its bucket's files in its rows' window.
    const services = servicesFor(env);
    const tasks = await env.DB.prepare("SELECT task_id, output, message FROM job_tasks WHERE job_id = ?")
      .bind(job.job_id)
      .all<{ task_id: string; output: string; message: string }>();
    const sources = {
      customer: "customer_profile_source",
      transactions: "transactions_source",
      support: "support_source",
    };
    const ttl: Record<string, number> = { customer: 2 * DAY, transactions: 0, support: 2 * DAY };
    let scanned = 0;
    let read = 0;
    for (const row of tasks.results.filter((t) => t.task_id.startsWith("shard-"))) {
      const task = JSON.parse(row.message) as HistoricalShardTask;
      const output = JSON.parse(row.output) as { files_read: number; rows_scanned: number };
      const keys = await services.scratch.getJson<BucketRows>(
        services.scratch.jobFileKey("ai_etl", job.job_id, `keys-g${task.group}-b${task.bucket}-s0`),
        "keys",
      );
      const minTs = Math.min(...keys.ts);
      const maxTs = Math.max(...keys.ts);
      const view = ["customer", "transactions", "support"][task.group];
      const source = sources[view as keyof typeof sources];
      const buckets = view === "support" ? undefined : [task.bucket];
      const window = { minTs: ttl[view] > 0 ? minTs - ttl[view] : undefined, maxTs };
      const files = await services.offline.listFiles("ai_etl", source, window, buckets);
      const all = await services.offline.listFiles("ai_etl", source);
      if (buckets) {
        expect(files.every((f) => f.bucket === task.bucket)).toBe(true);
        expect(files.length).toBeLessThan(all.length);
      }
      expect(output.files_read).toBe(files.length);
      expect(output.rows_scanned).toBe(files.reduce((sum, f) => sum + f.rows, 0));
      scanned += output.rows_scanned;
      read += output.files_read;
    }
    expect(done.rows_scanned).toBe(scanned);
    expect(done.files_read).toBe(read);
    expect(done.timings.shards).toMatchObject({ tasks: shards.length, wall_ms: expect.any(Number) });
    expect(done.timings.combine).toMatchObject({ tasks: 1, wall_ms: expect.any(Number) });
    expect(done.timings.split).toMatchObject({ tasks: 0, wall_ms: expect.any(Number) });
  });

  it("replayed shards and a replayed combine change nothing", async () => {
    const body = { features: FEATURES, entity_df: entityDf(150, 8) };
    const job = await startJob(body);
    const shards = sentTasks.splice(0);
    await deliverTasks(shards);
    const combine = sentTasks.splice(0);
    expect(combine.map((t) => t.task_id)).toEqual(["combine"]);
    // Every shard delivered again before the combine runs: same files, counted once.
    await deliverTasks(shards, 2);
    expect((await status(job.job_id)).progress.tasks_done).toBe(shards.length);
    await deliverTasks(combine);
    const first = await status(job.job_id);
    expect(first.status).toBe("completed");
    const bytes = new Uint8Array(await exportBytes(first.download_url));

    // The combine replayed as if its completion had been lost: the same file again.
    await env.DB.prepare(
      "UPDATE jobs SET status = 'in_progress', completed_at = NULL, tasks_done = tasks_done - 1 WHERE id = ?",
    )
      .bind(job.job_id)
      .run();
    await env.DB.prepare("UPDATE job_tasks SET status = 'queued' WHERE job_id = ? AND task_id = 'combine'")
      .bind(job.job_id)
      .run();
    await deliverTasks(combine, 2);
    const again = await status(job.job_id);
    expect(again.status).toBe("completed");
    expect(new Uint8Array(await exportBytes(again.download_url))).toEqual(bytes);
  });

  it("a combine killed mid-write leaves no export and is healed by the watchdog", async () => {
    const body = { features: FEATURES, entity_df: entityDf(120, 9) };
    const job = await startJob(body);
    await deliverTasks(sentTasks.splice(0));
    const combine = sentTasks.splice(0);
    // One shard output is briefly unreadable: the combine fails after opening its upload.
    const shard = (await env.DB.prepare(
      "SELECT message FROM job_tasks WHERE job_id = ? AND task_id != 'combine' LIMIT 1",
    )
      .bind(job.job_id)
      .first<{ message: string }>())!;
    const task = JSON.parse(shard.message) as HistoricalShardTask;
    const outputKey = `jobs/ai_etl/${job.job_id}/out-g${task.group}-b${task.bucket}-s0.json`;
    const saved = await (await env.OFFLINE_STORE.get(outputKey))!.text();
    await env.OFFLINE_STORE.delete(outputKey);
    const failed = await deliverTasks(combine);
    expect(failed.retryMessages).toHaveLength(1);
    expect(await env.OFFLINE_STORE.head(`exports/ai_etl/exp_${job.job_id}.parquet`)).toBeNull();
    await env.OFFLINE_STORE.put(outputKey, saved);
    // Its retry is lost with the invocation: nothing is in flight when its lease runs out.
    sentTasks.length = 0;
    const report = await healJobs(servicesFor(env), Date.now() + 2 * HOUR, job.job_id);
    expect(report.resent).toBe(1);
    expect(sentTasks.map((t) => t.task_id)).toEqual(["combine"]);
    await drainTasks();
    const done = await status(job.job_id);
    expect(done.status).toBe("completed");
    const rows = await parquetReadObjects({ file: await exportBytes(done.download_url) });
    expect(rows.map((r) => r.note)).toEqual(body.entity_df.note);
  });

  it("a streamed export of several upload parts is one file in Miniflare's R2", { timeout: 120_000 }, async () => {
    const services = servicesFor(env);
    const columns = exportColumns(["event_timestamp", "note"], {}, () => ["x"]);
    const n = 150_000;
    const r = rng(3);
    const group = (k: number) => ({
      event_timestamp: Array.from({ length: n }, (_, i) => T0 + (k * n + i) * 1000),
      note: Array.from({ length: n }, () => r().toString(36) + r().toString(36)),
    });
    const record = await streamExport(services.exports, "ai_etl", "exp_stream", columns, async (stream) => {
      for (let k = 0; k < 2; k++) await stream.writeGroup(group(k), n);
    });
    expect(record.bytes).toBeGreaterThan(UPLOAD_PART_BYTES);
    const object = (await env.OFFLINE_STORE.get(record.path))!;
    expect(object.size).toBe(record.bytes);
    const file = await object.arrayBuffer();
    expect(parquetMetadata(file).row_groups.map((g) => Number(g.num_rows))).toEqual([n, n]);
    const rows = await parquetReadObjects({ file, columns: ["event_timestamp"], rowStart: 2 * n - 1 });
    expect(rows).toEqual([{ event_timestamp: new Date(T0 + (2 * n - 1) * 1000) }]);
  });
});

/** The entity_df as a Parquet file in R2, in row groups of 64 rows; returns its path for the request. */
async function putEntityParquet(df: Record<string, unknown[]>, key = "offline/ai_etl/entity_dfs/train.parquet") {
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: "customer_id", data: df.customer_id, type: "STRING" },
      { name: "event_timestamp", data: df.event_timestamp.map((t) => new Date(t as string)), type: "TIMESTAMP" },
      { name: "label", data: df.label, type: "BOOLEAN" },
      { name: "note", data: df.note, type: "STRING" },
      { name: "weight", data: df.weight, type: "DOUBLE" },
    ],
    rowGroupSize: 64,
  });
  await env.OFFLINE_STORE.put(key, bytes);
  return "r2://larder-offline/entity_dfs/train.parquet";
}

describe("historical jobs on a Parquet entity_df in R2 (entity_df_path)", () => {
  it("split by a task, give the synchronous join's export cell for cell", async () => {
    const df = entityDf(300, 21);
    const path = await putEntityParquet(df);
    const sync = await expectStatus(
      call("POST", "/historical-features", { body: { features: FEATURES, entity_df: df, full_feature_names: true } }),
      200,
    );
    const accepted = await expectStatus(
      call("POST", "/historical-features", {
        body: { features: FEATURES, entity_df_path: path, full_feature_names: true },
      }),
      202,
    );
    expect(accepted).toMatchObject({ status: "queued", rows_count: 300 });
    expect(sentTasks.map((t) => t.kind)).toEqual(["historical-split"]);
    await deliverTasks(sentTasks.splice(0));
    // The split planned the shards from its counts and sent them.
    expect(new Set(sentTasks.map((t) => t.kind))).toEqual(new Set(["historical-shard"]));
    await drainTasks();
    const done = await status(accepted.job_id);
    expect(done.status).toBe("completed");
    expect(done.timings.split).toMatchObject({ tasks: 1, wall_ms: expect.any(Number) });
    const expected = await exportBytes(sync.download_url);
    const actual = await exportBytes(done.download_url);
    expect(await parquetReadObjects({ file: actual })).toEqual(await parquetReadObjects({ file: expected }));
    expect(parquetMetadata(actual).schema).toEqual(parquetMetadata(expected).schema);
  });

  it("the shards are planned again by the watchdog when the step after the last split was lost", async () => {
    const df = entityDf(80, 22);
    const path = await putEntityParquet(df);
    const accepted = await startJob({ features: FEATURES, entity_df_path: path });
    await deliverTasks(sentTasks.splice(0));
    // As if the invocation died right after recording the split: no shard rows, nothing sent.
    sentTasks.length = 0;
    await env.DB.prepare("DELETE FROM job_tasks WHERE job_id = ? AND task_id LIKE 'shard-%'")
      .bind(accepted.job_id)
      .run();
    await env.DB.prepare("UPDATE jobs SET tasks_total = 2 WHERE id = ?").bind(accepted.job_id).run();
    expect((await status(accepted.job_id)).status).toBe("in_progress"); // the status read heals it
    expect(sentTasks.length).toBeGreaterThan(0);
    expect(sentTasks.every((t) => t.kind === "historical-shard")).toBe(true);
    await drainTasks();
    const done = await status(accepted.job_id);
    expect(done.status).toBe("completed");
    const rows = await parquetReadObjects({ file: await exportBytes(done.download_url) });
    expect(rows.map((r) => r.note)).toEqual(df.note);
  });

  it("a Parquet entity_df with an ill-typed key fails its job at once, naming the row", async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "customer_id", data: [7n, 8n], type: "INT64" },
        { name: "event_timestamp", data: [new Date(T0), new Date(T0)], type: "TIMESTAMP" },
      ],
    });
    await env.OFFLINE_STORE.put("offline/ai_etl/entity_dfs/ints.parquet", bytes);
    const accepted = await startJob({
      features: FEATURES,
      entity_df_path: "r2://larder-offline/entity_dfs/ints.parquet",
    });
    const result = await deliverTasks(sentTasks.splice(0));
    expect(result.retryMessages).toEqual([]);
    const job = await status(accepted.job_id);
    expect(job.status).toBe("failed");
    expect(job.errors).toEqual([
      { task: "split-0", reason: expect.stringMatching(/entity_df row 0: join key 'customer_id' .* expects STRING/) },
    ]);
  });

  it("refuses bad paths and bodies with a 400, and needs offline:read", async () => {
    const df = entityDf(10, 23);
    const path = await putEntityParquet(df);
    const post = (body: Record<string, unknown>, options: { token?: string | null } = {}) =>
      call("POST", "/historical-features", { body: { features: FEATURES, ...body }, ...options });
    const both = await expectStatus(post({ entity_df: df, entity_df_path: path }), 400);
    expect(both.error.message).toMatch(/entity_df or entity_df_path, not both/);
    expect((await expectStatus(post({}), 400)).error.message).toMatch(/entity_df .* or entity_df_path .* is required/);
    const none = await expectStatus(post({ entity_df_path: "r2://larder-offline/entity_dfs/none.parquet" }), 400);
    expect(none.error.message).toMatch(/names no object/);
    const prefix = await expectStatus(post({ entity_df_path: "r2://larder-offline/entity_dfs/" }), 400);
    expect(prefix.error.message).toMatch(/names a prefix/);
    // Another project's data is not a path this project may name.
    await env.OFFLINE_STORE.put(
      "offline/team_b/train.parquet",
      await (await env.OFFLINE_STORE.get("offline/ai_etl/entity_dfs/train.parquet"))!.arrayBuffer(),
    );
    const other = await expectStatus(post({ entity_df_path: "external://offline/team_b/train.parquet" }), 400);
    expect(other.error.message).toMatch(/outside the prefixes the operator allows/);
    const dotted = await expectStatus(post({ entity_df_path: "r2://larder-offline/../team_b/train.parquet" }), 400);
    expect(dotted.error.message).toMatch(/is not usable/);
    await env.OFFLINE_STORE.put("offline/ai_etl/entity_dfs/bad.parquet", "not parquet");
    await expectStatus(post({ entity_df_path: "r2://larder-offline/entity_dfs/bad.parquet" }), 400);
    const keyless = parquetWriteBuffer({
      columnData: [{ name: "event_timestamp", data: [new Date()], type: "TIMESTAMP" }],
    });
    await env.OFFLINE_STORE.put("offline/ai_etl/entity_dfs/keyless.parquet", keyless);
    const lacking = await expectStatus(post({ entity_df_path: "r2://larder-offline/entity_dfs/keyless.parquet" }), 400);
    expect(lacking.error.message).toMatch(/lacks column\(s\) customer_id/);
    await expectStatus(post({ entity_df_path: path }, { token: null }), 401);
    await expectStatus(post({ entity_df_path: path }, { token: await token({ scopes: ["online:read"] }) }), 403);
    expect(sentTasks).toEqual([]);
  });
});
