#!/usr/bin/env node
// The `larder` CLI (package.json "bin"; `npx larder ...` in this checkout).
// Its code is cli/, bundled to dist/larder.mjs by scripts/build.mjs in npm's
// `prepare` step; this stub rebuilds first when the bundle is missing or
// older than its sources, so it always runs the checkout's current code.
import { ensureBuilt } from "../scripts/build.mjs";

await ensureBuilt();
await import("../dist/larder.mjs");
