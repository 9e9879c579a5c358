// The binding suite of `npm run bench` (`-- --only binding`): the same
// online read (1 entity × 4 features of project `bench`) through Larder's
// `Features` service-binding entrypoint and through its HTTP route, from the
// same caller Worker (bench/binding-caller/), in the same run:
//   1. inside the caller: n sequential calls per mode, each timed in the
//      Worker (its clock advances across I/O), alternating A B B A;
//   2. end to end: autocannon → caller → Larder, at each --connections, the
//      two modes alternating A B B A, so only the caller→Larder hop differs.
// Locally the binding crosses from the caller's workerd to Larder's through
// wrangler's dev registry (a loopback socket), and the HTTP route is Larder's
// own workerd port; in production a binding to a Worker of the same account
// usually runs on the same thread, and an HTTP call goes through the network.
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { mintToken, postJson } from "../scripts/lib.mjs";
import { entityId, featureValues, prng } from "./lib/data.mjs";
import { JOIN_KEY, PROJECT, refs, registryBody, VIEWS } from "./lib/registry.mjs";
import { percentile, runOnce, summarize } from "./lib/load.mjs";
import { fmt, markdownTable } from "./lib/report.mjs";
import { startCaller } from "./lib/servers.mjs";

export const title = "Service binding vs HTTP route (online read)";

const ENTITIES = 1000;
const LOOP_CALLS = 400;

const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function stats(times) {
  const sorted = Float64Array.from(times).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    calls: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    mean_ms: round(mean),
  };
}

