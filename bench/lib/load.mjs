// Load runs with autocannon's programmatic API: a fixed number of
// connections for a fixed duration, each request's path and/or body from
// `nextRequest()` (a rotating set of pre-built bodies, or one built per
// request), so that requests spread over many entities instead of one hot key.
//
// Latency: autocannon's own histogram keeps whole milliseconds, too coarse
// for sub-millisecond floors, so every 2xx response time (ms, fractional, as
// autocannon measures it: request written → response complete) is kept here
// and the percentiles are exact. Throughput is 2xx responses / duration.
import os from "node:os";
import autocannon from "autocannon";

const MAX_SAMPLES = 5_000_000;

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const round = (x, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

/**
 * One autocannon run of `durationSec` with `connections` connections against
 * `url`+`path`; `nextRequest()` → {path?, body?, tag?} per request. A `tag`
 * object gets the response's `status` when that request completes (requests
 * cut off when the run stops never do). Returns the raw 2xx latencies (ms)
 * and counts.
 */
export function runOnce({
  url,
  method = "POST",
  path,
  headers = {},
  nextRequest,
  connections,
  durationSec,
  tagged = false,
}) {
  return new Promise((resolve, reject) => {
    let store = new Float64Array(200_000);
    let n = 0;
    const non2xxCodes = {};
    const loadavg = os.loadavg()[0];
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationSec,
        timeout: 60,
        // One request template; setupRequest gives each request its own path/body.
        requests: [
          {
            method,
            path,
            headers: { ...headers },
            // autocannon gives each request a fresh context and hands the same
            // one to onResponse, so the tag finds its way back.
            setupRequest: (req, context) => {
              const next = nextRequest?.();
              if (next?.path !== undefined) req.path = next.path;
              if (next?.body !== undefined) req.body = next.body;
              if (next?.tag) context.tag = next.tag;
              return req;
            },
            ...(tagged
              ? {
                  onResponse: (status, _body, context) => {
                    if (context.tag) context.tag.status = status;
                  },
                }
              : {}),
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          durationSec: result.duration,
          ok: result["2xx"],
          non2xx: result.non2xx,
          non2xxCodes,
          errors: result.errors,
          timeouts: result.timeouts,
          samples: store.subarray(0, n),
          loadavg,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode > 299) {
        non2xxCodes[statusCode] = (non2xxCodes[statusCode] ?? 0) + 1;
        return;
      }
      if (n === store.length && store.length < MAX_SAMPLES) {
        const grown = new Float64Array(Math.min(MAX_SAMPLES, store.length * 2));
        grown.set(store);
        store = grown;
      }
      if (n < store.length) store[n++] = responseTime;
    });
  });
}

/** Merges runs of one target into {rps, p50_ms, p99_ms, …}: percentiles over all samples, rps over the summed duration. */
export function summarize(runs) {
  const total = runs.reduce((a, r) => a + r.samples.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const r of runs) {
    all.set(r.samples, at);
    at += r.samples.length;
  }
  all.sort();
  const duration = runs.reduce((a, r) => a + r.durationSec, 0);
  const ok = runs.reduce((a, r) => a + r.ok, 0);
  const sum = all.reduce((a, b) => a + b, 0);
  const codes = {};
  for (const r of runs)
    for (const [code, count] of Object.entries(r.non2xxCodes)) codes[code] = (codes[code] ?? 0) + count;
  return {
    duration_s: round(duration, 1),
    segments: runs.length,
    requests_ok: ok,
    rps: round(ok / duration, 1),
    p50_ms: round(percentile(all, 50), 3),
    p90_ms: round(percentile(all, 90), 3),
    p99_ms: round(percentile(all, 99), 3),
    max_ms: round(all[all.length - 1], 3),
    mean_ms: round(sum / all.length, 3),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    non2xx_codes: codes,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    timeouts: runs.reduce((a, r) => a + r.timeouts, 0),
    loadavg_1m: runs.map((r) => round(r.loadavg, 2)),
  };
}

/** A single measured run after an unmeasured warm-up (used by the profiler). */
export async function measure({ warmupSec = 0, ...target }) {
  if (warmupSec > 0) await runOnce({ ...target, durationSec: warmupSec });
  return summarize([await runOnce(target)]);
}
