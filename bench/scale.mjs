// The scale suite (`npm run bench -- --only scale`): training data at the
// specification's sizes. Two views of two features each (hv_a, hv_b, like
// the historical suite) over 125,000 entities, with 1, 2 and 5 million rows
// of history per view, loaded in stages (each stage adds older days) through
// POST /data-sources/{name}/ingest and compacted by the cron, as a
// deployment's cron would. At every size it measures:
//   - a synchronous request of 10,000 entity rows (median of 3 after a warm-up);
//   - an async job of 100,000 entity rows (a JSON entity_df);
//   - an async job of 1,000,000 entity rows (a Parquet entity_df put into
//     the local R2 bucket with `wrangler r2 object put --local`, then named
//     by entity_df_path).
// Reported: wall time (client), rows scanned and files read (what Larder
// reports), tasks and phase timings (the job status), and rows scanned ÷ the
// rows in the time window, where the window is [min entity ts − ttl, max
// entity ts] and its rows are counted exactly from the generated history
// (one row per entity per day at endMs − d days − jitter < 10 min; the
// entity timestamps lie between days, so no day straddles an edge). Memory
// and CPU per task cannot be read from workerd per invocation: the suite runs
// bench/tasks/task-memory.mjs at each size (each heavy step in a Node child
// process with --max-old-space-size=64) and reports its figures.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mintToken, postJson } from "../scripts/lib.mjs";
import { encodeEntityDf } from "../scripts/demo/parquet.mjs";
import { prng } from "./lib/data.mjs";
import { requestOnce } from "./lib/http.mjs";
import { getJsonOnce, ingestFiles, offlineRegistry, postOnce, userId, writeHistoryFiles } from "./lib/offline-data.mjs";
import { markdownTable } from "./lib/report.mjs";

export const title = "Training data at scale (1, 2 and 5 million rows per view, 125,000 entities)";

const PROJECT = "bench_scale";
const USERS = 125_000;
const DAY = 86_400_000;
const TTL_DAYS = 7;
const END_MS = Date.parse("2026-01-31T00:00:00Z");
/** Cumulative days of history per stage: 8 days × 125,000 = 1,000,000 rows per view, and so on. */
const STAGES = [
  { rowsPerView: 1_000_000, days: 8 },
  { rowsPerView: 2_000_000, days: 16 },
  { rowsPerView: 5_000_000, days: 40 },
];
const FEATURES = ["hv_a:a_amount", "hv_a:a_count", "hv_b:b_score", "hv_b:b_level"];
const SOURCES = [
  {
    name: "hist_a",
    features: [
      ["a_amount", "float64"],
      ["a_count", "int64"],
    ],
    seed: 21,
  },
  {
    name: "hist_b",
    features: [
      ["b_score", "float64"],
      ["b_level", "int64"],
    ],
    seed: 22,
  },
];
const COMPACT_ROWS_PER_RUN = 400_000; // src/offline/compaction.ts: per source per cron run

/** `n` entity rows: random entities, times between END − 7 days + 12 h and END − 12 h (between the daily rows). */
function entityRows(n, seed) {
  const rand = prng(seed);
  const ids = new Array(n);
  const ts = new Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = userId(Math.floor(rand() * USERS));
    ts[i] = END_MS - 7 * DAY + 12 * 3_600_000 + Math.floor(rand() * 6 * DAY);
  }
  return { ids, ts };
}

/** Rows of both views with event time in [lo, hi], counted from how the history was generated. */
function rowsInWindow(days, lo, hi) {
  let perSource = 0;
  for (let d = 0; d < days; d++) {
    const newest = END_MS - d * DAY;
    const oldest = newest - 600_000;
    const inside = oldest >= lo && newest <= hi;
    const outside = newest < lo || oldest > hi;
    if (!inside && !outside) throw new Error(`day ${d} straddles the window's edge`);
    if (inside) perSource += USERS;
  }
  return perSource * SOURCES.length;
}

function windowOf(entities) {
  let min = Infinity;
  let max = -Infinity;
  for (const t of entities.ts) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return { lo: min - TTL_DAYS * DAY, hi: max };
}

async function runCron(larder, times) {
  const url = `${larder.base}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`;
  for (let i = 0; i < times; i++) {
    const res = await requestOnce(url, {}, undefined, 600_000, "GET");
    if (res.status !== 200) throw new Error(`/__scheduled → ${res.status}: ${res.text.slice(0, 200)}`);
  }
}

