#!/usr/bin/env node
// Builds what the package ships besides the Worker (npm's `prepare` step,
// so `npm ci` leaves them ready):
//   dist/larder.mjs  the `larder` CLI (cli/), for Node 20+; packages stay
//                    external and resolve from node_modules;
//   dist/client.mjs  `larder/client` (src/client/), runtime-neutral ESM with
//                    no dependency (its schema imports are types only).
// `ensureBuilt()` rebuilds when an output is missing or older than its
// sources, so bin/larder.mjs always runs the tree's current code.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES = ["cli", "src/client", "src/schemas", "src/domain", "src/auth", "package.json"];

const TARGETS = [
  {
    outfile: "dist/larder.mjs",
    options: { entryPoints: ["cli/main.ts"], platform: "node", target: "node20", packages: "external" },
  },
  {
    outfile: "dist/client.mjs",
    options: { entryPoints: ["src/client/index.ts"], platform: "neutral", target: "es2022" },
  },
];

function newestSource(path) {
  const full = join(ROOT, path);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(full)) newest = Math.max(newest, newestSource(join(path, entry)));
  return newest;
}

export async function buildAll() {
  const { build } = await import("esbuild");
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  for (const target of TARGETS) {
    await build({
      absWorkingDir: ROOT,
      bundle: true,
      format: "esm",
      outfile: target.outfile,
      define: { LARDER_VERSION: JSON.stringify(version) },
      logLevel: "warning",
      ...target.options,
    });
  }
}

/** Builds when an output is missing or older than the newest source; never fails when esbuild is absent but outputs exist. */
export async function ensureBuilt() {
  const newest = Math.max(...SOURCES.map(newestSource));
  const stale = TARGETS.some(
    (t) => !existsSync(join(ROOT, t.outfile)) || statSync(join(ROOT, t.outfile)).mtimeMs < newest,
  );
  if (!stale) return;
  try {
    await buildAll();
  } catch (err) {
    if (TARGETS.every((t) => existsSync(join(ROOT, t.outfile)))) return;
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildAll();
