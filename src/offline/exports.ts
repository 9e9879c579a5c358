/**
 * Exports: Parquet files of historical results in R2
 * (`exports/<project>/<id>.parquet`), recorded in D1 and downloaded through
 * `GET /exports/{id}?expires=…&signature=…` with no bearer token: the link
 * carries an HMAC-SHA256 over `id.expires` under the signing secret
 * (EXPORT_SIGNING_SECRET, else AUTH_JWT_SECRET). Expired or altered links
 * are refused. Objects are kept for EXPORT_RETENTION_SECONDS, then the cron
 * deletes them.
 */
import { eq } from "drizzle-orm";
import { LarderError } from "../errors";
import type { RegistryDb } from "../registry/d1-registry";
import { exportsTable } from "../registry/jobs-schema";

export const LINK_TTL_SECONDS = 3600;
export const EXPORT_RETENTION_SECONDS = 7 * 86400;
export const EXPORT_CONTENT_TYPE = "application/vnd.apache.parquet";

export type ExportRecord = typeof exportsTable.$inferSelect;

export function exportKey(project: string, id: string): string {
  return `exports/${project}/${id}.parquet`;
}

export function newExportId(): string {
  return `exp_${Date.now().toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

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

export function signingSecret(env: { EXPORT_SIGNING_SECRET?: string; AUTH_JWT_SECRET?: string }): string {
  const secret = env.EXPORT_SIGNING_SECRET || env.AUTH_JWT_SECRET;
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

export async function saveExport(
  bucket: R2Bucket,
  db: RegistryDb,
  project: string,
  id: string,
  bytes: Uint8Array,
  rows: number,
): Promise<ExportRecord> {
  const path = exportKey(project, id);
  await bucket.put(path, bytes, {
    httpMetadata: { contentType: EXPORT_CONTENT_TYPE, contentDisposition: `attachment; filename="${id}.parquet"` },
  });
  const now = Date.now();
  const record: ExportRecord = {
    id,
    project,
    path,
    rows,
    bytes: bytes.byteLength,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + EXPORT_RETENTION_SECONDS * 1000).toISOString(),
  };
  await db
    .insert(exportsTable)
    .values(record)
    .onConflictDoUpdate({
      target: exportsTable.id,
      set: { rows, bytes: bytes.byteLength, created_at: record.created_at, expires_at: record.expires_at },
    });
  return record;
}

export async function findExport(db: RegistryDb, id: string): Promise<ExportRecord | undefined> {
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, id));
  return row;
}
