#!/usr/bin/env node
// First render of the web console in Debian's Chromium (headless, playwright-core):
// from navigation start to the registry's tables on screen, and to a view's first
// plot, for a signed-in tab (the token already in its sessionStorage). The first
// load runs with an empty cache; the median of the next ones with a warm one.
//
//   node scripts/console-timing.mjs http://127.0.0.1:8787 "$TOKEN" [project] [view] [runs]
//
// Against `npm start` (its admin token): the demo project's registry and its
// `customer` view with statistics from the demo data.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, token, project = "ai_etl", view = "customer", runsArg = "6"] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: node scripts/console-timing.mjs BASE_URL TOKEN [project] [view] [runs]");
  process.exit(2);
}
const runs = Number(runsArg);
const profile = mkdtempSync(join(tmpdir(), "larder-timing-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.LARDER_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

/** ms from navigation start until `selector` first matches, recorded in the page by a MutationObserver. */
async function firstRender(path, selector) {
  const page = await context.newPage();
  await page.addInitScript(
    ([t, p, s]) => {
      sessionStorage.setItem("larder.console.token", t);
      sessionStorage.setItem("larder.console.project", p);
      const seen = () => {
        if (window.firstRenderMs === undefined && document.querySelector(s)) window.firstRenderMs = performance.now();
      };
      new MutationObserver(seen).observe(document, { subtree: true, childList: true });
    },
    [token, project, selector],
  );
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.firstRenderMs !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.firstRenderMs);
  await page.close();
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, path, selector] of [
  ["registry", "/console/", `#view-${view}`],
  ["view", `/console/views/${view}`, "figure[data-plot] svg"],
]) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await firstRender(path, selector));
  results[name] = { cold_ms: Math.round(times[0]), warm_median_ms: Math.round(median(times.slice(1))), runs };
}
console.log(JSON.stringify(results, null, 2));
await context.close();
rmSync(profile, { recursive: true, force: true });
