// The two servers of a bench run, both `wrangler dev` on 127.0.0.1 with the
// same --persist-to directory (under .bench/, never .wrangler/state):
//   - Larder itself, from a snapshot of the working tree taken at bench start
//     (src/, migrations/, wrangler.toml, tsconfig.json, dist/site copied to
//     .bench/larder/): wrangler dev reloads the worker whenever a watched
//     source changes, and a reload mid-run fails requests in flight ("Your
//     worker restarted mid-request") and measures a different build. Its D1
//     migrations are applied first, AUTH_JWT_SECRET comes from a generated
//     env file (--env-file: wrangler then skips the developer's .dev.vars);
//   - the floor (bench/floor/), bound to the same KV namespace id, so both
//     read and write the very same local KV data.
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { assertPortFree, startWranglerDev, stopProcess, wranglerSync } from "./proc.mjs";

/** Listening TCP ports (IPv4) of process `pid`, from /proc (Linux). */
function listeningPorts(pid) {
  const inodes = new Set();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9])) continue;
    const [ip, port] = f[1].split(":");
    if (ip === "0100007F") ports.push(parseInt(port, 16));
  }
  return ports;
}

/** workerd processes in process group `pgid`. */
function workerdPids(pgid) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("workerd")) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * wrangler dev serves --port through a proxy worker in a second workerd,
 * which forwards every request to the user worker's own (random) port and
 * logs it: on 2 cores that hop costs more than a bare KV read. This finds
 * the user worker's port: a 127.0.0.1 listener of one of this wrangler's
 * workerd processes, other than the proxy's, that answers `healthPath` like
 * the worker does. Null when not found (then the bench goes through --port).
 */
async function findDirectBase(pgid, publicPort, healthPath, expectBody) {
  const candidates = [];
  for (const pid of workerdPids(pgid)) {
    const ports = listeningPorts(pid);
    if (ports.includes(publicPort)) continue; // the proxy's workerd
    candidates.push(...ports);
  }
  for (const port of candidates) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${healthPath}`, { signal: AbortSignal.timeout(2000) });
      const text = await res.text();
      if (res.ok && expectBody(text)) return `http://127.0.0.1:${port}`;
    } catch {
      // not an HTTP entry
    }
  }
  return null;
}

/** Polls `url` until it answers 2xx; stops when `state.stopped` is set (bounded by the caller's timeout). */
async function waitForOk(url, state) {
  while (!state.stopped) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function startDev({
  name,
  cwd,
  config,
  port,
  inspectorPort,
  stateDir,
  logFile,
  healthPath,
  expectBody,
  direct,
  extraArgs = [],
  env = {},
}) {
  await assertPortFree(port);
  await assertPortFree(inspectorPort);
  const base = `http://127.0.0.1:${port}`;
  const state = { stopped: false };
  const args = [
    "-c",
    config,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    // No per-request log lines: they would cost both servers CPU on the bench's 2 cores.
    "--log-level",
    process.env.BENCH_WRANGLER_LOG_LEVEL ?? "warn",
    ...extraArgs,
  ];
  try {
    const handle = await startWranglerDev({
      name,
      args,
      cwd,
      logFile,
      env,
      ready: () => waitForOk(`${base}${healthPath}`, state),
    });
    const directBase = direct ? await findDirectBase(handle.pid, port, healthPath, expectBody) : null;
    if (direct && !directBase) {
      await stopProcess(handle);
      throw new Error(
        `${name}: could not find the user worker's own port behind wrangler dev's proxy; run with --through-proxy`,
      );
    }
    return { ...handle, proxyBase: base, base: directBase ?? base, inspectorPort, stop: () => stopProcess(handle) };
  } finally {
    state.stopped = true;
  }
}

// dist/site: the console's static assets ([assets] in wrangler.toml), built by `npm ci`'s prepare step.
const SNAPSHOT = ["src", "migrations", "wrangler.toml", "tsconfig.json", "dist/site"];

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** Copies what `wrangler dev` builds Larder from into `dest`; returns a hash of the copied files. */
export function snapshotLarder(root, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const item of SNAPSHOT)
    if (existsSync(join(root, item))) cpSync(join(root, item), join(dest, item), { recursive: true });
  const hash = createHash("sha256");
  for (const file of listFiles(dest))
    hash.update(relative(dest, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/**
 * Snapshots Larder into `appDir`, applies its D1 migrations into `stateDir`
 * and starts it; returns its base URL, JWT secret and snapshot hash.
 */
export async function startLarder({ root, appDir, stateDir, logDir, port, inspectorPort, direct = true }) {
  const sourceHash = snapshotLarder(root, appDir);
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  const envFile = join(logDir, "larder.env");
  // BINDING_PROJECTS: the binding suite's caller reads project `bench` through the Features entrypoint.
  writeFileSync(envFile, `AUTH_JWT_SECRET="${secret}"\nBINDING_PROJECTS="bench"\n`, { mode: 0o600 });
  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "-c", "wrangler.toml", "--persist-to", stateDir], {
    cwd: appDir,
  });
  const server = await startDev({
    name: "larder",
    cwd: appDir,
    config: "wrangler.toml",
    port,
    inspectorPort,
    stateDir,
    logFile: join(logDir, "larder.log"),
    healthPath: "/api/v1/features/health",
    expectBody: (text) => text.startsWith("{"),
    direct,
    // --test-scheduled: /__scheduled runs the cron handler (the historical suite compacts with it).
    extraArgs: ["--env-file", envFile, "--test-scheduled"],
    env: { WRANGLER_REGISTRY_PATH: join(stateDir, "..", "dev-registry") },
  });
  return { ...server, api: `${server.base}/api/v1/features`, secret, sourceHash };
}

/** Starts the floor worker of bench/floor/ on the same persisted KV data. */
export async function startFloor({ root, stateDir, logDir, port, inspectorPort, direct = true }) {
  return startDev({
    name: "floor",
    cwd: join(root, "bench", "floor"),
    config: "wrangler.toml",
    port,
    inspectorPort,
    stateDir,
    logFile: join(logDir, "floor.log"),
    healthPath: "/health",
    expectBody: (text) => text === "ok",
    direct,
  });
}

/**
 * Starts the binding suite's caller (bench/binding-caller/): its service
 * binding reaches this bench's Larder through a dev registry private to the
 * bench (never another wrangler dev on the machine named `larder`).
 */
export async function startCaller({ root, stateDir, logDir, port, inspectorPort, vars, direct = true }) {
  const envFile = join(logDir, "caller.env");
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}="${v}"\n`)
      .join(""),
    { mode: 0o600 },
  );
  return startDev({
    name: "caller",
    cwd: join(root, "bench", "binding-caller"),
    config: "wrangler.toml",
    port,
    inspectorPort,
    stateDir: join(stateDir, "caller"),
    logFile: join(logDir, "caller.log"),
    healthPath: "/health",
    expectBody: (text) => text === "ok",
    direct,
    extraArgs: ["--env-file", envFile],
    env: { WRANGLER_REGISTRY_PATH: join(stateDir, "..", "dev-registry") },
  });
}