export async function run(ctx) {
  const { opts, larder, log } = ctx;
  const admin = await mintToken({ secret: larder.secret, scopes: ["admin"], subject: "bench-admin" });
  const reader = await mintToken({ secret: larder.secret, scopes: ["online:read"], subject: "bench-reader" });
  await postJson(`${larder.api}/apply?project=${PROJECT}`, admin, registryBody());
  const view = VIEWS.v4;
  const at = new Date(Date.now() - 3600_000).toISOString();
  const rows = Array.from({ length: ENTITIES }, (_, i) => ({
    [JOIN_KEY]: entityId(i),
    event_timestamp: at,
    features: featureValues(view.schema, i),
  }));
  await postJson(`${larder.api}/push-features?project=${PROJECT}`, admin, {
    push_source_name: view.push,
    to: "online",
    features: rows,
  });
  log(`Pushed ${ENTITIES} entities into ${view.name}.`);

  const caller = await startCaller({
    root: ctx.root,
    stateDir: join(ctx.root, ".bench", "state"),
    logDir: join(ctx.root, ".bench", "logs"),
    port: opts.port + 2,
    inspectorPort: opts.inspectorPort + 2,
    vars: { LARDER_URL: larder.base, LARDER_TOKEN: reader },
  });
  log(`Caller is up at ${caller.base}.`);

  const rand = prng(7);
  const bodies = Array.from({ length: 500 }, () => ({
    features: refs(view),
    entities: { [JOIN_KEY]: [entityId(Math.floor(rand() * ENTITIES))] },
  }));
  // Same answer both ways (latency aside), and the loaded values.
  const probe = bodies[0];
  const viaBinding = await postJson(`${caller.base}/binding`, null, probe);
  const viaHttp = await postJson(`${caller.base}/http`, null, probe);
  const strip = (a) => ({ ...a, metadata: { ...a.metadata, latency_ms: 0 } });
  if (!isDeepStrictEqual(strip(viaBinding), strip(viaHttp))) {
    throw new Error(`binding and HTTP answers differ: ${JSON.stringify(viaBinding)} vs ${JSON.stringify(viaHttp)}`);
  }
  const id = probe.entities[JOIN_KEY][0];
  if (!isDeepStrictEqual(viaBinding.features[id], featureValues(view.schema, Number(id.slice(1))))) {
    throw new Error(`the binding read of ${id} is not the loaded value: ${JSON.stringify(viaBinding)}`);
  }
  log("Checked: the binding and the HTTP route give the same answer, with the loaded values.");

  // 1. Inside the caller: A B B A halves, after a warm-up of each.
  const loop = async (mode, n) => (await postJson(`${caller.base}/loop`, null, { mode, n, bodies })).times_ms;
  await loop("binding", 50);
  await loop("http", 50);
  const inWorker = { binding: [], http: [] };
  for (const mode of ["binding", "http", "http", "binding"]) inWorker[mode].push(...(await loop(mode, LOOP_CALLS / 2)));
  const inside = { binding: stats(inWorker.binding), http: stats(inWorker.http) };
  log(`In the caller: binding p50 ${inside.binding.p50_ms} ms, HTTP p50 ${inside.http.p50_ms} ms.`);

  // 2. End to end through the caller, A B B A per connection count.
  const headers = { "content-type": "application/json" };
  let next = 0;
  const nextRequest = () => ({ body: JSON.stringify(bodies[next++ % bodies.length]) });
  const endToEnd = [];
  for (const connections of opts.connections) {
    const runs = { binding: [], http: [] };
    const half = Math.max(1, Math.round(opts.durationSec / 2));
    for (const mode of ["binding", "http"]) {
      await runOnce({
        url: caller.base,
        path: `/${mode}`,
        headers,
        nextRequest,
        connections,
        durationSec: Math.max(1, opts.warmupSec),
      });
    }
    for (const mode of ["binding", "http", "http", "binding"]) {
      runs[mode].push(
        await runOnce({ url: caller.base, path: `/${mode}`, headers, nextRequest, connections, durationSec: half }),
      );
    }
    endToEnd.push({ connections, binding: summarize(runs.binding), http: summarize(runs.http) });
    log(`  ${connections} conn: binding ${endToEnd.at(-1).binding.rps} req/s, HTTP ${endToEnd.at(-1).http.rps} req/s`);
  }
  await caller.stop();

  const problems = endToEnd.flatMap((r) =>
    ["binding", "http"]
      .filter((m) => r[m].non2xx > 0 || r[m].errors > 0)
      .map((m) => `${m} at ${r.connections} conn: ${r[m].non2xx} non-2xx, ${r[m].errors} errors`),
  );
  const rows1 = [
    [
      "Inside the caller, sequential",
      "binding (RPC)",
      inside.binding.calls,
      "–",
      fmt.ms(inside.binding.p50_ms),
      fmt.ms(inside.binding.p99_ms),
      fmt.ms(inside.binding.mean_ms),
    ],
    [
      "Inside the caller, sequential",
      "HTTP route (fetch)",
      inside.http.calls,
      "–",
      fmt.ms(inside.http.p50_ms),
      fmt.ms(inside.http.p99_ms),
      fmt.ms(inside.http.mean_ms),
    ],
    ...endToEnd.flatMap((r) => [
      [
        `Client → caller → Larder, ${r.connections} conn`,
        "binding (RPC)",
        r.binding.requests_ok,
        fmt.rps(r.binding.rps),
        fmt.ms(r.binding.p50_ms),
        fmt.ms(r.binding.p99_ms),
        fmt.ms(r.binding.mean_ms),
      ],
      [
        `Client → caller → Larder, ${r.connections} conn`,
        "HTTP route (fetch)",
        r.http.requests_ok,
        fmt.rps(r.http.rps),
        fmt.ms(r.http.p50_ms),
        fmt.ms(r.http.p99_ms),
        fmt.ms(r.http.mean_ms),
      ],
    ]),
  ];
  const ratio = (a, b) => fmt.ratio(a / b);
  const lines = [
    markdownTable(["Measure", "Path", "Calls", "req/s", "p50 ms", "p99 ms", "mean ms"], rows1, [
      "l",
      "l",
      "r",
      "r",
      "r",
      "r",
      "r",
    ]),
    "",
    `Read: 1 entity × 4 features of \`${view.name}\` (project \`${PROJECT}\`, ${ENTITIES} entities, random ids). Binding p50 ÷ HTTP p50 inside the caller: ${ratio(inside.binding.p50_ms, inside.http.p50_ms)}; ${endToEnd.map((r) => `end to end at ${r.connections} conn, throughput binding ÷ HTTP: ${ratio(r.binding.rps, r.http.rps)}`).join("; ")}.`,
  ];
  if (problems.length > 0) lines.push("", `Problems: ${problems.join("; ")}`);
  return {
    json: { entities: ENTITIES, loop_calls: LOOP_CALLS, inside_caller: inside, end_to_end: endToEnd, problems },
    markdown: lines.join("\n"),
  };
}
