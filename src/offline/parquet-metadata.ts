/**
 * Parquet footers: reading and parsing them (one or two ranged reads), the
 * row-group statistics reads prune by, what the manifest records of a file,
 * and the errors that name a file. Shared by `readParquet` and discovery.
 */
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetSchema,
  type SchemaElement,
} from "hyparquet";
import { invalid, LarderError } from "../domain/errors";
import { EVENT_TIMESTAMP } from "../domain/names";
import { EPOCH_MS_PARSERS } from "./parquet-values";

export const DEFAULT_FOOTER_FETCH_BYTES = 64 * 1024;

/** Options every footer read takes. */
export interface ParquetReadOptions {
  /** Default `event_timestamp`. */
  timestampColumn?: string;
  /** How errors name the file, e.g. its R2 key. */
  name?: string;
  footerFetchBytes?: number;
}

/** Bytes in memory (e.g. an ingest body) or an AsyncBuffer. */
export type ParquetSource = AsyncBuffer | Uint8Array | ArrayBuffer;

export function asAsyncBuffer(file: ParquetSource): AsyncBuffer {
  if (file instanceof ArrayBuffer) return file;
  if (file instanceof Uint8Array) {
    // hyparquet needs ArrayBuffers from slice; a view's own slice gives another view.
    return {
      byteLength: file.byteLength,
      slice: (start, end = file.byteLength) =>
        file.buffer.slice(file.byteOffset + start, file.byteOffset + Math.min(end, file.byteLength)) as ArrayBuffer,
    };
  }
  return file;
}

export function fileError(name: string, reason: string, details: Record<string, unknown> = {}): LarderError {
  return invalid(`Parquet file '${name}' ${reason}`, { file: name, ...details });
}

/**
 * What went wrong, in plain words: the reader's own messages say what is
 * wrong with the file; a JavaScript error from inside it (a TypeError, a
 * RangeError) only says that the bytes did not follow Parquet's structure.
 */
function plainReason(err: unknown): string {
  if (err instanceof TypeError || err instanceof RangeError) {
    return "its bytes do not follow the Parquet format (the file is damaged, truncated or not Parquet)";
  }
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^parquet\s+/i, "");
}

/** Wraps anything thrown while reading into an error naming the file (LarderErrors pass through). */
export async function naming<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof LarderError) throw err;
    throw fileError(name, `is not a readable Parquet file: ${plainReason(err)}`, { reason: plainReason(err) });
  }
}

/** Reads and parses the footer only. */
export function readParquetMetadata(
  source: ParquetSource,
  options: Pick<ParquetReadOptions, "name" | "footerFetchBytes"> = {},
): Promise<FileMetaData> {
  return loadMetadata(asAsyncBuffer(source), options);
}

export function loadMetadata(
  file: AsyncBuffer,
  options: Pick<ParquetReadOptions, "name" | "footerFetchBytes">,
): Promise<FileMetaData> {
  const name = options.name ?? "(unnamed)";
  return naming(name, async () => {
    if (file.byteLength < 12) throw fileError(name, `is not a Parquet file: ${file.byteLength} bytes is too short`);
    return parquetMetadataAsync(file, {
      parsers: EPOCH_MS_PARSERS,
      initialFetchSize: options.footerFetchBytes ?? DEFAULT_FOOTER_FETCH_BYTES,
    });
  });
}

/** Whether hyparquet reads the column as an instant (epoch ms with EPOCH_MS_PARSERS). */
export function isTimeType(el: SchemaElement): boolean {
  const lt = el.logical_type?.type;
  return (
    lt === "TIMESTAMP" ||
    lt === "DATE" ||
    el.type === "INT96" ||
    ["TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "DATE"].includes(el.converted_type ?? "")
  );
}

/** [min, max] epoch ms of the timestamp column in one row group, when its statistics give them. */
export function groupRange(metadata: FileMetaData, group: number, column: string): [number, number] | undefined {
  const chunk = metadata.row_groups[group].columns.find(
    (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column,
  );
  const stats = chunk?.meta_data?.statistics;
  const min = stats?.min_value ?? stats?.min;
  const max = stats?.max_value ?? stats?.max;
  return typeof min === "number" && typeof max === "number" ? [min, max] : undefined;
}

export interface ParquetSummary {
  numRows: number;
  rowGroups: number;
  bytes: number;
  /** Top-level columns: physical type (GROUP for lists) and logical/converted type. */
  columns: { name: string; type: string; logical_type: string | null }[];
  /** Timestamp range from row-group statistics; null when a group lacks them or there are no rows. */
  minTs: number | null;
  maxTs: number | null;
}

/** What the file manifest records, from the footer alone (one or two ranged reads). */
export async function parquetSummary(
  file: ParquetSource,
  options: Pick<ParquetReadOptions, "name" | "footerFetchBytes" | "timestampColumn"> = {},
): Promise<ParquetSummary> {
  const metadata = await readParquetMetadata(file, options);
  const column = options.timestampColumn ?? EVENT_TIMESTAMP;
  let minTs: number | null = Infinity;
  let maxTs: number | null = -Infinity;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    if (metadata.row_groups[g].num_rows === 0n) continue;
    const range = groupRange(metadata, g, column);
    if (!range || minTs === null || maxTs === null) {
      minTs = maxTs = null;
      continue;
    }
    minTs = Math.min(minTs, range[0]);
    maxTs = Math.max(maxTs, range[1]);
  }
  if (minTs === Infinity) minTs = maxTs = null; // no rows
  const columns = parquetSchema(metadata).children.map((c) => ({
    name: c.element.name,
    type: c.element.type ?? "GROUP",
    logical_type: c.element.logical_type?.type ?? c.element.converted_type ?? null,
  }));
  return {
    numRows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    bytes: file.byteLength,
    columns,
    minTs,
    maxTs,
  };
}
