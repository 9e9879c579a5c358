/**
 * The `larder` CLI end to end: the real bin (node bin/larder.mjs) against a
 * real Larder (`wrangler dev`, started once for the file), the way a user
 * runs it: init → plan → apply → ingest → materialize (with progress) →
 * get-online → historical to a Parquet file read back, plus status, views,
 * stats, token, and the failures a user meets (unreachable server, bad token,
 * bad YAML, unknown view), each a message and a non-zero exit, no stack.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "./local-worker";

const BIN = join(import.meta.dirname, "../../bin/larder.mjs");

let worker: LocalWorker;
let work: string;
let repo: string;
let token: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with no terminal and no stdin, as CI does. */
function larder(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LARDER_URL: worker.url,
        LARDER_TOKEN: token,
        LARDER_PROGRESS_MS: "200",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A failure as users should see it: exit 1, an `error:` line, no stack trace. */
function expectCleanFailure(run: Run, pattern: RegExp): void {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stderr).toMatch(/^error: /m);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

beforeAll(async () => {
  worker = await startLocalWorker();
  work = mkdtempSync(join(tmpdir(), "larder-cli-"));
  repo = join(work, "shop_features");
  const minted = await larder(["token", "--scopes", "admin"], { LARDER_JWT_SECRET: worker.secret, LARDER_TOKEN: "" });
  expect(minted.code, minted.stderr).toBe(0);
  token = minted.stdout.trim();
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("larder CLI against a running Worker", () => {
  it("init writes a feature repo, and refuses a folder that is not empty", async () => {
    const run = await larder(["init", "shop_features"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("project shop_features");
    for (const f of ["larder.yaml", "features/customer.yaml", "data/customer_stats.csv", "data/entity_df.csv"]) {
      expect(existsSync(join(repo, f)), f).toBe(true);
    }
    expect(readFileSync(join(repo, "features/customer.yaml"), "utf8")).toMatch(/^# /m);
    expectCleanFailure(await larder(["init", "shop_features"]), /exists and is not empty/);
  });

  it("plan shows creates, apply applies them atomically, plan then shows no change", async () => {
    const plan = await larder(["-C", repo, "plan"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("+ create entity customer");
    expect(plan.stdout).toContain("+ create feature view customer_stats");
    expect(plan.stdout).toContain("+ create feature service churn_model_v1");
    const apply = await larder(["apply", "-C", repo]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Created feature view customer_stats");
    const again = await larder(["plan", "-C", repo, "--json"]);
    const answer = JSON.parse(again.stdout);
    expect(answer.plan.create).toEqual([]);
    expect(answer.plan.unchanged).toHaveLength(4);
    expect(answer.files).toEqual(["features/customer.yaml"]);
  });

  it("bad YAML and schema errors point at file and line", async () => {
    const broken = join(repo, "features/broken.yaml");
    writeFileSync(broken, "entities:\n  - name: shop\n    join_keys: [shop_id\n");
    expectCleanFailure(await larder(["plan", "-C", repo]), /features\/broken\.yaml:[34]:\d+: Flow sequence/);
    writeFileSync(
      broken,
      "feature_views:\n  - name: v2\n    entities: [customer]\n    source: customer_stats_source\n    ttl_seconds: -1\n    schema: [{ name: a, dtype: int64 }]\n",
    );
    expectCleanFailure(await larder(["plan", "-C", repo]), /features\/broken\.yaml:5: feature_views\.0\.ttl_seconds: /);
    writeFileSync(
      broken,
      "feature_views:\n  - name: v2\n    entities: [ghost]\n    source: customer_stats_source\n    schema: [{ name: a, dtype: int64 }]\n",
    );
    expectCleanFailure(
      await larder(["apply", "-C", repo]),
      /entity 'ghost'[\s\S]*v2: defined at features\/broken\.yaml:2/,
    );
    rmSync(broken);
  });

  it("ingests CSV, JSON Lines and Parquet in chunks, with a progress bar and per-row errors summarised", async () => {
    const csv = await larder([
      "-C",
      repo,
      "ingest",
      "customer_stats_source",
      "data/customer_stats.csv",
      "--batch-rows",
      "5",
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain("Ingested 12 of 12 row(s) into customer_stats_source (3 request(s)");
    expect(csv.stderr).toContain("12/12 rows");

    const at = new Date(Date.now() - 7200_000).toISOString();
    const lines = [
      JSON.stringify({ customer_id: "cust_005", event_timestamp: at, orders_30d: 2, segment: "new" }),
      JSON.stringify({ customer_id: "cust_006", event_timestamp: at, orders_30d: "many" }),
      "{not json",
      JSON.stringify({ customer_id: "cust_007", event_timestamp: at, orders_30d: "lots" }),
    ];
    writeFileSync(join(repo, "data/more.jsonl"), `${lines.join("\n")}\n`);
    const jsonl = await larder(["-C", repo, "ingest", "customer_stats_source", "data/more.jsonl"]);
    expectCleanFailure(jsonl, /3 row\(s\) rejected/);
    expect(jsonl.stdout).toContain("Ingested 1 of 4 row(s)");
    expect(jsonl.stderr).toMatch(/2 × feature 'orders_30d' \(int64\): .*\(more\.jsonl:2, more\.jsonl:4\)/);
    expect(jsonl.stderr).toMatch(/1 × not a JSON object .*\(more\.jsonl:3\)/);

    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "customer_id", data: ["cust_008"], type: "STRING" },
        { name: "event_timestamp", data: [new Date(Date.now() - 3600_000)], type: "TIMESTAMP" },
        { name: "orders_30d", data: [BigInt(9)], type: "INT64" },
        { name: "is_subscriber", data: [true], type: "BOOLEAN" },
      ],
    });
    writeFileSync(join(repo, "data/more.parquet"), new Uint8Array(parquet));
    const pq = await larder(["-C", repo, "ingest", "customer_stats_source", "data/more.parquet"]);
    expect(pq.code, pq.stderr).toBe(0);
    expect(pq.stdout).toContain("Ingested 1 of 1 row(s)");
  });

  let materialization = "";

  it("materialize follows the job with a live progress bar and exits 0 once it completed", async () => {
    const start = new Date(Date.now() - 7 * 86400_000).toISOString();
    const end = new Date().toISOString();
    const run = await larder([
      "-C",
      repo,
      "materialize",
      "--views",
      "customer_stats",
      "--start",
      start,
      "--end",
      end,
      "--interval",
      "0.2",
    ]);
    expect(run.code, run.stderr).toBe(0);
    materialization = /Started materialization (mat_\w+)/.exec(run.stdout)?.[1] ?? "";
    expect(materialization).not.toBe("");
    expect(run.stderr).toMatch(/tasks \d+\/\d+ \| rows \d+ \| completed \| elapsed \S+ \| ETA/);
    expect(run.stdout).toMatch(/completed in .*: 6 entity record\(s\) written online/);
    const status = await larder(["-C", repo, "status", materialization, "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "completed", rows_materialized: 6 });
    const incremental = await larder(["-C", repo, "materialize-incremental", "--interval", "0.2"]);
    expect(incremental.code, incremental.stderr).toBe(0);
    expect(incremental.stdout).toMatch(/Materialization mat_\w+ completed/);
  });

  it("get-online prints a table, or the API's JSON with --json", async () => {
    const table = await larder([
      "-C",
      repo,
      "get-online",
      "--entity",
      "customer_id=cust_002,cust_008,nobody",
      "--service",
      "churn_model_v1",
    ]);
    expect(table.code, table.stderr).toBe(0);
    const [header, , ...rows] = table.stdout.trim().split("\n");
    expect(header.split(/\s+/)).toEqual(["customer_id", "orders_30d", "avg_order_value", "segment", "is_subscriber"]);
    expect(rows[0].split(/\s+/)).toEqual(["cust_002", "14", "91.25", "vip", "true"]);
    expect(rows[1].split(/\s+/)).toEqual(["cust_008", "9", "null", "null", "true"]);
    expect(rows[2].split(/\s+/)).toEqual(["nobody", "null", "null", "null", "null"]);
    const json = await larder([
      "-C",
      repo,
      "get-online",
      "-e",
      "customer_id=cust_001",
      "-f",
      "customer_stats:segment",
      "--json",
    ]);
    expect(JSON.parse(json.stdout).features).toEqual({ cust_001: { segment: "regular" } });
  });

  it("historical writes the point-in-time rows to a Parquet file that reads back, at once or as a followed job", async () => {
    for (const extra of [[], ["--async", "--interval", "0.2"]]) {
      const out = join(work, `train${extra.length}.parquet`);
      const run = await larder([
        "-C",
        repo,
        "historical",
        "--entity-df",
        "data/entity_df.csv",
        "--service",
        "churn_model_v1",
        "-o",
        out,
        ...extra,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`Wrote ${out}: 5 row\\(s\\)`));
      if (extra.length > 0) expect(run.stderr).toMatch(/historical .*tasks \d+\/\d+ \| completed/);
      const file = readFileSync(out);
      const rows = await parquetReadObjects({
        file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
      });
      expect(rows.map((r) => r.customer_id)).toEqual(["cust_001", "cust_002", "cust_003", "cust_004", "cust_999"]);
      expect(rows.map((r) => Number(r.churned))).toEqual([0, 0, 1, 0, 1]);
      // Point in time: 30 hours ago cust_001 had the snapshot of two days ago (3 orders), not today's (6).
      expect(rows.map((r) => (r.orders_30d === null ? null : Number(r.orders_30d)))).toEqual([3, 12, 1, 7, null]);
    }
  });

  it("views, stats and token --decode", async () => {
    const views = await larder(["-C", repo, "views"]);
    expect(views.stdout).toMatch(/customer_stats\s+customer\s+4\s+604800\s+true\s+customer_stats_source/);
    const stats = await larder(["-C", repo, "stats", "customer_stats", "--json"]);
    expect(JSON.parse(stats.stdout).statistics.online_store_records).toBe(6);
    const decoded = await larder(["token", "--decode"]);
    expect(decoded.stdout).toMatch(/scopes\s+admin/);
  });

  it("unreachable server, bad token, unknown view: a message and exit 1, never a stack trace", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    expectCleanFailure(
      await larder(["views", "--url", `http://127.0.0.1:${closed}`]),
      /Cannot reach Larder at .*\n.*npm start/,
    );
    expectCleanFailure(
      await larder(["-C", repo, "views"], { LARDER_TOKEN: "not-a-token" }),
      /UNAUTHENTICATED[\s\S]*larder token/,
    );
    expectCleanFailure(
      await larder(["-C", repo, "stats", "nope"]),
      /FEATURE_VIEW_NOT_FOUND\)\n\s+Available feature views: customer_stats/,
    );
    expectCleanFailure(
      await larder(["-C", repo, "ingest", "customer_stats_source", "data/missing.csv"]),
      /Cannot read data\/missing\.csv: ENOENT/,
    );
    expectCleanFailure(await larder(["plan", "-C", work]), /No larder\.yaml in/);
    const usage = await larder(["get-online", "--service", "x"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '-e, --entity <key=values>' not specified");
  });

  it("--help on every command", async () => {
    const commands = [
      "init",
      "plan",
      "apply",
      "ingest",
      "materialize",
      "materialize-incremental",
      "get-online",
      "historical",
      "status",
      "views",
      "stats",
      "token",
    ];
    for (const command of commands) {
      const run = await larder([command, "--help"]);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: larder ${command}`);
      expect(run.stdout, command).toContain("-C, --directory <dir>");
    }
  });
});
