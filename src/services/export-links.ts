/**
 * Signed export links: `GET /exports/{id}?project=…&expires=…&signature=…`
 * needs no bearer token, because the link carries its own proof.
 *
 * Security notes:
 * - The signature is HMAC-SHA256 over `v1 \n project \n id \n expires`, under
 *   a key used for nothing else: HKDF-SHA256 from EXPORT_SIGNING_SECRET (or,
 *   when unset, AUTH_JWT_SECRET) with the label `larder export links v1`, so
 *   a link's signature can never stand for a token's and vice versa.
 * - It is checked with `crypto.subtle.verify` (constant time), before any
 *   lookup; expiry is checked after, so a forged link learns nothing.
 * - The project is part of what is signed, and the export must belong to it:
 *   an export id of one project never serves through another project's link.
 * - Links live LINK_TTL_SECONDS (1 h); anyone holding one can download until
 *   then, as with an S3 presigned URL. Exports themselves are kept 7 days.
 */
import { LarderError } from "../domain/errors";

export const LINK_TTL_SECONDS = 3600;
const LABEL = "larder export links v1";

const keys = new Map<string, Promise<CryptoKey>>();

/** The export-link key derived from `secret` (cached per isolate). */
function linkKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const encoder = new TextEncoder();
      const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: encoder.encode("larder"), info: encoder.encode(LABEL) },
        material,
        { name: "HMAC", hash: "SHA-256", length: 256 },
        false,
        ["sign", "verify"],
      );
    })();
    keys.set(secret, key);
  }
  return key;
}

function message(project: string, id: string, expires: string): Uint8Array {
  return new TextEncoder().encode(`v1\n${project}\n${id}\n${expires}`);
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array | undefined {
  if (!/^[0-9a-f]{64}$/.test(text)) return undefined;
  return Uint8Array.from(text.match(/../g)!, (pair) => Number.parseInt(pair, 16));
}

export function signingSecret(config: { exportSigningSecret?: string }): string {
  const secret = config.exportSigningSecret;
  if (!secret) throw new LarderError("INTERNAL", "No signing secret: set EXPORT_SIGNING_SECRET or AUTH_JWT_SECRET");
  return secret;
}

/** A download link for `project`'s export `id`, valid for `ttlSeconds` from `nowMs`. */
export async function signedExportUrl(
  origin: string,
  target: { project: string; id: string },
  secret: string,
  nowMs = Date.now(),
  ttlSeconds = LINK_TTL_SECONDS,
): Promise<{ url: string; expiresAt: string }> {
  const expires = String(Math.floor(nowMs / 1000) + ttlSeconds);
  const mac = await crypto.subtle.sign("HMAC", await linkKey(secret), message(target.project, target.id, expires));
  const query = new URLSearchParams({ project: target.project, expires, signature: hex(mac) });
  return {
    url: `${origin}/api/v1/features/exports/${encodeURIComponent(target.id)}?${query}`,
    expiresAt: new Date(Number(expires) * 1000).toISOString(),
  };
}

/** FORBIDDEN for a missing, altered or expired signature; returns the signed project otherwise. */
export async function verifyExportLink(
  id: string,
  link: { project?: string; expires?: string; signature?: string },
  secret: string,
  nowMs = Date.now(),
): Promise<string> {
  const { project, expires, signature } = link;
  if (!project || !expires || !signature || !/^\d{1,12}$/.test(expires)) {
    throw new LarderError("FORBIDDEN", "Download link is missing its project, expires or signature parameter", {
      reason: "unsigned",
    });
  }
  const mac = unhex(signature);
  const valid =
    mac !== undefined &&
    (await crypto.subtle.verify("HMAC", await linkKey(secret), mac, message(project, id, expires)));
  if (!valid) throw new LarderError("FORBIDDEN", "Download link signature does not match", { reason: "bad_signature" });
  if (Number(expires) * 1000 < nowMs) {
    throw new LarderError("FORBIDDEN", "Download link has expired; ask for a new one", { reason: "expired" });
  }
  return project;
}
