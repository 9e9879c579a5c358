// Per-task memory and CPU of a historical job's two heavy steps, measured in
// Node (workerd reports neither per invocation). Each step runs in a child
// process started with --max-old-space-size=64 (so a step that needs more
// than 64 MB of heap dies instead of passing), and reports its peak heap and
// RSS (sampled after every chunk) and process.cpuUsage() around the work:
//
// - shard: AsOfFold (the shard's join) over SHARD_MAX_ROWS entity rows of
//   one bucket, fed `--history` feature rows in chunks of 50,000 (a file's
//   rows as scanRows hands them over), two features per row;
// - combine: one slice (SPLIT_ROWS rows) merged from 16 bucket outputs and
//   written as a row group through ExportStream (an in-memory multipart
//   upload: the R2 round trips are not measured), entity columns plus four
//   features.
//
// Not measured here: Parquet decoding of the offline files (parquet-read.ts,
// being reworked elsewhere) and the R2/JSON reads of the job's own files.
//
// Usage: node bench/tasks/task-memory.mjs [--history 1000000]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const args = process.argv.slice(2);
const history = Number(args[args.indexOf("--history") + 1] || 1_000_000);

if (process.env.LARDER_TASK_STEP) {
  const mod = await import(process.env.LARDER_TASK_BUNDLE);
  const peak = { heap: 0, rss: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.rss = Math.max(peak.rss, m.rss);
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await mod[process.env.LARDER_TASK_STEP](Number(process.env.LARDER_HISTORY), sample);
  sample();
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({
      wall_ms: Math.round(performance.now() - started),
      cpu_ms: Math.round((used.user + used.system) / 1000),
      peak_heap_mb: +(peak.heap / 2 ** 20).toFixed(1),
      peak_rss_mb: +(peak.rss / 2 ** 20).toFixed(1),
    }),
  );
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "larder-task-memory-"));
const entry = join(dir, "entry.ts");
writeFileSync(
  entry,
  `import { AsOfFold } from ${JSON.stringify(join(root, "src/domain/asof-fold"))};
import { SHARD_MAX_ROWS, SPLIT_ROWS } from ${JSON.stringify(join(root, "src/domain/historical-plan"))};
import { ExportStream } from ${JSON.stringify(join(root, "src/offline/export-stream"))};
import { exportColumns } from ${JSON.stringify(join(root, "src/offline/export-writer"))};
import { mergeOutputs } from ${JSON.stringify(join(root, "src/services/historical-combine"))};
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
export async function shard(history: number, sample: () => void) {
  const n = SHARD_MAX_ROWS;
  const keys = Array.from({ length: n }, (_, i) => "cust_" + (i % 40_000));
  const ts = Array.from({ length: n }, (_, i) => T0 + 30 * DAY + (i % 1000) * 60_000);
  const table = { view: "v", joinKeys: ["customer_id"], keyTypes: { customer_id: "STRING" as const }, features: ["f1", "f2"], ttlSeconds: 0 };
  const fold = new AsOfFold(table, () => keys, ts);
  sample();
  const chunk = 50_000;
  for (let start = 0; start < history; start += chunk) {
    const m = Math.min(chunk, history - start);
    const columns = {
      customer_id: Array.from({ length: m }, (_, j) => "cust_" + ((start + j) % 125_000)),
      event_timestamp: Float64Array.from({ length: m }, (_, j) => T0 + ((start + j) % (60 * 24 * 30)) * 60_000),
      created_timestamp: Float64Array.from({ length: m }, () => T0),
      f1: Float64Array.from({ length: m }, (_, j) => j),
      f2: Array.from({ length: m }, (_, j) => j % 7),
    };
    fold.add({ columns, numRows: m });
    sample();
  }
  const result = fold.result();
  sample();
  if (result.f1.length !== n) throw new Error("bad result");
}
export async function combine(_history: number, sample: () => void) {
  const n = SPLIT_ROWS;
  const entity = {
    customer_id: Array.from({ length: n }, (_, i) => "cust_" + i),
    event_timestamp: Array.from({ length: n }, (_, i) => T0 + i * 1000),
    label: Array.from({ length: n }, (_, i) => i % 2 === 0),
  };
  const features = ["a__f1", "a__f2", "b__f1", "b__f2"];
  const outputs = Array.from({ length: 16 }, (_, b) => {
    const rows = [];
    for (let i = b; i < n; i += 16) rows.push(i);
    return { rows, data: Object.fromEntries(features.map((f) => [f, rows.map((r) => r * 0.5)])) };
  });
  sample();
  const data: Record<string, unknown[]> = { ...entity };
  for (const f of features) data[f] = new Array(n).fill(null);
  mergeOutputs(data, outputs, 0);
  sample();
  let bytes = 0;
  const upload = {
    uploadPart: async (k: number, part: Uint8Array) => { bytes += part.byteLength; return { partNumber: k, etag: "e" }; },
    complete: async () => ({}),
    abort: async () => {},
  };
  const store = { createUpload: async () => upload, record: async () => ({}) };
  const dtypes = Object.fromEntries(features.map((f) => [f, "float64" as const]));
  const cols = exportColumns([...Object.keys(entity), ...features], { ...dtypes, customer_id: "string" }, (k) => data[k]);
  const stream = await ExportStream.open(store as never, "p", "e", cols);
  await stream.writeGroup(data, n);
  sample();
  await stream.close();
  sample();
  if (bytes === 0) throw new Error("nothing written");
}
`,
);
const bundle = join(dir, "bundle.mjs");
execFileSync(
  join(root, "node_modules/.bin/esbuild"),
  [entry, "--bundle", "--platform=node", "--format=esm", `--outfile=${bundle}`],
  {
    stdio: "inherit",
  },
);
const results = {};
for (const step of ["shard", "combine"]) {
  const run = spawnSync(process.execPath, ["--max-old-space-size=64", fileURLToPath(import.meta.url)], {
    env: { ...process.env, LARDER_TASK_STEP: step, LARDER_TASK_BUNDLE: bundle, LARDER_HISTORY: String(history) },
    encoding: "utf8",
  });
  results[step] =
    run.status === 0 ? JSON.parse(run.stdout) : { failed: true, status: run.status, stderr: run.stderr.slice(-400) };
}
console.log(JSON.stringify({ history, node: process.version, results }, null, 2));
