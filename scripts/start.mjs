#!/usr/bin/env node
// `npm start`: a dev secret in .dev.vars, local D1 migrations, `wrangler dev`,
// the demo project applied through POST /apply (and its data loaded), then a
// dev token and example curls. Ctrl-C stops wrangler (by its own PID).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ensureDevSecret, mintToken, postJson, QUIET_ENV, waitForHealth } from "./lib.mjs";
import { ensureBuilt } from "./build.mjs";
import { loadDemoData } from "./demo-data.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://127.0.0.1:${PORT}`;
const API = `${BASE}/api/v1/features`;
const wrangler = "node_modules/.bin/wrangler";

// The CLI, the client and the console (dist/site, the Worker's static assets) as the checkout has them.
await ensureBuilt();

const { secret, created } = ensureDevSecret();
if (created) console.log("Created .dev.vars with a random AUTH_JWT_SECRET (never commit it).");

console.log("Applying D1 migrations locally…");
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], {
  env: { ...QUIET_ENV, CI: "true" },
  stdio: "inherit",
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

console.log(`Starting wrangler dev on ${BASE}…`);
const dev = spawn(
  wrangler,
  ["dev", "--ip", "127.0.0.1", "--port", String(PORT), "--test-scheduled", "--show-interactive-dev-session=false"],
  {
    env: QUIET_ENV,
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const stop = () => {
  if (dev.exitCode === null) dev.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => process.exit(code ?? 0));

/** The production cron's cadence (wrangler.toml `crons`): `wrangler dev` never runs it by itself. */
const CRON = "*/5 * * * *";
const CRON_EVERY_MS = 5 * 60_000;

/** Runs the scheduled handler the way the cron trigger would (wrangler dev serves /__scheduled with --test-scheduled). */
function startCron() {
  const tick = async () => {
    try {
      const res = await fetch(`${BASE}/__scheduled?cron=${encodeURIComponent(CRON)}`);
      if (!res.ok) console.error(`cron: /__scheduled answered ${res.status}`);
    } catch (err) {
      console.error(`cron: ${err.message}`);
    }
  };
  setInterval(tick, CRON_EVERY_MS).unref();
}

try {
  await waitForHealth(BASE);
  const admin = await mintToken({ secret, scopes: ["admin"] });
  const definitions = JSON.parse(readFileSync("demo/definitions.json", "utf8"));
  const applied = await postJson(`${API}/apply`, admin, definitions);
  console.log(`Demo project applied (registry version ${applied.registry_version}).`);
  await loadDemoData({ api: API, token: admin });
  startCron();
  const reader = await mintToken({ secret, scopes: ["online:read", "offline:read", "registry:read"] });
  console.log(`
Larder is serving on ${BASE}
The console: ${BASE}/console/ (sign in with a token below)

Admin dev token (24 h; mint others with: npm run token -- --scopes "online:read"):
export TOKEN=${admin}

Try:
curl -H "Authorization: Bearer $TOKEN" ${API}/feature-views
curl -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" \\
  -d '{"feature_service":"customer_features_v1","entities":{"customer_id":["cust_12345","cust_67890"]},"features":["customer:age","customer:lifetime_value","customer:days_since_signup","customer:segment"],"full_feature_names":false}' \\
  ${API}/online-features

A read-only token: ${reader}
The scheduled handler runs every 5 minutes, as the production cron does.
Press Ctrl-C to stop.`);
} catch (err) {
  console.error(`npm start failed: ${err.message}`);
  stop();
  process.exitCode = 1;
}
