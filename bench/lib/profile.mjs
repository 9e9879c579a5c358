// CPU profiles of a worker under load, through wrangler dev's inspector
// (`--inspector-port`: the Chrome DevTools protocol of the worker's V8
// isolate in workerd). Profiler.start → load → Profiler.stop, then a summary:
// worker CPU time per request, and where it goes (self and inclusive time
// per function, inclusive time per source file via the bundle's source map).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** A CDP session over the inspector's first target; null when `ws` cannot be loaded. */
async function connect(inspectorPort) {
  let WebSocket;
  try {
    WebSocket = require("ws"); // installed with miniflare (wrangler dev's own inspector uses it)
  } catch {
    return null;
  }
  const targets = await fetch(`http://127.0.0.1:${inspectorPort}/json`).then((r) => r.json());
  if (!targets.length) throw new Error(`no inspector target on port ${inspectorPort}`);
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${msg.error.message}`));
      else resolve(msg.result);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
      setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`inspector: ${method} timed out`));
      }, 60_000);
    });
  return { send, close: () => ws.close() };
}

/** Runs `work()` (a load run returning {requests_ok}) while profiling; returns the raw profile and the load result. */
export async function profileWhile(inspectorPort, work, { intervalUs = 200 } = {}) {
  const session = await connect(inspectorPort);
  if (!session) return null;
  try {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await session.send("Profiler.start");
    let result;
    let stopped;
    try {
      result = await work();
    } finally {
      stopped = await session.send("Profiler.stop");
    }
    await session.send("Profiler.disable");
    return { profile: stopped.profile, result };
  } finally {
    session.close();
  }
}

/**
 * Maps bundle positions to original files, when the bundle has a source map
 * next to it or `maps` names one for the frame's URL (workerd reports
 * wrangler's bundle as a bare `index.js`).
 */
function sourceMapper(maps = {}) {
  const consumers = new Map();
  let SourceMapConsumer;
  try {
    ({ SourceMapConsumer } = require("source-map-js"));
  } catch {
    return (frame) => frame.url || "(native)";
  }
  return (frame) => {
    if (!frame.url) return "(native)";
    let consumer = consumers.get(frame.url);
    if (consumer === undefined) {
      consumer = null;
      try {
        const path = frame.url.startsWith("file://") ? fileURLToPath(frame.url) : frame.url;
        const mapPath = maps[frame.url] ?? `${path}.map`;
        if (existsSync(mapPath)) consumer = new SourceMapConsumer(JSON.parse(readFileSync(mapPath, "utf8")));
      } catch {
        consumer = null;
      }
      consumers.set(frame.url, consumer);
    }
    if (!consumer) return frame.url;
    const pos = consumer.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber });
    return pos.source ? pos.source.replace(/^.*?(node_modules\/|src\/|bench\/)/, "$1") : frame.url;
  };
}

/** Groups a source file into a readable bucket: src/<file>, the npm package, or the runtime. */
function bucketOf(file) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `npm:${pkg[1]}`;
  if (file.startsWith("node:internal/crypto") || file.startsWith("node:crypto")) return "runtime:crypto";
  if (file.startsWith("node:")) return "runtime:node";
  if (file.includes("/bench/lib/cpu-harness-child")) return "harness (in-memory KV, calls)";
  if (file.includes("/bench/")) return `bench:${file.slice(file.lastIndexOf("/") + 1)}`;
  return file;
}

/**
 * Summarises a CDP profile: total sampled ms, idle/GC/program ms, busy ms
 * per request, top functions by self and inclusive time, and time per source
 * bucket, self (the sampled frame's file) and inclusive (any frame's file,
 * once per sample; async continuations lose their callers, so inclusive
 * time under-counts callers of awaited work).
 */
export function summarizeProfile(profile, requests, { top = 20, maps } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const mapFile = sourceMapper(maps);
  const fileOf = new Map();
  const fnKey = (node) => {
    const f = node.callFrame;
    if (!fileOf.has(node.id)) fileOf.set(node.id, mapFile(f));
    return `${f.functionName || "(anonymous)"} ${fileOf.get(node.id)}`;
  };
  const self = new Map();
  const inclusive = new Map();
  const buckets = new Map();
  const selfBuckets = new Map();
  let total = 0;
  let idle = 0;
  let gc = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    total += ms;
    const node = byId.get(samples[i]);
    const name = node.callFrame.functionName;
    if (name === "(idle)") {
      idle += ms;
      continue;
    }
    if (name === "(garbage collector)") gc += ms;
    const key = fnKey(node);
    self.set(key, (self.get(key) ?? 0) + ms);
    const leafBucket = bucketOf(fileOf.get(node.id) ?? "");
    selfBuckets.set(leafBucket, (selfBuckets.get(leafBucket) ?? 0) + ms);
    const seenFns = new Set();
    const seenBuckets = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      if (n.callFrame.functionName === "(root)") break;
      const k = fnKey(n);
      if (!seenFns.has(k)) {
        seenFns.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
      }
      const b = bucketOf(fileOf.get(n.id) ?? "");
      if (!seenBuckets.has(b)) {
        seenBuckets.add(b);
        buckets.set(b, (buckets.get(b) ?? 0) + ms);
      }
    }
  }
  const busy = total - idle;
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct_of_busy: Math.round((1000 * ms) / busy) / 10 }));
  return {
    sampled_ms: Math.round(total),
    busy_ms: Math.round(busy),
    idle_ms: Math.round(idle),
    gc_ms: Math.round(gc),
    requests,
    cpu_ms_per_request: requests > 0 ? Math.round((1000 * busy) / requests) / 1000 : null,
    top_self: rank(self),
    top_inclusive: rank(inclusive),
    self_by_source: rank(selfBuckets),
    inclusive_by_source: rank(buckets),
  };
}

/** The source map of the newest bundle `wrangler dev` built under `projectDir` (while it runs), as {"<file>": path}. */
export function wranglerBundleMap(projectDir, file) {
  const tmp = join(projectDir, ".wrangler", "tmp");
  if (!existsSync(tmp)) return {};
  const candidates = readdirSync(tmp)
    .filter((d) => d.startsWith("dev-") && existsSync(join(tmp, d, `${file}.map`)))
    .map((d) => join(tmp, d, `${file}.map`))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates.length ? { [file]: candidates[0] } : {};
}

export function writeProfile(path, profile) {
  writeFileSync(path, JSON.stringify(profile));
}
