/**
 * The offline store's Parquet codec, in one import:
 * - `writeParquet(columns, rows, options)` → Uint8Array (parquet-write.ts):
 *   join keys, features, `event_timestamp`, `created_timestamp`; rows sorted
 *   by event time; row groups with statistics for pruning.
 * - `readParquet(file, { columns, minTs, maxTs, ... })` → columns
 *   (parquet-read.ts): projection, row-group pruning, range reads, errors that
 *   name the file.
 * - `r2AsyncBuffer(bucket, key, size)` (r2-buffer.ts): R2 ranged reads.
 * - base64 for bytes values (parquet-values.ts).
 */
export { writeParquet, offlineColumns } from "./parquet-write";
export { parquetSummary, readParquetMetadata } from "./parquet-metadata";
export { readParquet } from "./parquet-read";
export { r2AsyncBuffer } from "./r2-buffer";
export { encodeBase64 } from "./parquet-values";
