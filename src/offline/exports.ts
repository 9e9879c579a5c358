/**
 * Exports: Parquet files of historical results in R2
 * (`exports/<project>/<id>.parquet`), each recorded in D1 with its size and
 * expiry. Objects are kept for EXPORT_RETENTION_SECONDS; the cron deletes
 * what has expired. Links to them are signed by `services/export-links.ts`.
 */
import { eq, inArray, lt } from "drizzle-orm";
import type { Database } from "../db/database";
import { exportsTable } from "../db/offline-tables";
import { exportKey } from "./layout";

export const EXPORT_RETENTION_SECONDS = 7 * 86400;
export const EXPORT_CONTENT_TYPE = "application/vnd.apache.parquet";

export type ExportRecord = typeof exportsTable.$inferSelect;

export function newExportId(): string {
  return `exp_${Date.now().toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** Export files in R2 and their records in D1. */
export class ExportStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly db: Database,
  ) {}

  /** Writes the file, then its record (a re-run of the same id replaces both). */
  async save(project: string, id: string, bytes: Uint8Array, rows: number): Promise<ExportRecord> {
    await this.bucket.put(exportKey(project, id), bytes, { httpMetadata: this.httpMetadata(id) });
    return this.record(project, id, rows, bytes.byteLength);
  }

  /** A multipart upload of the export's file (see export-stream.ts); `record` it once completed. */
  createUpload(project: string, id: string): Promise<R2MultipartUpload> {
    return this.bucket.createMultipartUpload(exportKey(project, id), { httpMetadata: this.httpMetadata(id) });
  }

  /** Records (or re-records) an export whose file is written. */
  async record(project: string, id: string, rows: number, bytes: number): Promise<ExportRecord> {
    const now = Date.now();
    const record: ExportRecord = {
      id,
      project,
      path: exportKey(project, id),
      rows,
      bytes,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + EXPORT_RETENTION_SECONDS * 1000).toISOString(),
    };
    const { created_at, expires_at } = record;
    await this.db
      .insert(exportsTable)
      .values(record)
      .onConflictDoUpdate({ target: exportsTable.id, set: { rows, bytes, created_at, expires_at } });
    return record;
  }

  private httpMetadata(id: string): R2HTTPMetadata {
    return { contentType: EXPORT_CONTENT_TYPE, contentDisposition: `attachment; filename="${id}.parquet"` };
  }

  async find(id: string): Promise<ExportRecord | undefined> {
    const [row] = await this.db.select().from(exportsTable).where(eq(exportsTable.id, id));
    return row;
  }

  /** The stored object (a byte range of it when given); null when it is gone. */
  open(record: ExportRecord, range?: R2Range): Promise<R2ObjectBody | null> {
    return this.bucket.get(record.path, range ? { range } : undefined) as Promise<R2ObjectBody | null>;
  }

  /** Deletes up to `limit` exports that expired before `now`; returns how many. */
  async deleteExpired(now: number, limit = 500): Promise<number> {
    const expired = await this.db
      .select()
      .from(exportsTable)
      .where(lt(exportsTable.expires_at, new Date(now).toISOString()))
      .limit(limit);
    if (expired.length === 0) return 0;
    await this.bucket.delete(expired.map((e) => e.path));
    await this.db.delete(exportsTable).where(
      inArray(
        exportsTable.id,
        expired.map((e) => e.id),
      ),
    );
    return expired.length;
  }
}
