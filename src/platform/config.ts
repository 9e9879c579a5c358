/**
 * Larder's settings, read once from the Worker's vars and secrets. Every
 * other module takes these typed values instead of reading `env` itself.
 */
import type { Bindings } from "./bindings";

export interface LarderConfig {
  /** The project of a request that names none (`DEFAULT_PROJECT`, default `ai_etl`). */
  defaultProject: string;
  /** How long an isolate trusts its cached registry snapshot before a version check (`REGISTRY_CACHE_TTL_MS`). */
  registryCacheTtlMs: number;
  /** Request body limit in bytes (`MAX_BODY_BYTES`, default 10 MB). */
  maxBodyBytes: number;
  auth: {
    /** HS256 secret (`AUTH_JWT_SECRET`). */
    secret?: string;
    /** RS256/ES256 key set (`AUTH_JWKS_URL`). */
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
  };
  /** Key material for export links (`EXPORT_SIGNING_SECRET`, else `AUTH_JWT_SECRET`); undefined when neither is set. */
  exportSigningSecret?: string;
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function readConfig(env: Bindings): LarderConfig {
  return {
    defaultProject: env.DEFAULT_PROJECT || "ai_etl",
    registryCacheTtlMs: positive(env.REGISTRY_CACHE_TTL_MS, 5000),
    maxBodyBytes: positive(env.MAX_BODY_BYTES, 10 * 1024 * 1024),
    auth: {
      secret: env.AUTH_JWT_SECRET || undefined,
      jwksUrl: env.AUTH_JWKS_URL || undefined,
      issuer: env.AUTH_ISSUER || undefined,
      audience: env.AUTH_AUDIENCE || undefined,
    },
    exportSigningSecret: env.EXPORT_SIGNING_SECRET || env.AUTH_JWT_SECRET || undefined,
  };
}
