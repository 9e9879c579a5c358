/**
 * Larder's own working files in the bucket, outside every project's offline
 * data: a job's intermediate JSON (`jobs/<project>/<job>/<name>.json`:
 * parked entity_dfs, shard parts, write chunks), kept while the job may need
 * them, and dead letters (`dead-letter/<queue>/<message id>.json`), kept for
 * an operator.
 */
import type { AsyncBuffer } from "hyparquet";
import { internal } from "../domain/errors";
import { r2AsyncBuffer } from "./r2-buffer";

const JOBS_PREFIX = "jobs/";
export const DEAD_LETTER_PREFIX = "dead-letter/";

export class ScratchFiles {
  constructor(private readonly bucket: R2Bucket) {}

  /** R2 key of one file of a job. */
  jobFileKey(project: string, jobId: string, name: string): string {
    return `${JOBS_PREFIX}${project}/${jobId}/${name}.json`;
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.bucket.put(key, JSON.stringify(value), { httpMetadata: { contentType: "application/json" } });
  }

  /** The parsed file; INTERNAL naming it when it is missing (a job's own file vanished). */
  async getJson<T>(key: string, what: string): Promise<T> {
    const object = await this.bucket.get(key);
    if (!object) throw internal(`${what} is missing from R2 (${key})`, undefined, { file: key });
    return object.json<T>();
  }

  /** The size of an object (e.g. an entity_df a user put in R2); null when there is none. */
  async size(key: string): Promise<number | null> {
    return (await this.bucket.head(key))?.size ?? null;
  }

  /** Ranged reads of an object of known size, for hyparquet. */
  buffer(key: string, size: number): AsyncBuffer {
    return r2AsyncBuffer(this.bucket, key, size);
  }

  /** Deletes up to 1,000 job files uploaded before `cutoffMs`; returns how many. */
  async deleteJobFilesBefore(cutoffMs: number): Promise<number> {
    const page = await this.bucket.list({ prefix: JOBS_PREFIX, limit: 1000 });
    const old = page.objects.filter((o) => o.uploaded.getTime() < cutoffMs).map((o) => o.key);
    if (old.length > 0) await this.bucket.delete(old);
    return old.length;
  }

  /** Parks a message that exhausted its retries; returns its key. */
  async parkDeadLetter(queue: string, messageId: string, record: Record<string, unknown>): Promise<string> {
    const key = `${DEAD_LETTER_PREFIX}${queue}/${messageId}.json`;
    await this.putJson(key, record);
    return key;
  }
}
