// Synthetic offline history for the historical and materialization suites:
// deterministic rows, encoded as Parquet ingest bodies and kept on disk so
// DuckDB can read the very same files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeParquet } from "../../scripts/demo/parquet.mjs";
import { prng } from "./data.mjs";
import { requestOnce } from "./http.mjs";

export const OFFLINE_PROJECT = "bench_offline";
export const USER_KEY = "user_id";
export const userId = (i) => `u${String(i).padStart(6, "0")}`;

/** Two views of two features each, on their own batch sources; `ttlDays` 0 = no limit. */
export function offlineRegistry(ttlDays) {
  const source = (name) => ({
    name,
    type: "batch",
    path: `r2://larder-offline/${name}/`,
    timestamp_field: "event_timestamp",
    created_timestamp_column: "created_timestamp",
  });
  return {
    replace: true,
    entities: [{ name: "user", join_keys: [USER_KEY], value_type: "STRING" }],
    data_sources: [source("hist_a"), source("hist_b"), source("mat_src")],
    feature_views: [
      {
        name: "hv_a",
        entities: ["user"],
        schema: [
          { name: "a_amount", dtype: "float64" },
          { name: "a_count", dtype: "int64" },
        ],
        source: "hist_a",
        ttl_seconds: ttlDays * 86400,
      },
      {
        name: "hv_b",
        entities: ["user"],
        schema: [
          { name: "b_score", dtype: "float64" },
          { name: "b_level", dtype: "int64" },
        ],
        source: "hist_b",
        ttl_seconds: ttlDays * 86400,
      },
      {
        name: "mv",
        entities: ["user"],
        schema: [
          { name: "m1", dtype: "float64" },
          { name: "m2", dtype: "int64" },
          { name: "m3", dtype: "float64" },
          { name: "m4", dtype: "int64" },
        ],
        source: "mat_src",
        ttl_seconds: 0,
      },
    ],
  };
}

/**
 * Rows of one source: `users` entities × `days` daily rows ending at `endMs`,
 * in chunks of `chunkRows` rows, each written to `dir` as a Parquet file.
 * Returns the file paths (the ingest bodies).
 */
export function writeHistoryFiles({ dir, source, features, users, days, endMs, chunkRows = 100_000, seed = 7 }) {
  mkdirSync(dir, { recursive: true });
  const rand = prng(seed);
  const files = [];
  let sink = newSink(source, features);
  const flush = () => {
    if (sink.keys.length === 0) return;
    const path = join(dir, `${source}-${String(files.length).padStart(3, "0")}.parquet`);
    writeFileSync(path, encodeParquet(sink));
    files.push(path);
    sink = newSink(source, features);
  };
  for (let d = days - 1; d >= 0; d--) {
    for (let u = 0; u < users; u++) {
      // A few minutes of jitter so entity timestamps fall between rows, not on them.
      sink.keys.push(userId(u));
      sink.times.push(endMs - d * 86_400_000 - Math.floor(rand() * 600_000));
      for (const [name, dtype] of features)
        sink.columns[name].push(dtype === "int64" ? Math.floor(rand() * 1000) : Math.round(rand() * 1e6) / 100);
      if (sink.keys.length >= chunkRows) flush();
    }
  }
  flush();
  return files;
}

function newSink(_source, features) {
  return {
    source: { joinKey: USER_KEY, features },
    keys: [],
    times: [],
    columns: Object.fromEntries(features.map(([n]) => [n, []])),
  };
}

/** POST on a fresh connection (see bench/lib/http.mjs). */
export const postOnce = (url, headers, body, timeoutMs) => requestOnce(url, headers, body, timeoutMs, "POST");

/** GET on a fresh connection, retried a few times on connection errors (the worker is busy with queue work). */
export async function getJsonOnce(url, token) {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await requestOnce(url, { authorization: `Bearer ${token}` }, null, 60_000, "GET");
      if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${res.text.slice(0, 300)}`);
      return JSON.parse(res.text);
    } catch (err) {
      if (attempt >= 5 || /→ \d{3}/.test(err.message)) throw err;
      await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
    }
  }
}

/** Ingests Parquet bodies through POST /data-sources/{source}/ingest; fails on any rejected row. */
export async function ingestFiles(api, token, project, source, files, log) {
  const started = performance.now();
  let rows = 0;
  for (const file of files) {
    const res = await postOnce(
      `${api}/data-sources/${source}/ingest?project=${project}`,
      { authorization: `Bearer ${token}`, "content-type": "application/vnd.apache.parquet" },
      readFileSync(file),
    );
    if (res.status !== 200) throw new Error(`ingest ${source} → ${res.status}: ${res.text.slice(0, 400)}`);
    const body = JSON.parse(res.text);
    if (body.rejected)
      throw new Error(`ingest ${source}: ${body.rejected} rows rejected: ${JSON.stringify(body.errors.slice(0, 3))}`);
    rows += body.rows_written;
  }
  const seconds = (performance.now() - started) / 1000;
  log(`  ${source}: ${rows} rows in ${seconds.toFixed(1)} s`);
  return { source, rows, seconds };
}
