#!/usr/bin/env node
/**
 * `npm run bench`: Larder's performance, measured locally against a floor.
 *
 * What it measures
 *   The online suite (bench/online.mjs) times Larder's hot paths end to end
 *   over HTTP: POST /online-features for 1 entity × 4 features, 100 entities
 *   × 4 features and 100 entities × 50 features, and POST /push-features
 *   (to online) of 1 row and of 100 rows. Each scenario is paired with its
 *   floor, a bare Worker (bench/floor/) making only the KV call(s) the
 *   scenario needs on the very same keys and values: get ×1, bulk get ×100,
 *   put ×1, put ×100. Since the consistency model gives each push source its
 *   own record per entity (`…#<writer tag>`, beside the materialization
 *   record), a Larder read asks KV for two keys per entity (one is empty here:
 *   the bench's data comes only through pushes); the floor reads only the one
 *   key holding data, so that cost counts against Larder. Floor and Larder run in the same bench run, on the same
 *   machine, one after the other, so their ratio (Larder's requests/s ÷ the
 *   floor's, Larder's p99 ÷ the floor's) says what Larder's own code costs
 *   on top of KV, the part Larder can improve. Absolute numbers are local
 *   (workerd + Miniflare's SQLite-backed KV on this machine), not Cloudflare's.
 *   It also reports the load of its data set (≥100,000 entities per view
 *   through POST /push-features) as rows/s.
 *   The binding suite (bench/binding.mjs) reads the same features through
 *   the `Features` service binding and through the HTTP route from one
 *   caller Worker (bench/binding-caller/), in the same run.
 *
 * How
 *   1. Larder runs under `wrangler dev` on 127.0.0.1 (--port, default 8790)
 *      with --persist-to .bench/state (wiped at start; never .wrangler/state),
 *      after `wrangler d1 migrations apply DB --local --persist-to` there.
 *      It runs from a snapshot of src/, migrations/ and wrangler.toml copied
 *      to .bench/larder/ at start, so that edits to the tree during a run do
 *      not reload the worker mid-measurement; the results record git HEAD,
 *      the uncommitted paths and a hash of the snapshot.
 *      AUTH_JWT_SECRET is a fresh random secret in a generated env file
 *      (.bench/logs/larder.env, passed with --env-file, which also keeps
 *      wrangler from reading the developer's .dev.vars); tokens are minted
 *      with it (admin for apply, online:read for reads, online:write for pushes).
 *      Requests go to the worker's own workerd port, not wrangler dev's
 *      --port: that port is a proxy worker in a second workerd that forwards
 *      (and logs) every request, a hop that on 2 cores costs several times a
 *      bare KV read (GET /health of the floor: 4.9 ms vs 0.8 ms p50) and
 *      would hide Larder's own cost. The bench finds the worker's port from
 *      /proc (the listeners of its wrangler's workerd processes) and checks
 *      that it answers /health. --through-proxy measures through --port.
 *   2. A bench registry (project `bench`: an entity, a batch source, two push
 *      sources, views of 4 and 50 features each fed by its push source) is
 *      applied through POST /apply, and the data loaded through
 *      POST /push-features (1,000 rows per push, --load-concurrency at once,
 *      each on a new connection: local workerd closes a kept-alive connection
 *      after a request of several seconds, and the next request on it fails).
 *   3. The floor runs under a second `wrangler dev` (port + 1) with the same
 *      --persist-to and the same KV namespace id (larder-online-local), so
 *      both workers read one local KV store. Before measuring, the bench
 *      checks that Larder returns the loaded values and that the floor reads
 *      the same records (it fails loudly if the floor's get returns null).
 *   4. Each scenario runs with autocannon's programmatic API at every
 *      --connections (default 1 and 16) for --duration seconds (default 10)
 *      per side after --warmup seconds (default 2) per side not measured.
 *      Larder and its floor alternate A B B A in halves of the duration, so
 *      that bursts of other load on the machine weigh on both alike; when
 *      requests are slow (100-row pushes at 16 connections take seconds) a
 *      half lasts at least 3 × the expected latency (capped by
 *      --max-segment, default 45 s) so every run completes requests.
 *      Request bodies rotate over thousands of pre-built bodies of
 *      random entities (reads) or are built per request over a rotating
 *      cursor with fresh event times (pushes, so every row is newer and
 *      really written; a sample is read back after each run to prove it).
 *      Latency percentiles are exact over every 2xx response; requests/s is
 *      2xx responses ÷ duration.
 *   5. Results: bench/results/<suite>.json (with node version, CPU count,
 *      date, versions, git HEAD) and bench/results/<suite>.md (the Markdown
 *      table, also printed).
 *   6. --profile adds where the time goes, two ways: V8 CPU profiles of the
 *      Larder and floor isolates in workerd through wrangler dev's inspector
 *      (thread time per request; local KV shares that thread, so the
 *      difference is Larder's own code), and a CPU harness
 *      (bench/lib/cpu-harness.mjs) that calls Larder's bundled worker and the
 *      floor in-process over an in-memory KV, profiles Larder with
 *      node:inspector and attributes its time to source files through the
 *      source map. .cpuprofile files go to .bench/profiles/ (open them in
 *      Chrome DevTools).
 *   Every wrangler dev is started in its own process group and stopped by
 *   its PID (and group) on success, failure, Ctrl-C or an uncaught error.
 *   Every phase is bounded (durations, request timeouts, a global --max-minutes).
 *
 * Extending
 *   A suite is a module exporting `title` and `run(ctx)` → {json, markdown},
 *   listed in SUITES below: later suites (historical retrieval,
 *   materialization) become bench/historical.mjs, bench/materialize.mjs, and
 *   `npm run bench -- --only online` picks suites. ctx gives the running
 *   Larder ({base, api, secret, inspectorPort}), a lazily started floor, the
 *   parsed options and a logger.
 *
 * Usage
 *   npm run bench [-- --only online] [--duration 10] [--warmup 2]
 *     [--connections 1,16] [--entities 100000] [--load-concurrency 4]
 *     [--scenarios online_1x4,push_1] [--profile] [--port 8790]
 *     [--inspector-port 9330] [--max-minutes 60] [--max-segment 45]
 *     [--through-proxy] [--out bench/results]
 *   Env: WRANGLER_SEND_METRICS=false, WRANGLER_HIDE_BANNER=true and
 *   CLOUDFLARE_CF_FETCH_ENABLED=false are set for every wrangler run.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { installCleanup, stopAll } from "./lib/proc.mjs";
import { machineInfo } from "./lib/report.mjs";
import { startFloor, startLarder } from "./lib/servers.mjs";

const SUITES = {
  online: () => import("./online.mjs"),
  historical: () => import("./historical.mjs"),
  materialize: () => import("./materialize.mjs"),
  binding: () => import("./binding.mjs"),
  read: () => import("./read-suite.mjs"),
  scale: () => import("./scale.mjs"),
};

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH_DIR = join(ROOT, ".bench");
const APP_DIR = join(BENCH_DIR, "larder");
const STATE_DIR = join(BENCH_DIR, "state");
const LOG_DIR = join(BENCH_DIR, "logs");
const PROFILE_DIR = join(BENCH_DIR, "profiles");
const DEFAULT_RESULTS_DIR = join(ROOT, "bench", "results");

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: "string", default: Object.keys(SUITES).join(",") },
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "1,16" },
      entities: { type: "string", default: "100000" },
      "load-concurrency": { type: "string", default: "4" },
      scenarios: { type: "string" },
      profile: { type: "boolean", default: false },
      port: { type: "string", default: "8790" },
      "inspector-port": { type: "string", default: "9330" },
      "max-minutes": { type: "string", default: "60" },
      "through-proxy": { type: "boolean", default: false },
      "max-segment": { type: "string", default: "45" },
      out: { type: "string", default: DEFAULT_RESULTS_DIR },
    },
  });
  const int = (name, min, max) => {
    const x = Number(values[name]);
    if (!Number.isInteger(x) || x < min || x > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
    return x;
  };
  const only = values.only
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !SUITES[s]);
  if (unknown.length)
    throw new Error(`unknown suite(s) ${unknown.join(", ")}; known: ${Object.keys(SUITES).join(", ")}`);
  const connections = values.connections.split(",").map(Number);
  if (connections.some((c) => !Number.isInteger(c) || c < 1 || c > 256))
    throw new Error("--connections: integers in [1, 256], comma-separated");
  return {
    only,
    durationSec: int("duration", 1, 600),
    warmupSec: int("warmup", 0, 60),
    connections,
    entities: int("entities", 100, 5_000_000),
    loadConcurrency: int("load-concurrency", 1, 32),
    scenarios: values.scenarios?.split(",").map((s) => s.trim()),
    profile: values.profile,
    port: int("port", 1024, 65534),
    inspectorPort: int("inspector-port", 1024, 65534),
    maxMinutes: int("max-minutes", 1, 600),
    throughProxy: values["through-proxy"],
    maxSegmentSec: int("max-segment", 1, 300),
    resultsDir: resolve(values.out),
  };
}

/** Which code was measured: HEAD and the paths that differ from it (read-only git). */
function codeInfo() {
  const git = (args) => {
    const res = spawnSync("git", ["--no-optional-locks", ...args], { cwd: ROOT, encoding: "utf8", timeout: 10_000 });
    return res.status === 0 ? res.stdout.trimEnd() : null;
  };
  const status = git(["status", "--porcelain", "--untracked-files=all", "--", "src", "migrations", "wrangler.toml"]);
  return {
    git_head: git(["rev-parse", "HEAD"]),
    uncommitted_paths: status ? status.split("\n").map((l) => l.slice(3)) : [],
  };
}

