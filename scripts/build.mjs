#!/usr/bin/env node
// Builds what the package ships besides the Worker (npm's `prepare` step,
// so `npm ci` leaves them ready):
//   dist/larder.mjs  the `larder` CLI (cli/), for Node 20+; packages stay
//                    external and resolve from node_modules;
//   dist/client.mjs  `larder/client` (src/client/), runtime-neutral ESM with
//                    no dependency (its schema imports are types only);
//   dist/site/       the web console (console/), the Worker's static assets
//                    (scripts/build-console.mjs).
// `ensureBuilt()` rebuilds when an output is missing or older than its
// sources, so bin/larder.mjs always runs the tree's current code.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildConsole } from "./build-console.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES = ["cli", "console", "src/client", "src/schemas", "src/domain", "src/auth", "package.json"];
/** What the console build writes last; its absence or age means the console is stale. */
const CONSOLE_PAGE = "dist/site/console/index.html";

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

/** Builds every target; returns the console's sizes (see build-console.mjs). */
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
  return { console: await buildConsole({ root: ROOT }) };
}

/** Builds when an output is missing or older than the newest source; never fails when esbuild is absent but outputs exist. */
export async function ensureBuilt() {
  const newest = Math.max(...SOURCES.map(newestSource));
  const outputs = [...TARGETS.map((t) => t.outfile), CONSOLE_PAGE];
  const stale = outputs.some((file) => !existsSync(join(ROOT, file)) || statSync(join(ROOT, file)).mtimeMs < newest);
  if (!stale) return;
  try {
    await buildAll();
  } catch (err) {
    if (outputs.every((file) => existsSync(join(ROOT, file)))) return;
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildAll();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `console: ${kb(built.console.gzipTotal)} gzipped in all, ${kb(built.console.gzipInitial)} for the first page (dist/site/console)`,
  );
}
