// The materialization suite of `npm run bench` (see bench/run.mjs): 125,000
// entities (the specification's example size) × 2 days of history (250,000
// offline rows, 4 features) are ingested as Parquet; POST /materialize moves
// the latest row of each entity into KV through the MATERIALIZE queue, and
// the suite polls the status route until the job completes. In the same run
// the floor writes the same 125,000 records with bare KV puts (the floor
// worker's /put, 100 per request, as many requests in flight as the local
// queue consumer runs tasks at once), so rows/s is reported as a ratio.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mintToken, postJson } from "../scripts/lib.mjs";
import {
  getJsonOnce,
  OFFLINE_PROJECT,
  offlineRegistry,
  postOnce,
  userId,
  writeHistoryFiles,
} from "./lib/offline-data.mjs";
import { markdownTable } from "./lib/report.mjs";

export const title = "Materialization (offline → online)";

const ENTITIES = 125_000;
const DAYS = 2;
const FLOOR_BATCH = 100;
const FLOOR_CONCURRENCY = 4;
const TARGETS = { min_floor_ratio: 0.7, max_wall_s: 30 };

export async function run(ctx) {
  const { larder, log } = ctx;
  const admin = await mintToken({ secret: larder.secret, scopes: ["admin"], subject: "bench-admin" });
  await postJson(`${larder.api}/apply?project=${OFFLINE_PROJECT}`, admin, offlineRegistry(30));
  const endMs = Date.now() - 3600_000;
  const dir = join(ctx.root, ".bench", "materialize-data");
  const features = [
    ["m1", "float64"],
    ["m2", "int64"],
    ["m3", "float64"],
    ["m4", "int64"],
  ];
  const files = writeHistoryFiles({ dir, source: "mat_src", features, users: ENTITIES, days: DAYS, endMs, seed: 21 });
  let rows = 0;
  const ingestStarted = performance.now();
  for (const file of files) {
    const res = await postOnce(
      `${larder.api}/data-sources/mat_src/ingest?project=${OFFLINE_PROJECT}`,
      { authorization: `Bearer ${admin}`, "content-type": "application/vnd.apache.parquet" },
      readFileSync(file),
    );
    if (res.status !== 200) throw new Error(`ingest → ${res.status}: ${res.text.slice(0, 300)}`);
    rows += JSON.parse(res.text).rows_written;
  }
  log(`Ingested ${rows} rows in ${((performance.now() - ingestStarted) / 1000).toFixed(1)} s.`);

  const started = performance.now();
  const job = await postJson(`${larder.api}/materialize?project=${OFFLINE_PROJECT}`, admin, {
    feature_views: ["mv"],
    start_date: new Date(endMs - 10 * 86_400_000).toISOString(),
    end_date: new Date(endMs + 60_000).toISOString(),
  });
  let status;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    status = await getJsonOnce(
      `${larder.api}/materialization-status/${job.materialization_id}?project=${OFFLINE_PROJECT}`,
      admin,
    );
    if (status.status === "completed" || status.status === "failed") break;
    if (Date.now() > deadline)
      throw new Error(`materialization did not finish in 20 minutes: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const wallS = (performance.now() - started) / 1000;
  if (status.status !== "completed") throw new Error(`materialization failed: ${JSON.stringify(status.errors)}`);
  log(
    `Materialized ${status.rows_materialized} entities (${status.rows_read} rows read) in ${wallS.toFixed(1)} s, ${status.progress.tasks_total} tasks.`,
  );

  // Spot check: Larder serves what it materialized.
  const reader = await mintToken({ secret: larder.secret, scopes: ["online:read"], subject: "bench-reader" });
  const check = await postJson(`${larder.api}/online-features?project=${OFFLINE_PROJECT}`, reader, {
    features: ["mv:m1", "mv:m2"],
    entities: { user_id: [userId(0), userId(ENTITIES - 1)] },
    include_statuses: true,
  });
  const present = Object.values(check.statuses).every((s) => s.m1 === "PRESENT");
  if (!present) throw new Error(`materialized values are not served: ${JSON.stringify(check)}`);

  // The floor: the same number of records with bare puts.
  const floor = await ctx.floor();
  const floorStarted = performance.now();
  let next = 0;
  const record = { e: endMs, c: endMs, v: { m1: 1.5, m2: 2, m3: 3.5, m4: 4 } };
  await Promise.all(
    Array.from({ length: FLOOR_CONCURRENCY }, async () => {
      while (next < ENTITIES) {
        const start = next;
        next += FLOOR_BATCH;
        const entries = [];
        for (let i = start; i < Math.min(start + FLOOR_BATCH, ENTITIES); i++)
          entries.push({ key: `floor/${OFFLINE_PROJECT}/mv/${userId(i)}`, value: record });
        const res = await fetch(`${floor.base}/put`, { method: "POST", body: JSON.stringify({ entries }) });
        if (!res.ok) throw new Error(`floor put → ${res.status}`);
        await res.text();
      }
    }),
  );
  const floorS = (performance.now() - floorStarted) / 1000;
  const larderRate = status.rows_materialized / wallS;
  const floorRate = ENTITIES / floorS;
  const ratio = larderRate / floorRate;
  const json = {
    entities: ENTITIES,
    offline_rows: rows,
    tasks: status.progress.tasks_total,
    wall_s: wallS,
    rows_materialized: status.rows_materialized,
    rows_per_s: larderRate,
    floor_puts_s: floorS,
    floor_rows_per_s: floorRate,
    ratio_to_floor: ratio,
    targets: {
      ...TARGETS,
      met_ratio: ratio >= TARGETS.min_floor_ratio,
      met_wall: wallS <= TARGETS.max_wall_s,
      floor_allows_wall: floorS <= TARGETS.max_wall_s,
    },
  };
  const table = markdownTable(
    ["Measure", "Larder", "Floor (bare KV puts)", "Ratio"],
    [
      [
        `${ENTITIES.toLocaleString("en-US")} entities (${rows.toLocaleString("en-US")} offline rows)`,
        `${wallS.toFixed(1)} s (${status.progress.tasks_total} tasks)`,
        `${floorS.toFixed(1)} s`,
        "",
      ],
      [
        "Rows per second",
        Math.round(larderRate).toLocaleString("en-US"),
        Math.round(floorRate).toLocaleString("en-US"),
        `${ratio.toFixed(2)}×`,
      ],
    ],
    ["l", "r", "r", "r"],
  );
  const markdown = `${table}\n\nTargets: ≥ ${TARGETS.min_floor_ratio}× the floor's rows/s: **${json.targets.met_ratio ? "met" : "missed"}**; ≤ ${TARGETS.max_wall_s} s: **${json.targets.met_wall ? "met" : json.targets.floor_allows_wall ? "missed" : `missed (the floor itself needs ${floorS.toFixed(0)} s here)`}**.\n`;
  return { json, markdown };
}
