/**
 * Bearer token verification with jose. HS256 against a shared secret, and/or
 * RS256/ES256 against a JWKS, with issuer and audience checks when set.
 * `alg: none` and every algorithm not listed here are refused by jose.
 */
import { decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { LarderError } from "../domain/errors";
import { projectsFromClaims, scopesFromClaims, type Principal } from "./scopes";

export interface VerifierConfig {
  /** HS256 shared secret (at least 32 bytes). */
  secret?: string;
  /** Key resolver for RS256/ES256 (a remote or local JWKS). */
  jwks?: JWTVerifyGetKey;
  issuer?: string;
  audience?: string;
}

const ASYMMETRIC = ["RS256", "ES256"];

function unauthenticated(message: string, reason: string): LarderError {
  return new LarderError("UNAUTHENTICATED", message, { reason });
}

/** The token from an `Authorization: Bearer <token>` header; 401 when absent or not Bearer. */
export function bearerToken(header: string | undefined | null): string {
  if (!header) throw unauthenticated("Missing Authorization header: send 'Authorization: Bearer <token>'", "missing");
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthenticated("Authorization header must be 'Bearer <token>'", "malformed");
  return match[1];
}

function reasonOf(err: unknown): string {
  const code = (err as { code?: string }).code ?? "";
  if (code === "ERR_JWT_EXPIRED") return "expired";
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return "bad_signature";
  if (code === "ERR_JOSE_ALG_NOT_ALLOWED") return "algorithm_not_allowed";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return `claim_${(err as { claim?: string }).claim ?? "invalid"}`;
  if (code === "ERR_JWKS_NO_MATCHING_KEY") return "unknown_key";
  return "invalid";
}

/** Verifies the token and returns who it speaks for; LarderError UNAUTHENTICATED otherwise. */
export async function verifyToken(token: string, config: VerifierConfig, nowMs?: number): Promise<Principal> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthenticated("Bearer token is not a JWT", "malformed");
  }
  const options = {
    issuer: config.issuer || undefined,
    audience: config.audience || undefined,
    currentDate: nowMs === undefined ? undefined : new Date(nowMs),
  };
  let payload: JWTPayload;
  try {
    if (alg === "HS256" && config.secret) {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(config.secret), {
        ...options,
        algorithms: ["HS256"],
      }));
    } else if (alg && ASYMMETRIC.includes(alg) && config.jwks) {
      ({ payload } = await jwtVerify(token, config.jwks, { ...options, algorithms: ASYMMETRIC }));
    } else {
      throw unauthenticated(`Token algorithm '${alg ?? "none"}' is not accepted here`, "algorithm_not_allowed");
    }
  } catch (err) {
    if (err instanceof LarderError) throw err;
    const reason = reasonOf(err);
    throw unauthenticated(reason === "expired" ? "Token has expired" : `Token rejected (${reason})`, reason);
  }
  const claims = payload as Record<string, unknown>;
  return {
    subject: String(payload.sub ?? "anonymous"),
    scopes: scopesFromClaims(claims),
    projects: projectsFromClaims(claims),
  };
}

/**
 * Verified tokens by verifier configuration and token text: the hot path then
 * skips the signature check for a token this isolate verified under the same
 * configuration within the last CACHE_TTL_MS (never past the token's `exp`).
 * The bound on age is what lets a key removed from a JWKS (same URL, new
 * contents) stop working within a minute. A token without `exp` is not
 * cached. Bounded in size; the oldest entries go first.
 */
const verified = new Map<string, { principal: Principal; untilMs: number }>();
const MAX_CACHED_TOKENS = 1000;
export const CACHE_TTL_MS = 60_000;

/**
 * `id` identifies the configuration (its secret, key set, issuer and audience):
 * cached verifications are kept per configuration, so a rotated secret or key
 * set takes effect at once for every token not yet verified under it.
 */
export async function verifyTokenCached(
  token: string,
  config: VerifierConfig & { id: string },
  nowMs = Date.now(),
): Promise<Principal> {
  const key = `${config.id}\u0000${token}`;
  const hit = verified.get(key);
  if (hit && hit.untilMs > nowMs) return hit.principal;
  if (hit) verified.delete(key);
  const principal = await verifyToken(token, config, nowMs);
  const exp = decodeExp(token);
  if (exp !== undefined) {
    if (verified.size >= MAX_CACHED_TOKENS) verified.delete(verified.keys().next().value as string);
    verified.set(key, { principal, untilMs: Math.min(exp * 1000, nowMs + CACHE_TTL_MS) });
  }
  return principal;
}

function decodeExp(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown };
    return typeof payload.exp === "number" ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}
