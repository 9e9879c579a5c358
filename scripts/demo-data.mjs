// Loads the demo project's data into a running Larder, through the public API
// only (npm start calls it after applying demo/definitions.json):
// 1. synthetic history (scripts/demo/generate.mjs: deterministic, one row a
//    day per entity for January 2024 and the last 90 days up to today) is
//    appended to each batch source with POST /data-sources/{name}/ingest, as
//    Parquet bodies of at most 100,000 rows;
// 2. the online store gets each entity's latest values through one
//    POST /materialize job over the last two days (the views' ttl: older
//    values would be expired on read anyway), polled until it ends. A job
//    that fails or stalls falls back to writing the latest rows through
//    POST /feast/write-to-online-store. LARDER_DEMO_MATERIALIZE=small
//    materializes only the views of at most 900 entities, =none writes every
//    view directly;
// 3. a few rows are pushed to customer_realtime for the specification's ids.
// Running it again appends the same history again (reads are unaffected: the
// duplicates carry the same values and timestamps). LARDER_DEMO_DATA=skip
// skips it.
import { Client, isMissingRoute } from "./demo/client.mjs";
import { DAY_MS, demoSegments, demoSources, latestRows, MAX_BATCH_ROWS, sourceBatches } from "./demo/generate.mjs";
import { encodeParquet } from "./demo/parquet.mjs";
import { cellRng, hashString } from "./demo/prng.mjs";

/** Parallel ingest requests: one encodes while the Worker writes the other. */
const INGEST_CONCURRENCY = 2;
/** Below the Worker's 10 MB body limit. */
const MAX_BODY_BYTES = 9_500_000;
/** The window materialized: the views' ttl (2 days); older values would read as expired. */
const MATERIALIZE_DAYS = 2;
/** Bound on one materialization job's wait. */
const MATERIALIZE_TIMEOUT_MS = 5 * 60_000;
/** A job whose progress has not moved for this long has lost its queued tasks. */
const STALL_MS = 60_000;
const POLL_INTERVAL_MS = 2_000;
const ONLINE_WRITE_ROWS = 1_000;
const ONLINE_WRITE_CONCURRENCY = 3;

const fmt = (n) => n.toLocaleString("en-US");
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const isoDay = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The sink's rows as Parquet bodies under MAX_BODY_BYTES (halving a batch that is larger). */
function encodeBodies(sink, depth = 0) {
  const bytes = encodeParquet(sink);
  if (bytes.byteLength <= MAX_BODY_BYTES || sink.length < 2 || depth >= 20) return [{ bytes, rows: sink.length }];
  const half = Math.ceil(sink.length / 2);
  return [...encodeBodies(sink.slice(0, half), depth + 1), ...encodeBodies(sink.slice(half), depth + 1)];
}

/** Appends one source's history; answers what was written. */
async function ingestSource(client, source, segments) {
  const started = performance.now();
  const totals = { rows: 0, rejected: 0, requests: 0, files: 0, bytes: 0, firstError: undefined };
  const inflight = new Set();
  let failure;
  for (const batch of sourceBatches(source, segments)) {
    for (const body of encodeBodies(batch.sink)) {
      if (failure) break;
      totals.bytes += body.bytes.byteLength;
      const request = client
        .ingestParquet(source.source, body.bytes)
        .then((res) => {
          totals.requests++;
          totals.rows += res.rows_written;
          totals.rejected += res.rejected;
          totals.files += res.files?.length ?? 0;
          if (res.rejected > 0 && !totals.firstError) totals.firstError = res.errors?.[0];
        })
        .catch((err) => {
          failure ??= err;
        })
        .finally(() => inflight.delete(request));
      inflight.add(request);
      while (inflight.size >= INGEST_CONCURRENCY) await Promise.race(inflight);
    }
    if (failure) break;
  }
  await Promise.all(inflight);
  if (failure) throw failure;
  return { ...totals, ms: performance.now() - started };
}

/**
 * Runs one materialization job of `views` over [startMs, endMs] until it
 * ends, MATERIALIZE_TIMEOUT_MS passes, or it makes no progress for STALL_MS.
 * Answers the outcome, the job and its last status.
 */
