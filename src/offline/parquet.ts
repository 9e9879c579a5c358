/**
 * The offline store's Parquet codec, in one import:
 * - `writeParquet(columns, rows, options)` → Uint8Array (parquet-write.ts):
 *   join keys, features, `event_timestamp`, `created_timestamp`; rows sorted
 *   by event time; row groups with statistics for pruning.
 * - `readParquet(file, { columns, minTs, maxTs, ... })` → columns
 *   (parquet-read.ts): projection, row-group pruning, range reads, errors that
 *   name the file.
 * - `r2AsyncBuffer(bucket, key, size)` (r2-buffer.ts): R2 ranged reads.
 * - dtype ↔ Parquet conversions (parquet-values.ts).
 */
export {
  writeParquet,
  offlineColumns,
  EVENT_TIMESTAMP,
  CREATED_TIMESTAMP,
  DEFAULT_ROW_GROUP_SIZE,
} from "./parquet-write";
export type { ParquetColumn, WriteParquetOptions, OfflineRow } from "./parquet-write";
export { readParquet, readParquetMetadata, parquetSummary, DEFAULT_FOOTER_FETCH_BYTES } from "./parquet-read";
export type { ReadParquetOptions, ParquetTable, ParquetSummary, ParquetSource } from "./parquet-read";
export { r2AsyncBuffer, openR2File } from "./r2-buffer";
export { encodeBase64, decodeBase64 } from "./parquet-values";