async function syncRequest(larder, token, entities) {
  const body = JSON.stringify({
    features: FEATURES,
    entity_df: { user_id: entities.ids, event_timestamp: entities.ts.map((t) => new Date(t).toISOString()) },
  });
  const url = `${larder.api}/historical-features?project=${PROJECT}`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const runs = [];
  for (let r = -1; r < 3; r++) {
    const started = performance.now();
    const res = await postOnce(url, headers, body);
    if (res.status !== 200) throw new Error(`historical-features → ${res.status}: ${res.text.slice(0, 300)}`);
    const { metadata } = JSON.parse(res.text);
    if (r >= 0) runs.push({ wall_ms: Math.round(performance.now() - started), ...metadata });
  }
  runs.sort((a, b) => a.wall_ms - b.wall_ms);
  return runs[1];
}

/** Starts a job and follows its status to the end; returns the final status and the client's wall time. */
async function job(larder, token, request, log, label) {
  const started = performance.now();
  const res = await postOnce(
    `${larder.api}/historical-features?project=${PROJECT}`,
    { authorization: `Bearer ${token}`, "content-type": "application/json" },
    JSON.stringify({ features: FEATURES, async: true, ...request }),
  );
  if (res.status !== 202) throw new Error(`${label}: historical-features → ${res.status}: ${res.text.slice(0, 300)}`);
  const { job_id } = JSON.parse(res.text);
  for (let polls = 0; ; polls++) {
    await new Promise((r) => setTimeout(r, 1000));
    const status = await getJsonOnce(`${larder.api}/historical-features/${job_id}?project=${PROJECT}`, token);
    if (status.status === "completed" || status.status === "failed") {
      const wall_ms = Math.round(performance.now() - started);
      if (status.status === "failed")
        throw new Error(`${label}: job failed: ${JSON.stringify(status.error ?? status)}`);
      log(`  ${label}: ${wall_ms} ms, ${status.rows_scanned} rows scanned, ${status.progress?.tasks_total} tasks`);
      return { wall_ms, status };
    }
    if (polls > 3600) throw new Error(`${label}: still ${status.status} after an hour`);
  }
}

