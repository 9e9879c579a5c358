/**
 * Signed export links: `GET /exports/{id}?expires=…&signature=…` needs no
 * bearer token, because the link carries an HMAC-SHA256 over `id.expires`
 * under the signing secret (EXPORT_SIGNING_SECRET, else AUTH_JWT_SECRET).
 * Expired or altered links are refused with 403.
 */
import { LarderError } from "../domain/errors";

export const LINK_TTL_SECONDS = 3600;

async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function signingSecret(config: { exportSigningSecret?: string }): string {
  const secret = config.exportSigningSecret;
  if (!secret) throw new LarderError("INTERNAL", "No signing secret: set EXPORT_SIGNING_SECRET or AUTH_JWT_SECRET");
  return secret;
}

/** A download link valid for `ttlSeconds` from `nowMs`. */
export async function signedExportUrl(
  origin: string,
  id: string,
  secret: string,
  nowMs = Date.now(),
  ttlSeconds = LINK_TTL_SECONDS,
): Promise<{ url: string; expiresAt: string }> {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  const signature = await hmac(secret, `${id}.${expires}`);
  return {
    url: `${origin}/api/v1/features/exports/${id}?expires=${expires}&signature=${signature}`,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** 403 for a missing, altered or expired signature. */
export async function verifyExportLink(
  id: string,
  expires: string | undefined,
  signature: string | undefined,
  secret: string,
  nowMs = Date.now(),
): Promise<void> {
  if (!expires || !signature || !/^\d+$/.test(expires))
    throw new LarderError("FORBIDDEN", "Download link is missing its expires or signature parameter", {
      reason: "unsigned",
    });
  if (!sameText(await hmac(secret, `${id}.${expires}`), signature))
    throw new LarderError("FORBIDDEN", "Download link signature does not match", { reason: "bad_signature" });
  if (Number(expires) * 1000 < nowMs)
    throw new LarderError("FORBIDDEN", "Download link has expired; ask for a new one", { reason: "expired" });
}
