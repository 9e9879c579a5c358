/**
 * Page decoding of the fast Parquet reader: one column chunk's pages (v1 and
 * v2 data pages, dictionary pages) into a sink. Page headers, PLAIN,
 * RLE/bit-packing, delta, byte-stream-split and Snappy are hyparquet's own
 * functions (its `hyparquet/src/*.js` exports, which is why package.json pins
 * hyparquet's exact version). Anything else throws `Unsupported`, and the
 * column is read by hyparquet instead. Pure.
 */
import { type Compressors, type SchemaElement, snappyUncompress } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { deltaBinaryUnpack } from "hyparquet/src/delta.js";
import { byteStreamSplit, readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import { readPlain } from "hyparquet/src/plain.js";
import { type Plan, Unsupported } from "./parquet-fast-columns";
import {
  type Converted,
  convertValues,
  type Reader,
  readStrings,
  type Sink,
  store,
  storeStrings,
} from "./parquet-fast-values";

/** Codecs the fast path decompresses itself. */
export const FAST_CODECS: ReadonlySet<string> = new Set(["UNCOMPRESSED", "SNAPPY"]);

let scratch = new Uint8Array(1 << 16);

/**
 * Page bytes, decompressed into a buffer reused across pages: every value is
 * copied out (or decoded to strings) before the next page, and decodeChunk
 * never awaits, so concurrent reads cannot interleave on it.
 */
function pageBytes(body: Uint8Array, size: number, codec: string, compressors: Compressors | undefined): Uint8Array {
  if (codec === "UNCOMPRESSED") return body;
  const custom = compressors?.[codec as keyof Compressors];
  if (custom) {
    const out = custom(body, size);
    if (out.length !== size) throw new Error(`decompressed page length ${out.length} does not match header ${size}`);
    return out;
  }
  if (codec !== "SNAPPY") throw new Unsupported(`codec ${codec}`);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  const out = scratch.subarray(0, size);
  snappyUncompress(body, out);
  return out;
}

const readerOf = (bytes: Uint8Array, offset = 0): Reader => ({
  view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  offset,
});

/** Values of one data page's value section (`count` non-null values): converted values or dictionary indexes. */
function readValues(
  r: Reader,
  encoding: string,
  el: SchemaElement,
  plan: Plan,
  count: number,
): { vals: Converted | null; idx: Int32Array | null } {
  const type = el.type!;
  if (encoding === "PLAIN") {
    if (plan.to === "string") return { vals: readStrings(r, count, plan), idx: null };
    return { vals: convertValues(readPlain(r, type, count, el.type_length), plan), idx: null };
  }
  if (encoding === "RLE_DICTIONARY" || encoding === "PLAIN_DICTIONARY") {
    const width = r.view.getUint8(r.offset++);
    const idx = new Int32Array(count);
    if (width) readRleBitPackedHybrid(r, width, idx, r.view.byteLength - r.offset);
    return { vals: null, idx };
  }
  if (encoding === "DELTA_BINARY_PACKED" && (type === "INT32" || type === "INT64")) {
    const raw = type === "INT32" ? new Int32Array(count) : new BigInt64Array(count);
    deltaBinaryUnpack(r, count, raw);
    return { vals: convertValues(raw, plan), idx: null };
  }
  if (encoding === "BYTE_STREAM_SPLIT" && plan.to !== "string") {
    return { vals: convertValues(byteStreamSplit(r, count, type, el.type_length), plan), idx: null };
  }
  throw new Unsupported(`encoding ${encoding}`);
}

/** One data page, split into its definition levels (null when no row is null) and its value bytes. */
interface DataPage {
  n: number;
  nulls: number;
  defs: Uint8Array | null;
  encoding: string;
  values: Uint8Array;
}

function dataPage(
  header: ReturnType<typeof parquetHeader>,
  body: Uint8Array,
  codec: string,
  optional: boolean,
  compressors: Compressors | undefined,
): DataPage | null {
  if (header.type === "DATA_PAGE") {
    const h = header.data_page_header!;
    const page = pageBytes(body, header.uncompressed_page_size, codec, compressors);
    if (!optional) return { n: h.num_values, nulls: 0, defs: null, encoding: h.encoding, values: page };
    const len = new DataView(page.buffer, page.byteOffset, page.byteLength).getUint32(0, true);
    const defs = new Uint8Array(h.num_values);
    readRleBitPackedHybrid(readerOf(page, 4), 1, defs, len);
    let nulls = 0;
    for (let i = 0; i < defs.length; i++) nulls += defs[i] ^ 1;
    return { n: h.num_values, nulls, defs, encoding: h.encoding, values: page.subarray(4 + len) };
  }
  if (header.type === "DATA_PAGE_V2") {
    const h = header.data_page_header_v2!;
    if (h.repetition_levels_byte_length) throw new Unsupported("repetition levels");
    const levels = h.definition_levels_byte_length;
    let defs: Uint8Array | null = null;
    if (optional && h.num_nulls) {
      defs = new Uint8Array(h.num_values);
      readRleBitPackedHybrid(readerOf(body.subarray(0, levels)), 1, defs, levels);
    }
    const raw = body.subarray(levels);
    const values =
      h.is_compressed === false || !raw.length
        ? raw
        : pageBytes(raw, header.uncompressed_page_size - levels, codec, compressors);
    return { n: h.num_values, nulls: h.num_nulls, defs, encoding: h.encoding, values };
  }
  return null; // INDEX_PAGE: nothing to read
}

/** Decodes one column chunk (`rows` rows, its bytes in `chunk`) into `sink` at row `at`. */
export function decodeChunk(
  chunk: Uint8Array,
  codec: string,
  el: SchemaElement,
  sink: Sink,
  at: number,
  rows: number,
  compressors: Compressors | undefined,
): void {
  const reader = readerOf(chunk);
  const optional = el.repetition_type !== "REQUIRED"; // as hyparquet: only REQUIRED has no definition levels
  let dict: Converted | null = null;
  let dictBase = 0;
  let row = 0;
  while (row < rows) {
    if (reader.offset >= chunk.byteLength) throw new Error("column chunk ends before its rows");
    const header = parquetHeader(reader);
    const body = chunk.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === "DICTIONARY_PAGE") {
      const bytes = pageBytes(body, header.uncompressed_page_size, codec, compressors);
      const count = header.dictionary_page_header!.num_values;
      if (sink.plan.to === "string") {
        dict = readStrings(readerOf(bytes), count, sink.plan);
        dictBase = sink.dict.length;
        for (let k = 0; k < dict.length; k++) sink.dict.push(dict[k]);
      } else {
        // .slice(): off the scratch buffer
        dict = convertValues(readPlain(readerOf(bytes), el.type!, count, el.type_length), sink.plan).slice();
      }
      continue;
    }
    const page = dataPage(header, body, codec, optional, compressors);
    if (!page) continue;
    const { n, nulls, defs } = page;
    if (row + n > rows) throw new Error("page holds more rows than its row group");
    const count = n - nulls;
    const { vals, idx } = count
      ? readValues(readerOf(page.values), page.encoding, el, sink.plan, count)
      : { vals: null, idx: null };
    if (idx && !dict) throw new Error("dictionary-encoded page without a dictionary");
    const pageDefs = count === 0 ? (defs ?? new Uint8Array(n)) : nulls ? defs : null;
    if (sink.plan.to === "string") {
      storeStrings(sink, at + row, n, pageDefs, {
        vals: idx ? null : ((vals as string[] | null) ?? []),
        idx,
        dictBase,
        dictSize: dict?.length ?? 0,
      });
    } else {
      const source = (idx ? dict : vals) as Float64Array | BigInt64Array | null;
      store(sink, at + row, n, pageDefs, source ?? new Float64Array(0), idx);
    }
    row += n;
  }
}
