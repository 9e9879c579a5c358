/**
 * A real Larder for end-to-end tests: `wrangler dev` on free loopback ports,
 * with its own --persist-to directory, its own dev registry, and a generated
 * env file holding a fresh AUTH_JWT_SECRET (so the developer's .dev.vars is
 * never read); D1 migrations applied first. Started in its own process group
 * and stopped by its PID.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");
const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");

export interface LocalWorker {
  url: string;
  secret: string;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_REGISTRY_PATH: join(dir, "registry"),
    CI: "true",
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Starts Larder; `vars` are added to its env file (e.g. BINDING_PROJECTS). */
export async function startLocalWorker(vars: Record<string, string> = {}, timeoutMs = 120_000): Promise<LocalWorker> {
  const dir = mkdtempSync(join(tmpdir(), "larder-e2e-"));
  const state = join(dir, "state");
  mkdirSync(state);
  const secret = randomBytes(32).toString("hex");
  const envFile = join(dir, "larder.env");
  const lines = Object.entries({ AUTH_JWT_SECRET: secret, ...vars }).map(([k, v]) => `${k}="${v}"`);
  writeFileSync(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  const migrate = spawnSync(
    process.execPath,
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
    {
      cwd: ROOT,
      env: env(dir),
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  if (migrate.status !== 0)
    throw new Error(`wrangler d1 migrations apply failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const [port, inspector] = [await freePort(), await freePort()];
  const logFile = join(dir, "wrangler.log");
  const fd = openSync(logFile, "w");
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector)];
  args.push(
    "--persist-to",
    state,
    "--env-file",
    envFile,
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
  );
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: env(dir),
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => readFileSync(logFile, "utf8");
  const stop = async () => {
    killGroup(child, "SIGTERM");
    const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!done) killGroup(child, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log()}`);
    try {
      const res = await fetch(`${url}/api/v1/features/health`);
      if (res.ok) return { url, secret, dir, log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`wrangler dev did not answer within ${timeoutMs} ms`);
}
