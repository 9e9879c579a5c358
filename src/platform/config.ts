/**
 * Larder's settings, read once from the Worker's vars and secrets. Every
 * other module takes these typed values instead of reading `env` itself.
 */
import { DEFAULT_BUCKETS, MAX_BUCKETS } from "../domain/bucketing";
import { isValidName } from "../domain/names";
import { externalPrefixProblem } from "../domain/source-path";
import type { Bindings } from "./bindings";

export interface LarderConfig {
  /** The project of a request that names none (`DEFAULT_PROJECT`, default `ai_etl`). */
  defaultProject: string;
  /** How long an isolate trusts its cached registry snapshot before a version check (`REGISTRY_CACHE_TTL_MS`). */
  registryCacheTtlMs: number;
  /** Request body limit in bytes (`MAX_BODY_BYTES`, default 10 MB). */
  maxBodyBytes: number;
  /**
   * How long a synchronous Feast `/feast/materialize` waits for its job before
   * answering 408 in Feast's error form, the job going on (`FEAST_MATERIALIZE_WAIT_SECONDS`, default 600).
   */
  feastMaterializeWaitMs: number;
  /**
   * Hash buckets of a batch source's offline files (`OFFLINE_BUCKETS`, 1-256,
   * default 16), fixed per source when it is first written.
   */
  offlineBuckets: number;
  auth: {
    /** HS256 secret (`AUTH_JWT_SECRET`). */
    secret?: string;
    /** RS256/ES256 key set at a URL (`AUTH_JWKS_URL`). */
    jwksUrl?: string;
    /** RS256/ES256 key set given inline as JSON (`AUTH_JWKS`; takes precedence over the URL). */
    jwks?: string;
    issuer?: string;
    audience?: string;
  };
  /** Key material for export links (`EXPORT_SIGNING_SECRET`, else `AUTH_JWT_SECRET`); undefined when neither is set. */
  exportSigningSecret?: string;
  /**
   * Per project, the bucket prefixes its batch sources may read with
   * `external://` paths (`EXTERNAL_PREFIXES`, JSON `{"<project>": ["<prefix>/", ...]}`).
   * Set by the operator only; entries that break the rule are dropped and listed in `problems`.
   */
  externalPrefixes: Record<string, string[]>;
  /**
   * Projects the `Features` service-binding entrypoint may serve (`BINDING_PROJECTS`, names separated by
   * commas or spaces). Empty (the default) means the entrypoint serves no project: a binding is opt-in.
   */
  bindingProjects: string[];
  /**
   * Scopes every binding call is limited to (`BINDING_SCOPES`, default `online:read offline:read
   * online:write offline:write`); a binding's `props.scopes` can narrow them further, never widen them.
   */
  bindingScopes: string[];
  /** What was wrong with the settings (logged once per isolate, shown by GET /config). */
  problems: string[];
}

/** Parses EXTERNAL_PREFIXES; invalid entries are left out (never allowed) and reported. */
function readExternalPrefixes(raw: string | undefined, problems: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  if (!raw?.trim()) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('EXTERNAL_PREFIXES is not JSON: write {"<project>": ["<prefix>/"]}');
    return out;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    problems.push('EXTERNAL_PREFIXES must be a JSON object: {"<project>": ["<prefix>/"]}');
    return out;
  }
  for (const [project, prefixes] of Object.entries(parsed)) {
    if (!isValidName(project)) {
      problems.push(`EXTERNAL_PREFIXES: '${project}' is not a project name`);
      continue;
    }
    const list = Array.isArray(prefixes) ? prefixes : [];
    if (!Array.isArray(prefixes)) problems.push(`EXTERNAL_PREFIXES.${project} must be a list of prefixes`);
    for (const prefix of list) {
      const problem = typeof prefix === "string" ? externalPrefixProblem(prefix) : "it is not a string";
      if (problem) {
        problems.push(`EXTERNAL_PREFIXES.${project}: '${String(prefix)}' is refused: ${problem}`);
        continue;
      }
      out[project] ??= [];
      out[project].push(prefix);
    }
  }
  return out;
}

/** The scopes a service binding can use at most (what the `Features` entrypoint offers). */
export const BINDING_SCOPES = ["online:read", "offline:read", "online:write", "offline:write"] as const;

function words(raw: string | undefined): string[] {
  return (raw ?? "").split(/[\s,]+/).filter(Boolean);
}

/** BINDING_PROJECTS and BINDING_SCOPES; entries that break their rule are dropped and reported. */
function readBindingAccess(env: Bindings, problems: string[]): { projects: string[]; scopes: string[] } {
  const projects = words(env.BINDING_PROJECTS).filter((p) => {
    if (isValidName(p)) return true;
    problems.push(`BINDING_PROJECTS: '${p}' is not a project name`);
    return false;
  });
  const given = env.BINDING_SCOPES?.trim() ? words(env.BINDING_SCOPES) : [...BINDING_SCOPES];
  const scopes = given.filter((s) => {
    if ((BINDING_SCOPES as readonly string[]).includes(s)) return true;
    problems.push(`BINDING_SCOPES: '${s}' is not one of ${BINDING_SCOPES.join(", ")}`);
    return false;
  });
  return { projects, scopes };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? n : fallback;
}

function bucketCount(value: string | undefined, problems: string[]): number {
  if (!value?.trim()) return DEFAULT_BUCKETS;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= MAX_BUCKETS) return n;
  problems.push(`OFFLINE_BUCKETS: '${value}' is not an integer from 1 to ${MAX_BUCKETS}; using ${DEFAULT_BUCKETS}`);
  return DEFAULT_BUCKETS;
}

export function readConfig(env: Bindings): LarderConfig {
  const problems: string[] = [];
  const externalPrefixes = readExternalPrefixes(env.EXTERNAL_PREFIXES, problems);
  const binding = readBindingAccess(env, problems);
  for (const problem of problems) console.error(`configuration: ${problem}`);
  return {
    defaultProject: env.DEFAULT_PROJECT || "ai_etl",
    registryCacheTtlMs: positive(env.REGISTRY_CACHE_TTL_MS, 5000),
    maxBodyBytes: positive(env.MAX_BODY_BYTES, 10 * 1024 * 1024),
    feastMaterializeWaitMs: positive(env.FEAST_MATERIALIZE_WAIT_SECONDS, 600) * 1000,
    offlineBuckets: bucketCount(env.OFFLINE_BUCKETS, problems),
    auth: {
      secret: env.AUTH_JWT_SECRET || undefined,
      jwksUrl: env.AUTH_JWKS_URL || undefined,
      jwks: env.AUTH_JWKS || undefined,
      issuer: env.AUTH_ISSUER || undefined,
      audience: env.AUTH_AUDIENCE || undefined,
    },
    exportSigningSecret: env.EXPORT_SIGNING_SECRET || env.AUTH_JWT_SECRET || undefined,
    externalPrefixes,
    bindingProjects: binding.projects,
    bindingScopes: binding.scopes,
    problems,
  };
}