const log = (msg) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function main() {
  const opts = options();
  const started = performance.now();
  installCleanup();
  const watchdog = setTimeout(() => {
    console.error(`bench: over --max-minutes ${opts.maxMinutes}; stopping.`);
    stopAll().finally(() => process.exit(1));
  }, opts.maxMinutes * 60_000);
  watchdog.unref();

  const machine = machineInfo();
  log(
    `Node ${machine.node}, ${machine.cpu_count} CPU(s) (${machine.cpu_model}), load average ${machine.loadavg_at_start.join(" ")}`,
  );
  rmSync(STATE_DIR, { recursive: true, force: true });
  const RESULTS_DIR = opts.resultsDir;
  for (const dir of [STATE_DIR, LOG_DIR, PROFILE_DIR, RESULTS_DIR]) mkdirSync(dir, { recursive: true });

  const code = codeInfo();
  const outputs = [];
  try {
    log(
      `Starting Larder (a snapshot of the tree in ${APP_DIR}; wrangler dev, 127.0.0.1:${opts.port}, --persist-to ${STATE_DIR})…`,
    );
    const larder = await startLarder({
      root: ROOT,
      appDir: APP_DIR,
      stateDir: STATE_DIR,
      logDir: LOG_DIR,
      port: opts.port,
      inspectorPort: opts.inspectorPort,
      direct: !opts.throughProxy,
    });
    code.snapshot_sha256_16 = larder.sourceHash;
    log(
      `Larder is up: measured at ${larder.base}${larder.base !== larder.proxyBase ? ` (the user worker's own port behind wrangler's proxy on ${larder.proxyBase})` : ""}.`,
    );
    let floorPromise;
    const floor = () => {
      floorPromise ??= (async () => {
        log(`Starting the floor (wrangler dev, 127.0.0.1:${opts.port + 1}, same --persist-to)…`);
        const f = await startFloor({
          root: ROOT,
          stateDir: STATE_DIR,
          logDir: LOG_DIR,
          port: opts.port + 1,
          inspectorPort: opts.inspectorPort + 1,
          direct: !opts.throughProxy,
        });
        log(`The floor is up: measured at ${f.base}.`);
        return f;
      })();
      return floorPromise;
    };
    for (const name of opts.only) {
      const suite = await SUITES[name]();
      log(`Suite ${name}: ${suite.title}`);
      const suiteStarted = performance.now();
      const out = await suite.run({
        root: ROOT,
        appDir: APP_DIR,
        stateDir: STATE_DIR,
        harnessDir: join(BENCH_DIR, "harness"),
        opts,
        larder,
        floor,
        log,
        profileDir: PROFILE_DIR,
      });
      outputs.push({ name, title: suite.title, seconds: (performance.now() - suiteStarted) / 1000, ...out });
    }
  } finally {
    log("Stopping the bench servers…");
    await stopAll();
    clearTimeout(watchdog);
  }

  const wall = Math.round((performance.now() - started) / 100) / 10;
  const config = {
    duration_s: opts.durationSec,
    warmup_s: opts.warmupSec,
    connections: opts.connections,
    entities: opts.entities,
    load_concurrency: opts.loadConcurrency,
    max_segment_s: opts.maxSegmentSec,
    target: opts.throughProxy
      ? "wrangler dev's proxy port"
      : "each worker's own workerd port (bypassing wrangler dev's proxy)",
  };
  for (const out of outputs) {
    const json = {
      suite: out.name,
      machine,
      code,
      config,
      suite_seconds: Math.round(out.seconds * 10) / 10,
      bench_wall_seconds: wall,
      ...out.json,
    };
    writeFileSync(join(RESULTS_DIR, `${out.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    const header = `### ${out.title}\n\nMeasured ${machine.date.slice(0, 10)} with \`npm run bench\` on ${machine.cpu_count} CPU(s) (${machine.cpu_model}), Node ${machine.node}, wrangler ${machine.wrangler} (local workerd); ${opts.durationSec} s per run after ${opts.warmupSec} s of warm-up.\n\n`;
    writeFileSync(join(RESULTS_DIR, `${out.name}.md`), `${header}${out.markdown}\n`);
    console.log(`\n${header}${out.markdown}\n`);
    if (out.json.problems?.length) process.exitCode = 1;
  }
  log(`Done in ${wall} s. Results in ${RESULTS_DIR}.`);
}

main().catch(async (err) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  await stopAll();
  process.exit(1);
});
