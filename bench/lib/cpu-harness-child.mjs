// The CPU harness's child process (see cpu-harness.mjs): loads the bench data
// into an in-memory KV through Larder's own push route, then times every
// scenario's requests one at a time against Larder and against the floor,
// profiling Larder's runs. Config: argv[2] (JSON); result: config.resultPath.
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { pathToFileURL } from "node:url";
import { mintToken } from "../../scripts/lib.mjs";
import { entityId, featureValues } from "./data.mjs";
import { percentile } from "./load.mjs";
import { summarizeProfile } from "./profile.mjs";
import { JOIN_KEY, PROJECT, registryBody, VIEWS } from "./registry.mjs";
import { buildScenarios } from "./scenarios.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const MAX_REQUESTS = 200_000;

/** Workers KV's API over a Map of JSON text (get with "json" parses, as the runtime does). */
class MemoryKV {
  constructor() {
    this.map = new Map();
  }
  #value(text, type) {
    if (text === undefined) return null;
    return type === "json" || type?.type === "json" ? JSON.parse(text) : text;
  }
  async get(key, type) {
    if (Array.isArray(key)) return new Map(key.map((k) => [k, this.#value(this.map.get(k), type)]));
    return this.#value(this.map.get(key), type);
  }
  async put(key, value) {
    this.map.set(key, typeof value === "string" ? value : String(value));
  }
  async delete(key) {
    this.map.delete(key);
  }
}

const { worker, publishRegistry } = await import(pathToFileURL(config.bundle).href);
const floorWorker = (await import(pathToFileURL(config.floor).href)).default;

const online = new MemoryKV();
const registryKv = new MemoryKV();
const noQueue = { send: async () => {}, sendBatch: async () => {} };
const larderEnv = {
  ONLINE_STORE: online,
  REGISTRY_CACHE: registryKv,
  AUTH_JWT_SECRET: config.secret,
  DEFAULT_PROJECT: "ai_etl",
  AUTH_JWKS_URL: "",
  AUTH_ISSUER: "",
  AUTH_AUDIENCE: "",
  REGISTRY_CACHE_TTL_MS: "5000",
  MAX_BODY_BYTES: "10485760",
  OFFLINE_WRITES: noQueue,
  MATERIALIZE: noQueue,
};
const floorEnv = { KV: online };
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };

await publishRegistry(registryKv, PROJECT, registryBody());
const writer = await mintToken({ secret: config.secret, scopes: ["online:write"], subject: "bench-writer" });
const reader = await mintToken({ secret: config.secret, scopes: ["online:read"], subject: "bench-reader" });

async function call(w, env, method, path, headers, body) {
  const req = new Request(`http://bench.local${path}`, { method, headers, body: method === "GET" ? undefined : body });
  const start = performance.now();
  const res = await w.fetch(req, env, ctx);
  const text = await res.text();
  return { ms: performance.now() - start, status: res.status, text };
}

// The data, through Larder's push route.
const n = config.entities;
const baseTs = Date.now() - 3600_000;
for (const view of Object.values(VIEWS)) {
  for (let start = 0; start < n; start += 1000) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + 1000); i++)
      rows.push({
        [JOIN_KEY]: entityId(i),
        event_timestamp: new Date(baseTs).toISOString(),
        features: featureValues(view.schema, i),
      });
    const res = await call(
      worker,
      larderEnv,
      "POST",
      `/api/v1/features/push-features?project=${PROJECT}`,
      { "content-type": "application/json", authorization: `Bearer ${writer}` },
      JSON.stringify({ push_source_name: view.push, to: "online", features: rows }),
    );
    if (res.status !== 200 || JSON.parse(res.text).accepted !== rows.length)
      throw new Error(`harness load of ${view.name}: ${res.status} ${res.text.slice(0, 300)}`);
  }
}

/** Times `target`'s requests one at a time for `seconds` (after a 1 s warm-up). */
async function timeTarget(w, env, target, seconds, session) {
  const next = target.next();
  const run = async (ms, record) => {
    const times = [];
    const until = performance.now() + ms;
    while (performance.now() < until && times.length < MAX_REQUESTS) {
      const { path, body } = next();
      const res = await call(w, env, target.method, path ?? target.path, target.headers, body);
      if (res.status !== 200)
        throw new Error(`harness: ${target.method} ${path ?? target.path} → ${res.status}: ${res.text.slice(0, 300)}`);
      if (record) times.push(res.ms);
    }
    return times;
  };
  await run(1000, false);
  if (session) {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
  }
  const times = await run(seconds * 1000, true);
  const profile = session ? (await session.post("Profiler.stop")).profile : null;
  const sorted = Float64Array.from(times).sort();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const us = (x) => Math.round(x * 1000);
  return {
    requests: times.length,
    per_s: Math.round(times.length / seconds),
    mean_us: us(mean),
    p50_us: us(percentile(sorted, 50)),
    p99_us: us(percentile(sorted, 99)),
    profile,
  };
}

const session = new Session();
session.connect();
const results = [];
for (const sc of buildScenarios({ n, reader, writer })) {
  if (config.scenarios && !config.scenarios.includes(sc.id)) continue;
  const larder = await timeTarget(worker, larderEnv, sc.larder, config.seconds, session);
  const floor = await timeTarget(floorWorker, floorEnv, sc.floor, config.seconds, null);
  const file = `${config.profileDir}/cpu-${sc.id}-larder.cpuprofile`;
  writeFileSync(file, JSON.stringify(larder.profile));
  const summary = summarizeProfile(larder.profile, larder.requests, { top: 15 });
  delete larder.profile;
  delete floor.profile;
  results.push({
    id: sc.id,
    label: sc.label,
    floor_label: sc.floor.label,
    larder,
    floor,
    larder_minus_floor_us: larder.mean_us - floor.mean_us,
    profile_file: file,
    profile: summary,
  });
  console.log(`[cpu harness] ${sc.id}: Larder ${larder.mean_us} µs/request, floor ${floor.mean_us} µs/request`);
}
session.disconnect();
writeFileSync(
  config.resultPath,
  JSON.stringify({ node: process.version, entities: n, seconds: config.seconds, results }, null, 2),
);
