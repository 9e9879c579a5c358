/**
 * R2 objects as hyparquet AsyncBuffers: every `slice(start, end)` is one
 * ranged `get`, so a Parquet read in the Worker fetches the footer and the
 * column chunks it needs, never the whole object.
 *
 * The first slice that reaches the end of the object (the footer fetch) is
 * kept, and later slices inside it are served from memory: for a file smaller
 * than the footer fetch that one get is the whole read, and the metadata and
 * the data reads of one buffer never fetch those bytes twice. Reuse one buffer
 * for `readParquetMetadata` and `readParquet` of the same file.
 *
 * Failures of the bucket itself (the object vanished, R2 errored) throw
 * INTERNAL LarderErrors naming the key; readParquet passes them through, so
 * they are not mistaken for a corrupt file.
 */
import type { AsyncBuffer } from "hyparquet";
import { internal } from "../domain/errors";

/** Ranged reads of `key`, whose size (from the manifest or a `head`) is `size` bytes. */
export function r2AsyncBuffer(bucket: R2Bucket, key: string, size: number): AsyncBuffer {
  async function get(from: number, to: number): Promise<ArrayBuffer> {
    let object: R2ObjectBody | null;
    try {
      object = await bucket.get(key, { range: { offset: from, length: to - from } });
    } catch (err) {
      throw internal(`Reading offline file '${key}' from R2 failed`, err, { file: key });
    }
    if (!object) throw internal(`Offline file '${key}' is missing from R2`, undefined, { file: key });
    return object.arrayBuffer();
  }
  let tail: { start: number; bytes: Promise<ArrayBuffer> } | undefined;
  return {
    byteLength: size,
    slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const from = Math.max(0, start);
      const to = Math.min(size, end);
      if (to <= from) return Promise.resolve(new ArrayBuffer(0));
      if (tail && from >= tail.start) {
        const offset = tail.start;
        return tail.bytes.then((b) => b.slice(from - offset, to - offset));
      }
      const bytes = get(from, to);
      if (to === size) {
        tail = { start: from, bytes };
        bytes.catch(() => (tail = undefined)); // a failed fetch is not cached
      }
      return bytes;
    },
  };
}
