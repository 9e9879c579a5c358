// The online suite of `npm run bench` (see bench/run.mjs for the whole story):
// a bench registry applied through POST /apply, a data set loaded through
// POST /push-features (to online), then online reads and pushes against
// Larder, each next to its floor (bench/floor/: bare KV calls on the same
// keys and values), at every connection count, in the same run.
import os from "node:os";
import { isDeepStrictEqual } from "node:util";
import { mintToken, postJson } from "../scripts/lib.mjs";
import { entityId, featureValues } from "./lib/data.mjs";
import { BATCH, buildScenarios } from "./lib/scenarios.mjs";
import { JOIN_KEY, keyOf, PROJECT, refs, registryBody, VIEWS } from "./lib/registry.mjs";
import { runOnce, summarize } from "./lib/load.mjs";
import { runCpuHarness } from "./lib/cpu-harness.mjs";
import { profileWhile, summarizeProfile, wranglerBundleMap, writeProfile } from "./lib/profile.mjs";
import { fmt, markdownTable } from "./lib/report.mjs";
import { requestOnce } from "./lib/http.mjs";

export const title = "Online serving and push";

const PUSH_ROWS = 1000; // rows per load push (Larder's maximum)

/** Targets at 1 connection (the online hot path's budget). */
const TARGETS = {
  online_1x4: { min_throughput_ratio: 0.9, max_p99_ms: 5 },
  online_100x4: { min_throughput_ratio: 0.8, max_p99_ms: 10 },
  online_100x50: { min_throughput_ratio: 0.8, max_p99_ms: 10 },
};

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
async function pool(count, concurrency, task) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

/** POSTs on a new connection (see bench/lib/http.mjs): load pushes take seconds each. */
const postFresh = (url, headers, body, timeoutMs) => requestOnce(url, headers, body, timeoutMs, "POST");

