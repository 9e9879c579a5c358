/**
 * Batch source paths: what a user may write, and what it names. Pure.
 *
 * A path names data inside the project's own prefix of the bound bucket,
 * `offline/<project>/`: `s3://<bucket>/<p>`, `s3a://<bucket>/<p>`,
 * `r2://<bucket>/<p>` and a bare `<p>` all name `offline/<project>/<p>`. The
 * scheme and bucket are dropped, because a Worker reaches exactly one bucket
 * through its binding: they say where the data came from, not where it is.
 * So the specification's `s3://data-lake/products/features/` works verbatim
 * and lands in the project's space, and no path a user writes can reach
 * another project, Larder's own prefixes (`exports/`, `jobs/`,
 * `dead-letter/`) or the bucket root.
 *
 * `external://<prefix>` names a bucket-absolute prefix, allowed only inside
 * one of the prefixes the operator lists for the project in EXTERNAL_PREFIXES
 * (see `platform/config.ts`); a token can never widen that list.
 *
 * The rule for the part inside the bucket: at least one segment; segments
 * separated by single `/` (no empty segment, no leading `/`), none `.` or
 * `..`, no backslash, NUL or other control character. A path ending in
 * `.parquet` names one object; any other path is a prefix and gets a
 * trailing `/`, so `data/x` never matches `data/x2/...`.
 */

export const PATH_RULE =
  "a path is s3://bucket/prefix/, r2://bucket/prefix/, a bare prefix/ (all inside the project's own prefix) or " +
  "external://prefix/ (an operator-allowed prefix); its segments are separated by single '/', and none is empty, " +
  "'.' or '..' or holds a backslash or a control character";

export type ParsedSourcePath =
  | {
      ok: true;
      /** `project`: relative to `offline/<project>/`; `external`: bucket-absolute. */
      scope: "project" | "external";
      /** The key (a file) or prefix (ending in `/`) within the scope. */
      key: string;
      kind: "file" | "prefix";
    }
  | { ok: false; problem: string };

const PROJECT_SCHEMES = new Set(["s3", "s3a", "r2"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(problem: string): ParsedSourcePath {
  return { ok: false, problem };
}

/** Parses a batch source path; `problem` says which part of the rule it breaks. */
export function parseSourcePath(path: string): ParsedSourcePath {
  if (CONTROL.test(path)) return fail("it holds a control character (NUL, newline, ...)");
  if (path.includes("\\")) return fail("it holds a backslash; separate segments with '/'");
  let scope: "project" | "external" = "project";
  let rest = path.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    rest = rest.slice(scheme[0].length);
    if (name === "external") scope = "external";
    else if (PROJECT_SCHEMES.has(name)) {
      const slash = rest.indexOf("/");
      rest = slash < 0 ? "" : rest.slice(slash + 1);
    } else return fail(`scheme '${name}://' is not supported; use s3://, r2:// or external://`);
  }
  if (rest === "") return fail("it names no prefix inside the bucket; add one, e.g. s3://bucket/features/");
  const segments = rest.endsWith("/") ? rest.slice(0, -1).split("/") : rest.split("/");
  if (segments.some((s) => s === "")) return fail("it has an empty segment (a leading '/' or '//')");
  if (segments.some((s) => s === "." || s === "..")) return fail("it has a '.' or '..' segment");
  const key = segments.join("/");
  if (/\.parquet$/i.test(key) && !rest.endsWith("/")) return { ok: true, scope, key, kind: "file" };
  return { ok: true, scope, key: `${key}/`, kind: "prefix" };
}

/**
 * Whether an operator's external prefix is one Larder may read: a prefix
 * ending in `/` that passes the path rule and lies outside Larder's own
 * prefixes (`offline/`, `exports/`, `jobs/`, `dead-letter/`).
 */
export function externalPrefixProblem(prefix: string): string | undefined {
  if (!prefix.endsWith("/")) return "it must end with '/'";
  const parsed = parseSourcePath(`external://${prefix}`);
  if (!parsed.ok) return parsed.problem;
  const root = parsed.key.split("/")[0];
  if (["offline", "exports", "jobs", "dead-letter"].includes(root)) return `'${root}/' is Larder's own prefix`;
  return undefined;
}

export interface PathProblem {
  data_source: string;
  path: string;
  problem: string;
}

/**
 * What is wrong with the paths of these batch sources for `project`:
 * `errors` break the rule or leave the allowed prefixes (refused at apply);
 * `warnings` are paths that work but mean something else than they used to
 * (written bucket-absolute as `offline/<project>/...`, from before paths
 * were relative to the project's prefix).
 */
export function sourcePathProblems(
  sources: readonly { name: string; type: string; path?: string }[],
  project: string,
  externalPrefixes: readonly string[],
): { errors: PathProblem[]; warnings: PathProblem[] } {
  const errors: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  for (const source of sources) {
    if (source.type !== "batch" || source.path === undefined) continue;
    const at = { data_source: source.name, path: source.path };
    const parsed = parseSourcePath(source.path);
    if (!parsed.ok) errors.push({ ...at, problem: `${parsed.problem} (${PATH_RULE})` });
    else if (parsed.scope === "external" && !externalPrefixes.some((p) => parsed.key.startsWith(p))) {
      const allowed = externalPrefixes.join(", ") || "none";
      errors.push({ ...at, problem: `external path outside the project's EXTERNAL_PREFIXES (${allowed})` });
    } else if (parsed.scope === "project" && parsed.key.startsWith("offline/")) {
      warnings.push({
        ...at,
        problem: `paths are relative to the project's prefix, so this names offline/${project}/${parsed.key}; write it without the leading 'offline/...' part`,
      });
    }
  }
  return { errors, warnings };
}