function putEntityDf(ctx, entities) {
  const file = join(ctx.root, ".bench", "scale-data", "entity_df_1m.parquet");
  writeFileSync(file, encodeEntityDf("user_id", entities.ids, entities.ts));
  const key = `larder-offline/offline/${PROJECT}/entity_dfs/e1m.parquet`;
  const put = spawnSync(
    "npx",
    ["wrangler", "r2", "object", "put", key, "--file", file, "--local", "--persist-to", ctx.stateDir],
    { cwd: ctx.appDir, encoding: "utf8", timeout: 300_000, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  if (put.status !== 0) throw new Error(`wrangler r2 object put → ${put.status}: ${put.stderr?.slice(0, 400)}`);
  return "r2://larder-offline/entity_dfs/e1m.parquet";
}

function taskMemory(ctx, history) {
  const child = spawnSync(
    process.execPath,
    [join(ctx.root, "bench/tasks/task-memory.mjs"), "--history", String(history)],
    {
      cwd: ctx.root,
      encoding: "utf8",
      timeout: 600_000,
    },
  );
  if (child.status !== 0) throw new Error(`task-memory.mjs → ${child.status}: ${child.stderr?.slice(0, 400)}`);
  return JSON.parse(child.stdout.slice(child.stdout.indexOf('{\n  "history"')));
}

export async function run(ctx) {
  const { larder, log } = ctx;
  const admin = await mintToken({ secret: larder.secret, scopes: ["admin"], subject: "bench-admin" });
  await postJson(`${larder.api}/apply?project=${PROJECT}`, admin, offlineRegistry(TTL_DAYS));
  const dataDir = join(ctx.root, ".bench", "scale-data");
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const sync = entityRows(10_000, 101);
  const job100k = entityRows(100_000, 102);
  const job1m = entityRows(1_000_000, 103);
  const entityDfPath = putEntityDf(ctx, job1m);
  const results = [];
  let loadedDays = 0;
  for (const stage of STAGES) {
    const days = stage.days - loadedDays;
    log(`Scale: loading ${days} more days (${(days * USERS).toLocaleString("en")} rows per view)…`);
    const loadStarted = performance.now();
    for (const source of SOURCES) {
      const files = writeHistoryFiles({
        dir: join(dataDir, `${source.name}-${stage.days}`),
        source: source.name,
        features: source.features,
        users: USERS,
        days,
        endMs: END_MS - loadedDays * DAY,
        seed: source.seed + stage.days,
      });
      await ingestFiles(larder.api, admin, PROJECT, source.name, files, log);
      rmSync(join(dataDir, `${source.name}-${stage.days}`), { recursive: true, force: true });
    }
    const cronRuns = Math.ceil((days * USERS) / COMPACT_ROWS_PER_RUN) + 1;
    const compactStarted = performance.now();
    await runCron(larder, cronRuns);
    const compact_s = Math.round((performance.now() - compactStarted) / 100) / 10;
    const load_s = Math.round((performance.now() - loadStarted) / 100) / 10;
    loadedDays = stage.days;
    log(`  loaded in ${load_s} s (compaction: ${cronRuns} cron runs, ${compact_s} s)`);

    const measure = (entities) => rowsInWindow(stage.days, windowOf(entities).lo, windowOf(entities).hi);
    const s = await syncRequest(larder, admin, sync);
    log(`  sync 10,000: ${s.wall_ms} ms, ${s.rows_scanned} rows scanned`);
    const a = await job(
      larder,
      admin,
      { entity_df: { user_id: job100k.ids, event_timestamp: job100k.ts.map((t) => new Date(t).toISOString()) } },
      log,
      "job 100,000",
    );
    const b = await job(larder, admin, { entity_df_path: entityDfPath }, log, "job 1,000,000");
    const memory = taskMemory(ctx, stage.rowsPerView);
    results.push({
      rows_per_view: stage.rowsPerView,
      load_s,
      compact_s,
      sync: {
        wall_ms: s.wall_ms,
        rows_scanned: s.rows_scanned,
        files_read: s.files_read,
        rows_in_window: measure(sync),
        timings: s.timings,
      },
      job_100k: { wall_ms: a.wall_ms, rows_in_window: measure(job100k), ...pick(a.status) },
      job_1m: { wall_ms: b.wall_ms, rows_in_window: measure(job1m), ...pick(b.status) },
      task_memory: memory.results ?? memory,
    });
  }
  return report(results);
}

const pick = (status) => ({
  rows_scanned: status.rows_scanned,
  files_read: status.files_read,
  tasks: status.progress?.tasks_total,
  timings: status.timings,
});

function report(results) {
  const ratio = (r) => r.rows_scanned / r.rows_in_window;
  const within = results.every((r) => [r.sync, r.job_100k, r.job_1m].every((x) => ratio(x) <= 1.5));
  const rows = [];
  for (const r of results) {
    const size = `${r.rows_per_view / 1e6}M`;
    for (const [label, x] of [
      ["sync, 10,000 rows", r.sync],
      ["job, 100,000 rows", r.job_100k],
      ["job, 1,000,000 rows", r.job_1m],
    ]) {
      const t = x.timings;
      rows.push([
        size,
        label,
        `${x.wall_ms.toLocaleString("en")} ms`,
        x.rows_scanned.toLocaleString("en"),
        `${ratio(x).toFixed(2)}×`,
        String(x.files_read),
        x.tasks === undefined ? "1 (request)" : String(x.tasks),
        t?.shards ? `${t.split.wall_ms} / ${t.shards.wall_ms} / ${t.combine.wall_ms} ms` : "–",
      ]);
    }
  }
  const table = markdownTable(
    [
      "History per view",
      "Request",
      "Wall (client)",
      "Rows scanned",
      "÷ rows in window",
      "Files",
      "Tasks",
      "split / shards / combine wall",
    ],
    rows,
    ["r", "l", "r", "r", "r", "r", "r", "r"],
  );
  const mem = markdownTable(
    [
      "History per view",
      "Shard (100,000 entity rows): peak heap / CPU",
      "Combine (one 100,000-row slice): peak heap / CPU",
    ],
    results.map((r) => [
      `${r.rows_per_view / 1e6}M`,
      `${r.task_memory.shard.peak_heap_mb} MB / ${r.task_memory.shard.cpu_ms} ms`,
      `${r.task_memory.combine.peak_heap_mb} MB / ${r.task_memory.combine.cpu_ms} ms`,
    ]),
    ["r", "r", "r"],
  );
  const markdown = `${table}\n\nRows scanned within 1.5× the rows in the time window at every size: **${within ? "met" : "missed"}**.\n\nPer-task memory and CPU (bench/tasks/task-memory.mjs: each step in a Node child process with --max-old-space-size=64; target ≤ 64 MB):\n\n${mem}\n`;
  return { json: { results, rows_scanned_within_1_5x: within }, markdown };
}
