// `npm run bench -- --only read`: the reading-speed measurement (bench/read.mjs,
// issue 12 part 5) as a suite of `npm run bench`, so one command runs every
// figure the README quotes. It runs bench/read.mjs in a child Node process (it
// starts its own Miniflare and DuckDB; the suite's wrangler dev is not used)
// and returns what that script measured and wrote.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const title = "Reading speed (fast Parquet reader, synchronous join against DuckDB)";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function run({ log }) {
  log("Reading speed: node bench/read.mjs (1,000,000 rows; a few minutes)…");
  const child = spawnSync(process.execPath, [join(ROOT, "bench/read.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 30 * 60_000,
  });
  if (child.status !== 0) throw new Error(`bench/read.mjs exited with ${child.status ?? child.signal}`);
  const json = JSON.parse(readFileSync(join(ROOT, "bench/results/read.json"), "utf8"));
  // read.mjs's own Markdown, minus its title line (run.mjs adds a header).
  const markdown = readFileSync(join(ROOT, "bench/results/read.md"), "utf8").split("\n").slice(2).join("\n").trim();
  return { json, markdown };
}