async function runMaterialization(client, views, startMs, endMs) {
  const job = await client.materialize(views, startMs, endMs);
  const deadline = Date.now() + MATERIALIZE_TIMEOUT_MS;
  let status = { ...job, rows_read: 0, rows_materialized: 0 };
  let progressKey = "";
  let progressAt = Date.now();
  while (status.status !== "completed" && status.status !== "failed") {
    if (Date.now() > deadline) return { outcome: "timeout", job, status };
    if (Date.now() - progressAt > STALL_MS) return { outcome: "stalled", job, status };
    await sleep(POLL_INTERVAL_MS);
    status = await client.materializationStatus(job.materialization_id);
    const p = status.progress ?? {};
    const key = `${status.status}/${p.tasks_done}/${p.tasks_total}/${p.tasks_failed}/${status.rows_read}/${status.rows_materialized}`;
    if (key !== progressKey) {
      progressKey = key;
      progressAt = Date.now();
    }
  }
  return { outcome: status.status, job, status };
}

/** Entities a scan task writes itself (src/domain/materialize-plan.ts WRITE_CHUNK); beyond them it enqueues write tasks. */
const SCAN_TASK_WRITES = 900;

/** Fills the online store: materialization where it is safe (or asked for), direct writes for the rest. */
async function loadOnline(client, views, sources, segments, nowMs, offline, log) {
  const started = performance.now();
  const mode = (process.env.LARDER_DEMO_MATERIALIZE ?? "all").toLowerCase();
  const entitiesOf = (view) => sources.find((s) => s.source === view.source)?.entities ?? Infinity;
  const queued =
    !offline || mode === "none" ? [] : mode === "all" ? views : views.filter((v) => entitiesOf(v) <= SCAN_TASK_WRITES);
  let direct = views.filter((v) => !queued.includes(v));
  let records = 0;
  if (queued.length > 0) {
    const names = queued.map((v) => v.name);
    let result;
    try {
      result = await runMaterialization(client, names, nowMs - MATERIALIZE_DAYS * DAY_MS, nowMs);
    } catch (err) {
      if (!isMissingRoute(err)) throw new Error(`demo data: POST /materialize failed: ${err.message}`);
      log(
        "  POST /materialize does not exist yet: writing every view's latest rows through POST /feast/write-to-online-store.",
      );
      result = { outcome: "missing" };
    }
    const { outcome, job, status } = result;
    if (outcome === "completed") {
      records += status.rows_materialized;
      log(
        `  Materialized ${names.join(", ")} (last ${MATERIALIZE_DAYS} days): ${fmt(status.rows_materialized)} records from ${fmt(status.rows_read)} rows in ${secs(performance.now() - started)}, ${job.materialization_id}`,
      );
    } else {
      if (outcome !== "missing") {
        const p = status.progress ?? {};
        const why =
          outcome === "failed"
            ? `failed (${(status.errors ?? [])
                .slice(0, 2)
                .map((e) => `${e.task}: ${e.reason}`)
                .join("; ")})`
            : `${outcome === "stalled" ? `made no progress for ${secs(STALL_MS)}` : `did not end within ${secs(MATERIALIZE_TIMEOUT_MS)}`} at ${p.tasks_done}/${p.tasks_total} tasks (the local queue stopped delivering them)`;
        log(
          `  WARNING: materialization ${job.materialization_id} ${why}; writing its views' latest rows directly instead.`,
        );
      }
      direct = views;
    }
  }
  if (direct.length > 0) {
    const t0 = performance.now();
    let written = 0;
    for (const view of direct) written += await writeLatestOnline(client, view, sources, segments);
    records += written;
    const why =
      queued.length === 0 || direct === views
        ? ""
        : ` (LARDER_DEMO_MATERIALIZE=small: over ${SCAN_TASK_WRITES} entities each)`;
    log(
      `  Wrote the latest row of each entity of ${direct.map((v) => v.name).join(", ")} through POST /feast/write-to-online-store${why}: ${fmt(written)} records in ${secs(performance.now() - t0)}`,
    );
  }
  log(
    `Online store loaded: ${fmt(records)} records for ${views.length} views in ${secs(performance.now() - started)}.`,
  );
}

/** Writes each entity's latest row of `view` straight to the online store (no queue). Answers the records written. */
async function writeLatestOnline(client, view, sources, segments) {
  const source = sources.find((s) => s.source === view.source);
  if (!source) return 0;
  const wanted = new Set(view.features.map((f) => f.name));
  const features = source.features.filter(([name]) => wanted.has(name));
  const latest = latestRows(source, segments);
  const frames = [];
  for (let from = 0; from < latest.length; from += ONLINE_WRITE_ROWS) {
    const to = Math.min(latest.length, from + ONLINE_WRITE_ROWS);
    const df = {
      [source.joinKey]: latest.keys.slice(from, to),
      event_timestamp: latest.times.slice(from, to).map((ms) => new Date(ms).toISOString()),
    };
    for (const [name, dtype] of features) {
      const values = latest.columns[name].slice(from, to);
      df[name] =
        dtype === "unix_timestamp" ? values.map((v) => (v === null ? null : new Date(v).toISOString())) : values;
    }
    frames.push(df);
  }
  // ONLINE_WRITE_CONCURRENCY requests at a time, each taking the next frame.
  let next = 0;
  const worker = async () => {
    while (next < frames.length) await client.writeToOnlineStore(view.name, frames[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(ONLINE_WRITE_CONCURRENCY, frames.length) }, worker));
  return latest.length;
}

