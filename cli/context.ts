/**
 * What every command starts from: the directory it runs in (`-C DIR`), the
 * feature repo's `larder.yaml` (found there or in a parent folder), and the
 * client built from flags over environment (LARDER_URL, LARDER_TOKEN,
 * LARDER_PROJECT) over larder.yaml.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { LarderClient } from "../src/client";
import { CliError } from "./errors";

export const CONFIG_FILE = "larder.yaml";
export const DEFAULT_URL = "http://127.0.0.1:8787";

/** Options every command takes (defined on the program; see main.ts). */
export interface GlobalOptions {
  directory?: string;
  url?: string;
  token?: string;
  project?: string;
  json?: boolean;
  timeout?: string;
}

export interface RepoConfig {
  /** The folder holding larder.yaml. */
  root: string;
  project?: string;
  url?: string;
  token?: string;
  /** Paths (relative to root) that hold no definitions. */
  ignore: string[];
}

/** The `-C` directory (main.ts changes into it before a command runs), checked. */
export function workDir(opts: GlobalOptions): string {
  const dir = resolve(opts.directory ?? ".");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`-C ${opts.directory}: no such directory`);
  return dir;
}

/** larder.yaml of `dir` or its nearest parent; undefined when there is none. */
export function findRepo(dir: string): RepoConfig | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, CONFIG_FILE);
    if (existsSync(file)) return readRepoConfig(at, file);
    if (dirname(at) === at) return undefined;
  }
}

function readRepoConfig(root: string, file: string): RepoConfig {
  const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new CliError(
      `${file} is not valid YAML`,
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0]}`),
    );
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new CliError(`${file} must be a mapping (project:, url:, ...)`);
  const text = (key: string) => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new CliError(`${file}: '${key}' must be a string`);
    return v;
  };
  const ignore = raw.ignore ?? [];
  if (!Array.isArray(ignore) || ignore.some((p) => typeof p !== "string")) {
    throw new CliError(`${file}: 'ignore' must be a list of paths`);
  }
  return { root, project: text("project"), url: text("url"), token: text("token"), ignore: ignore as string[] };
}

export interface Context {
  dir: string;
  repo?: RepoConfig;
  client: LarderClient;
  url: string;
  project?: string;
  json: boolean;
}

/** The context of a command: its directory, repo and client. */
export function context(opts: GlobalOptions): Context {
  const dir = process.cwd();
  const repo = findRepo(dir);
  const env = process.env;
  const url = opts.url ?? env.LARDER_URL ?? repo?.url ?? DEFAULT_URL;
  const token = opts.token ?? env.LARDER_TOKEN ?? repo?.token;
  const project = opts.project ?? env.LARDER_PROJECT ?? repo?.project;
  const timeoutMs = opts.timeout === undefined ? 60_000 : Number(opts.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
    throw new CliError(`--timeout ${opts.timeout}: give seconds, e.g. 60`);
  let client: LarderClient;
  try {
    client = new LarderClient({ baseUrl: url, token, project, timeoutMs });
  } catch {
    throw new CliError(`'${url}' is not a URL: give the server's origin, e.g. ${DEFAULT_URL}`);
  }
  return { dir, repo, client, url, project, json: Boolean(opts.json) };
}

/** The feature repo a command needs (plan, apply): CliError when there is no larder.yaml. */
export function requireRepo(ctx: Context): RepoConfig {
  if (!ctx.repo) {
    throw new CliError(`No ${CONFIG_FILE} in ${ctx.dir} or its parents`, [
      "Create a feature repo with `larder init DIR`, or run from one (-C DIR).",
    ]);
  }
  return ctx.repo;
}