/** Loads `n` entities into `view` with pushes of PUSH_ROWS rows; returns timing. */
async function loadView({ api, token, view, n, concurrency, baseTs, log }) {
  const pushes = Math.ceil(n / PUSH_ROWS);
  const started = performance.now();
  let serverMs = 0;
  await pool(pushes, concurrency, async (p) => {
    const rows = [];
    for (let i = p * PUSH_ROWS; i < Math.min(n, (p + 1) * PUSH_ROWS); i++) {
      rows.push({
        [JOIN_KEY]: entityId(i),
        event_timestamp: new Date(baseTs - (i % 86400) * 1000).toISOString(),
        features: featureValues(view.schema, i),
      });
    }
    const body = JSON.stringify({ push_source_name: view.push, to: "online", features: rows });
    const res = await postFresh(
      `${api}/push-features?project=${PROJECT}`,
      { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
      300_000,
    );
    const text = res.text;
    if (res.status !== 200) throw new Error(`load push ${p} of ${view.name} → ${res.status}: ${text.slice(0, 500)}`);
    const out = JSON.parse(text);
    if (out.accepted !== rows.length || out.rejected !== 0)
      throw new Error(
        `load push ${p} of ${view.name}: accepted ${out.accepted}/${rows.length}: ${JSON.stringify(out.errors.slice(0, 3))}`,
      );
    serverMs += out.processing_time_ms;
    if ((p + 1) % 20 === 0 || p + 1 === pushes) log(`  ${view.name}: ${Math.min(n, (p + 1) * PUSH_ROWS)}/${n} rows`);
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    view: view.name,
    features: view.schema.length,
    rows: n,
    pushes,
    rows_per_push: PUSH_ROWS,
    concurrency,
    seconds: Math.round(seconds * 10) / 10,
    rows_per_s: Math.round(n / seconds),
    mean_push_server_ms: Math.round(serverMs / pushes),
  };
}

class BenchFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new BenchFailure(message);
}

async function floorGet(floor, key) {
  const res = await fetch(`${floor.base}/get?key=${encodeURIComponent(key)}`);
  const text = await res.text();
  return res.status === 404 ? null : JSON.parse(text);
}

async function floorBulk(floor, keys) {
  const res = await fetch(`${floor.base}/bulk-get`, { method: "POST", body: JSON.stringify({ keys }) });
  if (!res.ok) throw new BenchFailure(`floor bulk-get → ${res.status}: ${await res.text()}`);
  return res.json();
}

export async function run(ctx) {
  const { opts, larder, log } = ctx;
  const n = opts.entities;
  check(n >= BATCH, `--entities must be at least ${BATCH}`);
  const admin = await mintToken({ secret: larder.secret, scopes: ["admin"], subject: "bench-admin" });
  const reader = await mintToken({ secret: larder.secret, scopes: ["online:read"], subject: "bench-reader" });
  const writer = await mintToken({ secret: larder.secret, scopes: ["online:write"], subject: "bench-writer" });

  // 1. Registry and data.
  const applied = await postJson(`${larder.api}/apply?project=${PROJECT}`, admin, registryBody());
  log(`Registry applied (project ${PROJECT}, version ${applied.registry_version}).`);
  const baseTs = Date.now() - 3600_000;
  const load = [];
  for (const view of Object.values(VIEWS)) {
    log(
      `Loading ${n} entities into ${view.name} (${view.schema.length} features), ${PUSH_ROWS} rows per push, ${opts.loadConcurrency} in parallel…`,
    );
    load.push(
      await loadView({ api: larder.api, token: writer, view, n, concurrency: opts.loadConcurrency, baseTs, log }),
    );
    const l = load.at(-1);
    log(`  ${l.rows} rows in ${l.seconds} s: ${l.rows_per_s} rows/s`);
  }

  // 2. The floor, and proof that it reads the very values Larder stored.
  const floor = await ctx.floor();
  const [single, batch] = buildScenarios({ n, reader, writer });
  {
    const i = single.idSets[0][0];
    const v = VIEWS.v4;
    const got = await postJson(`${larder.api}/online-features?project=${PROJECT}`, reader, {
      features: refs(v),
      entities: { [JOIN_KEY]: [entityId(i)] },
    });
    check(
      isDeepStrictEqual(got.features[entityId(i)], featureValues(v.schema, i)),
      `Larder read of ${entityId(i)} does not return the loaded values: ${JSON.stringify(got)}`,
    );
    const record = await floorGet(floor, keyOf(v, i));
    check(
      record !== null,
      `FLOOR SEES NO DATA: GET ${keyOf(v, i)} returned null. The floor must read Larder's KV namespace (same --persist-to, id larder-online-local).`,
    );
    check(
      isDeepStrictEqual(record.v, featureValues(v.schema, i)),
      `floor read of ${keyOf(v, i)} differs from what Larder stored: ${JSON.stringify(record)}`,
    );
    for (const view of [VIEWS.v4, VIEWS.v50]) {
      const ids = batch.idSets[0];
      const larderRes = await postJson(`${larder.api}/online-features?project=${PROJECT}`, reader, {
        features: refs(view),
        entities: { [JOIN_KEY]: ids.map(entityId) },
      });
      for (const id of ids)
        check(
          isDeepStrictEqual(larderRes.features[entityId(id)], featureValues(view.schema, id)),
          `Larder batch read of ${view.name}/${entityId(id)} is wrong`,
        );
      const found = await floorBulk(
        floor,
        ids.map((id) => keyOf(view, id)),
      );
      const nulls = ids.filter((id) => found[keyOf(view, id)] == null);
      check(
        nulls.length === 0,
        `FLOOR SEES NO DATA: bulk get of ${view.name} returned null for ${nulls.length}/${ids.length} keys (e.g. ${keyOf(view, nulls[0])})`,
      );
      for (const id of ids)
        check(
          isDeepStrictEqual(found[keyOf(view, id)].v, featureValues(view.schema, id)),
          `floor bulk read of ${keyOf(view, id)} differs from Larder's value`,
        );
    }
    log("Checked: Larder returns the loaded values, and the floor reads the same records from the same KV data.");
  }

  // 3. Scenarios: Larder and its floor, same keys, same order of entities.
  const problems = [];
  const notes = [];
  const view = VIEWS.v4; // pushes go to the 4-feature view
  // After a measured push run: for a sample of entities, KV holds the value of
  // their last completed push (or of a later one that was cut off in flight
  // but still landed): newest-wins must never leave an older value.
  const verifyPushes = async (sc, connections, who) => {
    const lastDone = new Map();
    const byIdTs = new Map();
    for (const entry of sc.sent) {
      for (const i of entry.ids) {
        if (!byIdTs.has(i)) byIdTs.set(i, new Set());
        byIdTs.get(i).add(entry.ts);
        if (entry.status === 200 && entry.ts > (lastDone.get(i) ?? -1)) lastDone.set(i, entry.ts);
      }
    }
    const candidates = [...lastDone.entries()];
    const sample = candidates
      .filter((_, k) => k % Math.max(1, Math.floor(candidates.length / 100)) === 0)
      .slice(0, 100);
    if (sample.length === 0) return 0;
    const found = await floorBulk(
      floor,
      sample.map(([i]) => keyOf(view, i)),
    );
    const wrong = sample.filter(([i, ts]) => {
      const rec = found[keyOf(view, i)];
      return (
        !rec ||
        rec.e < ts ||
        !byIdTs.get(i).has(rec.e) ||
        !isDeepStrictEqual(rec.v, featureValues(view.schema, i, rec.e))
      );
    });
    if (wrong.length > 0) {
      const [i, ts] = wrong[0];
      const rec = found[keyOf(view, i)];
      const lagMs = rec ? ts - rec.e : null;
      problems.push(
        `${sc.id} (${who}, ${connections} conn): ${wrong.length}/${sample.length} entities do not hold their last completed push, e.g. ${keyOf(view, i)}: stored e=${rec?.e} (${lagMs} ms older), last completed push e=${ts}`,
      );
    }
    return sample.length;
  };

  const scenarios = buildScenarios({ n, reader, writer }).filter(
    (sc) => !opts.scenarios || opts.scenarios.includes(sc.id),
  );

  // Larder and floor alternate A B B A (half the duration each), so that a
  // burst of other load on the machine weighs on both sides alike. A segment
  // lasts at least 3 × connections × the latency seen at the previous
  // connection count (capped), so slow requests (100-row pushes at 16
  // connections) complete a few rounds instead of none.
  const results = [];
  for (const sc of scenarios) {
    let latencyHintMs = 0;
    let prevConnections = 1;
    for (const connections of opts.connections) {
      const expectedLatencyMs = (latencyHintMs * connections) / prevConnections;
      const segmentSec = Math.min(
        opts.maxSegmentSec,
        Math.max(opts.durationSec / 2, Math.ceil((3 * expectedLatencyMs) / 1000)),
      );
      // Requests cut off at the end of a run may keep the server busy for a moment.
      const settle = () => new Promise((r) => setTimeout(r, Math.min(5000, Math.max(500, expectedLatencyMs))));
      const row = { id: sc.id, label: sc.label, floor_label: sc.floor.label, connections };
      const sides = {
        larder: { target: sc.larder, base: larder.base, next: sc.larder.next(), runs: [], verified: 0 },
        floor: { target: sc.floor, base: floor.base, next: sc.floor.next(), runs: [], verified: 0 },
      };
      const run = (who, durationSec) => {
        const side = sides[who];
        return runOnce({
          url: side.base,
          method: side.target.method,
          path: side.target.path,
          headers: side.target.headers,
          nextRequest: side.next,
          connections,
          durationSec,
          tagged: Boolean(sc.sent),
        });
      };
      log(`${sc.label}, ${connections} connection(s): Larder vs floor (${sc.floor.label}), A B B A × ${segmentSec} s…`);
      if (opts.warmupSec > 0) {
        for (const who of ["larder", "floor"]) {
          await run(who, opts.warmupSec);
          await settle();
        }
      }
      for (const who of ["larder", "floor", "floor", "larder"]) {
        sc.sent?.splice(0);
        sides[who].runs.push(await run(who, segmentSec));
        await settle();
        if (sc.sent) sides[who].verified += await verifyPushes(sc, connections, who);
      }
      for (const who of ["larder", "floor"]) {
        const r = summarize(sides[who].runs);
        row[who] = r;
        if (sc.sent) {
          r.verified_entities = sides[who].verified;
          if (r.verified_entities === 0)
            problems.push(`${sc.id} ${who} ${connections} conn: too few requests to verify the writes`);
        }
        log(
          `  ${who.padEnd(6)} ${fmt.rps(r.rps)} req/s, p50 ${fmt.ms(r.p50_ms)} ms, p99 ${fmt.ms(r.p99_ms)} ms (${r.requests_ok} requests)${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx ${JSON.stringify(r.non2xx_codes)}, ${r.errors} errors` : ""}`,
        );
        if (r.non2xx)
          problems.push(
            `${sc.id} ${who} ${connections} conn: ${r.non2xx} non-2xx answers ${JSON.stringify(r.non2xx_codes)}`,
          );
        if (r.errors || r.timeouts) {
          // Local workerd closes a kept-alive connection after a long request; autocannon reconnects.
          notes.push(
            `${sc.id} ${who} at ${connections} conn: ${r.errors} connection error(s), ${r.timeouts} timeout(s) (p50 ${fmt.ms(r.p50_ms)} ms)`,
          );
        }
      }
      latencyHintMs = Math.max(row.larder.p50_ms ?? 0, row.floor.p50_ms ?? 0);
      prevConnections = connections;
      row.throughput_ratio = row.floor.rps > 0 ? Math.round((1000 * row.larder.rps) / row.floor.rps) / 1000 : null;
      row.p99_ratio = row.floor.p99_ms > 0 ? Math.round((100 * row.larder.p99_ms) / row.floor.p99_ms) / 100 : null;
      const target = TARGETS[sc.id];
      if (target && connections === 1) {
        row.target = {
          ...target,
          met: row.throughput_ratio >= target.min_throughput_ratio && row.larder.p99_ms <= target.max_p99_ms,
        };
      }
      results.push(row);
    }
  }

  // 4. Optional (--profile): where the time goes.
  let profiles;
  let cpu;
  if (opts.profile) {
    // (a) workerd: V8 profiles of Larder's and the floor's isolates under 1
    // connection. Local KV runs on the same workerd thread, so this is thread
    // time per request including the store's work; Larder − floor is the
    // time Larder's own code adds in the real runtime.
    profiles = [];
    for (const sc of scenarios) {
      for (const [who, target, server] of [
        ["larder", sc.larder, larder],
        ["floor", sc.floor, floor],
      ]) {
        log(`Profiling ${who} in workerd on ${sc.id} (1 connection, ${opts.durationSec} s)…`);
        const next = target.next();
        const load = (durationSec) =>
          runOnce({
            url: server.base,
            method: target.method,
            path: target.path,
            headers: target.headers,
            nextRequest: next,
            connections: 1,
            durationSec,
          });
        await load(1); // warm-up, outside the profile
        const got = await profileWhile(server.inspectorPort, async () => summarize([await load(opts.durationSec)]));
        if (!got) {
          log("  (no CDP client available: skipped)");
          continue;
        }
        const file = `${ctx.profileDir}/workerd-${sc.id}-${who}.cpuprofile`;
        writeProfile(file, got.profile);
        const maps =
          who === "larder"
            ? wranglerBundleMap(ctx.appDir, "index.js")
            : wranglerBundleMap(`${ctx.root}/bench/floor`, "worker.js");
        const summary = summarizeProfile(got.profile, got.result.requests_ok, { top: 15, maps });
        profiles.push({
          scenario: sc.id,
          who,
          file,
          rps: got.result.rps,
          thread_ms_per_request: summary.cpu_ms_per_request,
          ...summary,
        });
        log(
          `  ${summary.cpu_ms_per_request} ms of workerd thread time per request (${got.result.rps} req/s under the profiler)`,
        );
      }
    }
    // (b) Larder's own CPU per request, in-process over an in-memory KV.
    try {
      log("CPU harness: Larder and the floor in-process over an in-memory KV…");
      cpu = await runCpuHarness({
        root: ctx.root,
        appDir: ctx.appDir,
        outDir: ctx.harnessDir,
        profileDir: ctx.profileDir,
        secret: larder.secret,
        entities: Math.min(n, 5000),
        seconds: Math.max(2, Math.ceil(opts.durationSec / 2)),
        scenarios: opts.scenarios,
      });
    } catch (err) {
      problems.push(`CPU harness failed: ${err.message}`);
    }
  }

  return {
    json: {
      project: PROJECT,
      entities_per_view: n,
      load,
      scenarios: results,
      profiles,
      cpu_harness: cpu,
      problems,
      notes,
    },
    markdown: markdown({ n, load, results, profiles, cpu, opts, problems, notes }),
  };
}

function markdown({ n, load, results, profiles, cpu, opts, problems, notes }) {
  const out = [];
  out.push(
    markdownTable(
      [
        "Scenario",
        "Conn",
        "Larder req/s",
        "Larder p50 / p99 ms",
        "Floor",
        "Floor req/s",
        "Floor p50 / p99 ms",
        "Throughput vs floor",
        "p99 vs floor",
      ],
      results.map((r) => [
        r.label,
        r.connections,
        fmt.rps(r.larder.rps),
        `${fmt.ms(r.larder.p50_ms)} / ${fmt.ms(r.larder.p99_ms)}`,
        r.floor_label,
        fmt.rps(r.floor.rps),
        `${fmt.ms(r.floor.p50_ms)} / ${fmt.ms(r.floor.p99_ms)}`,
        fmt.ratio(r.throughput_ratio),
        fmt.ratio(r.p99_ratio),
      ]),
      ["l", "r", "r", "r", "l", "r", "r", "r", "r"],
    ),
  );
  out.push("");
  out.push(
    `Data: ${n.toLocaleString("en-US")} entities per view, loaded through POST /push-features (to online), ${PUSH_ROWS} rows per push, ${opts.loadConcurrency} pushes in parallel: ` +
      load
        .map(
          (l) => `${l.view} (${l.features} features) ${l.rows_per_s.toLocaleString("en-US")} rows/s (${l.seconds} s)`,
        )
        .join("; ") +
      ".",
  );
  const few = results.filter((r) => r.larder.requests_ok < 100 || r.floor.requests_ok < 100);
  if (few.length) {
    out.push("");
    out.push(
      "Few requests (p99 is then about the slowest one): " +
        few
          .map(
            (r) =>
              `${r.id} at ${r.connections} conn (Larder ${r.larder.requests_ok}, floor ${r.floor.requests_ok} in ${r.larder.duration_s} s)`,
          )
          .join("; ") +
        ".",
    );
  }
  const loads = results.flatMap((r) => [...r.larder.loadavg_1m, ...r.floor.loadavg_1m]).filter((x) => x != null);
  if (loads.length) {
    out.push("");
    out.push(
      `Machine load average (1 min) at the start of the runs: ${Math.min(...loads)}–${Math.max(...loads)} on ${os.cpus().length} CPUs (other processes included).`,
    );
  }
  const targeted = results.filter((r) => r.target);
  if (targeted.length) {
    out.push("");
    out.push(
      "Targets at 1 connection (throughput vs floor, p99): " +
        targeted
          .map(
            (r) =>
              `${r.id} ≥ ${r.target.min_throughput_ratio}× and ≤ ${r.target.max_p99_ms} ms: ${r.target.met ? "met" : "**missed**"} (${fmt.ratio(r.throughput_ratio)}, ${fmt.ms(r.larder.p99_ms)} ms)`,
          )
          .join("; ") +
        ".",
    );
  }
  if (profiles?.length) {
    const byScenario = new Map();
    for (const p of profiles) byScenario.set(p.scenario, { ...byScenario.get(p.scenario), [p.who]: p });
    out.push("");
    out.push(
      "Workerd thread time per request (V8 profile of each worker's isolate, 1 connection; local KV runs on the same thread, so Larder − floor is what Larder's code adds):",
    );
    out.push("");
    out.push(
      markdownTable(
        ["Scenario", "Larder ms", "Floor ms", "Larder − floor ms"],
        [...byScenario.entries()].map(([id, p]) => [
          id,
          fmt.ms(p.larder?.thread_ms_per_request),
          fmt.ms(p.floor?.thread_ms_per_request),
          fmt.ms(p.larder && p.floor ? p.larder.thread_ms_per_request - p.floor.thread_ms_per_request : null),
        ]),
      ),
    );
  }
  if (cpu?.results?.length) {
    out.push("");
    out.push(
      `CPU per request in-process (Node ${cpu.node}, in-memory KV, one request at a time; Node's Request/Response are slower than workerd's, so compare the columns, not the runtimes). Larder's time by source file (self time, share of the profile):`,
    );
    out.push("");
    out.push(
      markdownTable(
        ["Scenario", "Larder µs (p50)", "Floor µs (p50)", "Larder − floor µs", "Where Larder's time goes"],
        cpu.results.map((r) => [
          r.id,
          `${r.larder.mean_us} (${r.larder.p50_us})`,
          `${r.floor.mean_us} (${r.floor.p50_us})`,
          r.larder_minus_floor_us,
          r.profile.self_by_source
            .slice(0, 6)
            .map((b) => `${b.name} ${Math.round(b.pct_of_busy)}%`)
            .join(", "),
        ]),
        ["l", "r", "r", "r", "l"],
      ),
    );
  }
  if (notes.length) {
    out.push("");
    out.push(
      `Connection errors (local workerd closes a kept-alive connection after a request of several seconds; the client reconnects): ${notes.join("; ")}.`,
    );
  }
  if (problems.length) {
    out.push("");
    out.push(`Problems: ${problems.join("; ")}`);
  }
  return out.join("\n");
}