/** Fresh realtime values for the ids of the specification's online example. */
async function pushRealtime(client, nowMs, log) {
  const ids = ["cust_12345", "cust_67890"];
  // A session summary follows its login by a second: on an equal event time the online store keeps the first write.
  const at = (i, lagMs = 0) => new Date(nowMs - (ids.length - i) * 5_000 + lagMs).toISOString();
  const day = Math.floor(nowMs / DAY_MS);
  const draws = ids.map((id) => cellRng(hashString(id), day, 7));
  const carts = draws.map((r) => {
    const items = 1 + r.poisson(2);
    return { items, value: Math.round(items * r.uniform(15, 60) * 100) / 100 };
  });
  const logins = await client.push(
    "customer_realtime_updates",
    ids.map((id, i) => ({
      customer_id: id,
      event_timestamp: at(i),
      features: {
        last_login_timestamp: at(i),
        session_count_today: 1 + draws[i].poisson(1.5),
        cart_value: carts[i].value,
        items_in_cart: carts[i].items,
      },
    })),
  );
  const sessions = await client.push(
    "customer_sessions",
    ids.map((id, i) => ({
      customer_id: id,
      event_timestamp: at(i, 1_000),
      features: {
        current_session_duration: Math.round(draws[i].lognormal(5.5, 0.6) * 10) / 10,
        pages_viewed: 1 + draws[i].poisson(6),
        cart_value: carts[i].value,
        items_in_cart: carts[i].items,
      },
    })),
  );
  const rejected = logins.rejected + sessions.rejected;
  log(
    `Pushed realtime rows for ${ids.join(", ")}: ${logins.accepted} to customer_realtime_updates, ${sessions.accepted} to customer_sessions${rejected ? ` (${rejected} rejected: ${JSON.stringify([...logins.errors, ...sessions.errors][0])})` : ""}.`,
  );
}

export async function loadDemoData({ api, token, now = Date.now(), log = console.log }) {
  if (/^(skip|0|false|no|off)$/i.test(process.env.LARDER_DEMO_DATA ?? "")) {
    log("Demo data: skipped (LARDER_DEMO_DATA=skip).");
    return;
  }
  const started = performance.now();
  const client = new Client(api, token, { onRetry: (message) => log(`  (${message})`) });
  const segments = demoSegments(now);
  const sources = demoSources(now);
  log(
    `Loading demo data: ${segments.map((s) => `${isoDay(s.firstDay)}..${isoDay(s.lastDay)}`).join(" and ")}, one row per entity a day, ≤ ${fmt(MAX_BATCH_ROWS)} rows per Parquet ingest…`,
  );

  let offline = true;
  for (const source of sources) {
    let result;
    try {
      result = await ingestSource(client, source, segments);
    } catch (err) {
      if (!isMissingRoute(err)) throw new Error(`demo data: ingest into ${source.source} failed: ${err.message}`);
      log(
        `  POST /data-sources/{name}/ingest does not exist yet: no offline history; writing the latest values online instead.`,
      );
      offline = false;
      break;
    }
    const warning = result.rejected
      ? `, ${fmt(result.rejected)} REJECTED (first: ${JSON.stringify(result.firstError)})`
      : "";
    log(
      `  ${source.source.padEnd(24)} ${fmt(result.rows).padStart(10)} rows, ${String(result.requests).padStart(2)} requests, ${(result.bytes / 1e6).toFixed(1).padStart(5)} MB, ${secs(result.ms)}${warning}`,
    );
  }

  const sourceNames = new Set(sources.map((s) => s.source));
  const views = (await client.call("GET", "/feature-views")).feature_views.filter(
    (v) => v.online && sourceNames.has(v.source),
  );
  await loadOnline(client, views, sources, segments, now, offline, log);

  await pushRealtime(client, Date.now(), log);
  log(`Demo data loaded in ${secs(performance.now() - started)}.`);
}
