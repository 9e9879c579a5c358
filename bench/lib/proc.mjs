// Child processes of the bench: `wrangler` runs with the quiet, offline env,
// each `wrangler dev` in its own process group so that stopping it (by its own
// PID) also stops the workerd it started. Every started server is stopped on
// success, on failure, on Ctrl-C and on an uncaught error.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { createRequire } from "node:module";
import { QUIET_ENV } from "../../scripts/lib.mjs";

const require = createRequire(import.meta.url);
/** wrangler's own entry, run with this Node (no shell, no npx). */
export const WRANGLER_BIN = require.resolve("wrangler/bin/wrangler.js");

/** Every wrangler dev this process started and has not stopped yet. */
const running = new Map();

/** Runs a short wrangler command to completion (bounded by `timeoutMs`); throws on failure. */
export function wranglerSync(args, { cwd, timeoutMs = 180_000, env = {} } = {}) {
  const res = spawnSync(process.execPath, [WRANGLER_BIN, ...args], {
    cwd,
    env: { ...QUIET_ENV, CI: "true", ...env },
    encoding: "utf8",
    timeout: timeoutMs,
  });
  if (res.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed (${res.error?.message ?? `exit ${res.status}`}):\n${res.stdout}\n${res.stderr}`,
    );
  }
  return res.stdout;
}

/** Resolves when nothing listens on 127.0.0.1:port; rejects when something does. */
export function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err) =>
      reject(new Error(`port ${port} on 127.0.0.1 is in use (${err.code}); pick others with --port`)),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

function tail(path, lines = 30) {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Starts `wrangler dev <args>` in a new process group, output to `logFile`.
 * Waits (bounded) for `ready()` to resolve; fails early when wrangler exits.
 */
export async function startWranglerDev({ name, args, cwd, logFile, ready, timeoutMs = 90_000, env = {} }) {
  const fd = openSync(logFile, "w");
  const child = spawn(process.execPath, [WRANGLER_BIN, "dev", ...args], {
    cwd,
    env: { ...QUIET_ENV, ...env },
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const handle = { name, pid: child.pid, child, exited, logFile };
  running.set(child.pid, handle);
  exited.then(() => running.delete(child.pid));
  let timer;
  try {
    const died = exited.then(({ code, signal }) => {
      throw new Error(
        `${name}: wrangler dev exited early (code ${code}, signal ${signal}). Log ${logFile}:\n${tail(logFile)}`,
      );
    });
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name}: not ready within ${timeoutMs} ms. Log ${logFile}:\n${tail(logFile)}`)),
        timeoutMs,
      );
    });
    await Promise.race([ready(), died, timeout]);
  } catch (err) {
    await stopProcess(handle);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return handle;
}

/** Live members of process group `pgid` (Linux /proc; empty elsewhere). */
function groupMembers(pgid) {
  const members = [];
  let entries = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesised command: state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return members;
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

/** Stops one started server: SIGTERM to its process group, SIGKILL after 5 s. */
export async function stopProcess(handle) {
  if (!handle) return;
  if (handle.child.exitCode === null && handle.child.signalCode === null) {
    killGroup(handle.pid, "SIGTERM");
    const done = await Promise.race([
      handle.exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 5000)),
    ]);
    if (!done) killGroup(handle.pid, "SIGKILL");
    await Promise.race([handle.exited, new Promise((r) => setTimeout(r, 2000))]);
  }
  // workerd may outlive wrangler for a moment: the group leader's PID still names the group.
  for (let i = 0; i < 20 && groupMembers(handle.pid).length > 0; i++) {
    if (i === 10) killGroup(handle.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
  }
  running.delete(handle.pid);
}

export async function stopAll() {
  await Promise.all([...running.values()].map((h) => stopProcess(h)));
}

let installed = false;
/** Stops every started server on Ctrl-C, SIGTERM, an uncaught error, and (synchronously) on exit. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  const onSignal = (signal) => {
    console.error(`\n${signal}: stopping the bench servers…`);
    stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.on("exit", () => {
    for (const h of running.values()) killGroup(h.pid, "SIGKILL");
  });
}
