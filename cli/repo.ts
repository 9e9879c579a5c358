/**
 * A feature repo's definitions: every `.yaml`, `.yml` and `.json` file under
 * the repo root (larder.yaml, hidden folders, node_modules and the `ignore`
 * list aside), each a mapping of `entities`, `data_sources`, `feature_views`,
 * `feature_services` and `push_sources` lists, validated with the server's
 * own ApplyRequest schema. Every problem points at its file and line. The
 * files together make one apply body.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { isMap, LineCounter, parseDocument, type Document } from "yaml";
import { ApplyRequest } from "../src/schemas/registry";
import type { ApplyRequest as ApplyBody } from "../src/client";
import { CONFIG_FILE, type RepoConfig } from "./context";
import { CliError } from "./errors";

export const KINDS = ["entities", "data_sources", "feature_views", "feature_services", "push_sources"] as const;
export type Kind = (typeof KINDS)[number];

/** Where an object is defined, for messages. */
export interface Definition {
  kind: Kind;
  name: string;
  file: string;
  line: number;
}

export interface Definitions {
  body: Pick<ApplyBody, Kind>;
  files: string[];
  objects: Definition[];
}

const EXTENSIONS = [".yaml", ".yml", ".json"];

function ignored(rel: string, ignore: string[]): boolean {
  const posix = rel.split(sep).join("/");
  return ignore.some((p) => {
    const prefix = p.replace(/^\.\//, "").replace(/\/+$/, "");
    return posix === prefix || posix.startsWith(`${prefix}/`);
  });
}

/** The definition files of the repo, sorted. */
export function definitionFiles(repo: RepoConfig): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(repo.root, path);
      if (entry.name.startsWith(".") || entry.name === "node_modules" || ignored(rel, repo.ignore)) continue;
      if (entry.isDirectory()) walk(path);
      else if (EXTENSIONS.some((e) => entry.name.endsWith(e)) && rel !== CONFIG_FILE) found.push(rel);
    }
  };
  walk(repo.root);
  return found.sort();
}

interface Parsed {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** The 1-based line of the node at `path` (or of its nearest present parent). */
function lineOf(p: Parsed, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = p.doc.getIn(path.slice(0, n) as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === "object" && node.range) return p.lines.linePos(node.range[0]).line;
  }
  return 1;
}

function parseFile(root: string, file: string): { parsed?: Parsed; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(join(root, file), "utf8"), { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const message = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return `${file}:${at?.line ?? 1}:${at?.col ?? 1}: ${message}`;
      }),
    };
  }
  return { parsed: { file, doc, lines }, problems: [] };
}

/** Checks one file's content with the server's schema; returns its problems and its lists. */
function checkFile(p: Parsed): { problems: string[]; value?: Pick<ApplyBody, Kind> } {
  const value = p.doc.toJS() as unknown;
  if (value === null || value === undefined) return { problems: [`${p.file}:1: the file is empty`] };
  if (!isMap(p.doc.contents)) {
    return { problems: [`${p.file}:1: expected a mapping with ${KINDS.join(", ")}`] };
  }
  const problems: string[] = [];
  for (const key of Object.keys(value as object)) {
    if (!(KINDS as readonly string[]).includes(key)) {
      problems.push(`${p.file}:${lineOf(p, [key])}: unknown key '${key}': a definition file holds ${KINDS.join(", ")}`);
    }
  }
  const result = ApplyRequest.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.map(String).join(".");
      problems.push(`${p.file}:${lineOf(p, issue.path)}: ${where ? `${where}: ` : ""}${issue.message}`);
    }
  }
  return { problems, value: value as Pick<ApplyBody, Kind> };
}

/** Reads, checks and merges every definition file; CliError listing every problem found. */
export function loadDefinitions(repo: RepoConfig): Definitions {
  const files = definitionFiles(repo);
  if (files.length === 0) {
    throw new CliError(`No definition files in ${repo.root}`, [`Add .yaml or .json files with ${KINDS.join(", ")}.`]);
  }
  const problems: string[] = [];
  const body: Pick<ApplyBody, Kind> = {};
  const objects: Definition[] = [];
  const seen = new Map<string, Definition>();
  for (const file of files) {
    const { parsed, problems: syntax } = parseFile(repo.root, file);
    problems.push(...syntax);
    if (!parsed) continue;
    const { problems: invalid, value } = checkFile(parsed);
    problems.push(...invalid);
    if (!value || invalid.length > 0) continue;
    for (const kind of KINDS) {
      const items = (value[kind] ?? []) as { name: string }[];
      items.forEach((item, i) => {
        const def = { kind, name: item.name, file, line: lineOf(parsed, [kind, i]) };
        const key = `${kind}/${item.name}`;
        const first = seen.get(key);
        if (first)
          problems.push(`${file}:${def.line}: ${kind} '${item.name}' is also defined at ${first.file}:${first.line}`);
        seen.set(key, first ?? def);
        objects.push(def);
      });
      if (items.length > 0) (body[kind] as unknown[]) = [...((body[kind] as unknown[]) ?? []), ...items];
    }
  }
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new CliError(`${unique.length} problem(s) in the feature repo's definitions`, unique);
  }
  return { body, files, objects };
}

/** Points at the definition of each object a server message names in quotes ('name'). */
export function locate(message: string, defs: Definitions): string[] {
  const named = new Set([...message.matchAll(/'([^']+)'/g)].map((m) => m[1]));
  return defs.objects.filter((o) => named.has(o.name)).map((o) => `${o.name}: defined at ${o.file}:${o.line}`);
}
