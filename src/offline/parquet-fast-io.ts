/**
 * The I/O of the fast Parquet reader (parquet-fast-read.ts): the ranged reads
 * of the wanted column chunks, and the hyparquet fallback for the columns the
 * fast path does not decode.
 */
import { type AsyncBuffer, type FileMetaData, parquetRead } from "hyparquet";
import { EPOCH_MS_PARSERS, fromRead } from "./parquet-values";

/** A kept row group: its index, first row in the file and row count. */
export interface Group {
  g: number;
  start: number;
  rows: number;
}

export function chunkSpan(metadata: FileMetaData, g: number, leaf: number): { start: number; end: number } {
  const md = metadata.row_groups[g].columns[leaf].meta_data!;
  const start = Number(md.dictionary_page_offset || md.data_page_offset);
  return { start, end: start + Number(md.total_compressed_size) };
}

/** Issues every range read at once; gives the bytes of [start, end) of the file once fetched. */
export function fetchChunks(
  file: AsyncBuffer,
  metadata: FileMetaData,
  groups: readonly Group[],
  leaves: readonly number[],
  maxGap: number,
): (start: number, end: number) => Promise<Uint8Array> {
  const ranges: { start: number; end: number; bytes?: Promise<ArrayBuffer> }[] = [];
  for (const { g } of groups) {
    const spans = leaves.map((leaf) => chunkSpan(metadata, g, leaf)).sort((a, b) => a.start - b.start);
    for (const s of spans) {
      const last = ranges[ranges.length - 1];
      if (last && s.start >= last.start && s.start - last.end <= maxGap) last.end = Math.max(last.end, s.end);
      else ranges.push({ ...s });
    }
  }
  for (const r of ranges) {
    r.bytes = Promise.resolve(file.slice(r.start, r.end));
    r.bytes.catch(() => {}); // awaited (and its error thrown) where used; no unhandled rejection meanwhile
  }
  return async (start, end) => {
    const r = ranges.find((x) => x.start <= start && end <= x.end)!;
    const bytes = await r.bytes!;
    if (bytes.byteLength < end - r.start) throw new Error("file ends inside a column chunk");
    return new Uint8Array(bytes, start - r.start, end - start);
  };
}

export /** One column of the kept row groups through hyparquet, converted as readParquet converts. */
async function fallbackColumn(
  file: AsyncBuffer,
  metadata: FileMetaData,
  name: string,
  groups: readonly Group[],
  total: number,
  dtype: string | undefined,
): Promise<unknown[]> {
  const out = new Array<unknown>(total);
  const text = dtype === "string" || dtype === "array<string>";
  let offset = 0;
  await Promise.all(
    groups.map(({ start, rows }) => {
      const base = offset - start;
      offset += rows;
      return parquetRead({
        file,
        metadata,
        columns: [name],
        rowStart: start,
        rowEnd: start + rows,
        parsers: EPOCH_MS_PARSERS,
        utf8: false, // unannotated BYTE_ARRAY is bytes (→ base64), not text
        onChunk: ({ columnData, rowStart, rowEnd }) => {
          for (let r = Math.max(rowStart, start); r < Math.min(rowEnd, start + rows); r++)
            out[base + r] = fromRead(columnData[r - rowStart], text);
        },
      });
    }),
  );
  return out;
}
