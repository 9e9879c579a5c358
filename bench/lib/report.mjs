// Machine facts and Markdown helpers for the bench reports.
import os from "node:os";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu_count: cpus.length,
    cpu_model: cpus[0]?.model ?? null,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    loadavg_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
    wrangler: packageVersion("wrangler"),
    workerd: packageVersion("workerd"),
    miniflare: packageVersion("miniflare"),
    autocannon: packageVersion("autocannon"),
  };
}

/** A Markdown table; `align` is "l" or "r" per column. */
export function markdownTable(headers, rows, align = headers.map((_, i) => (i === 0 ? "l" : "r"))) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [
    line(headers),
    line(align.map((a) => (a === "r" ? "---:" : ":---"))),
    ...rows.map((r) => line(r.map((c) => String(c ?? "–")))),
  ].join("\n");
}

export const fmt = {
  rps: (x) => (x == null ? "–" : x >= 100 ? String(Math.round(x)) : x.toFixed(1)),
  ms: (x) => (x == null ? "–" : x >= 100 ? String(Math.round(x)) : x >= 10 ? x.toFixed(1) : x.toFixed(2)),
  ratio: (x) => (x == null || !Number.isFinite(x) ? "–" : `${x.toFixed(2)}×`),
};
