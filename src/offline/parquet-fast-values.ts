/**
 * Value decoding of the fast Parquet reader: PLAIN strings (one TextDecoder
 * call per ASCII page), INT64 times to epoch ms without a BigInt per value,
 * and the sinks that collect a column's rows as typed arrays. Pure.
 */
import { encodeBase64 } from "./parquet-values";
import { type Plan, type TypedColumn, Unsupported } from "./parquet-fast-columns";

const utf8 = new TextDecoder();

export interface Reader {
  view: DataView;
  offset: number;
}

/** Strings of `count` PLAIN BYTE_ARRAY values at `reader`; ASCII-only bytes → one decode + substring. */
export function readStrings(reader: Reader, count: number, plan: { text: boolean }): string[] {
  const { view } = reader;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const out = new Array<string>(count);
  const start = reader.offset;
  let end = start;
  for (let i = 0; i < count; i++) {
    if (end + 4 > bytes.length) throw new Error("string value past the end of its page");
    end += 4 + view.getUint32(end, true);
  }
  if (end > bytes.length) throw new Error("string value past the end of its page");
  let o = start;
  if (!plan.text) {
    for (let i = 0; i < count; i++) {
      const len = view.getUint32(o, true);
      out[i] = encodeBase64(bytes.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
  } else if (isAscii(bytes, start, end)) {
    // Byte offsets are code-unit offsets in ASCII text (length prefixes included:
    // a prefix byte >= 128 fails the ASCII test and takes the other branch).
    const text = utf8.decode(bytes.subarray(start, end));
    for (let i = 0; i < count; i++) {
      const len = view.getUint32(o, true);
      out[i] = text.substring(o + 4 - start, o + 4 + len - start);
      o += 4 + len;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const len = view.getUint32(o, true);
      out[i] = utf8.decode(bytes.subarray(o + 4, o + 4 + len));
      o += 4 + len;
    }
  }
  reader.offset = end;
  return out;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if (bytes[j] > 0x7f) return false;
  return true;
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
};

/** Epoch ms of INT64 values (read as int32 pairs: no BigInt per value). Exact, as Number(floorDiv(v, d)). */
function int64ToMs(src: BigInt64Array, divisor: number, out: Float64Array): void {
  const w = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
  for (let i = 0; i < src.length; i++) {
    const hi = w[2 * i + 1];
    const v = hi * 4294967296 + (w[2 * i] >>> 0); // one rounding: the same double as Number(bigint)
    if (divisor === 1) out[i] = v;
    else if (hi >= -0x200000 && hi < 0x200000) {
      // |v| < 2^53: exact integer arithmetic, floor division corrected for rounding
      let q = Math.trunc(v / divisor);
      const r = v - q * divisor;
      if (r < 0) q -= 1;
      else if (r >= divisor) q += 1;
      out[i] = q;
    } else out[i] = Number(floorDiv(src[i], BigInt(divisor)));
  }
}

/** A page's or dictionary's values, converted to the plan's domain. */
export type Converted = Float64Array | BigInt64Array | string[];

/** Physical values (as hyparquet's readPlain etc. give them) converted to the plan's domain. */
export function convertValues(raw: ArrayLike<unknown>, plan: Plan): Converted {
  const n = raw.length;
  switch (plan.to) {
    case "ms": {
      const out = new Float64Array(n);
      int64ToMs(toBigInt64(raw), plan.divisor, out);
      return out;
    }
    case "date": {
      const out = new Float64Array(n);
      const src = raw as Int32Array;
      for (let i = 0; i < n; i++) out[i] = src[i] * 86_400_000;
      return out;
    }
    case "number": {
      if (raw instanceof Float64Array) return raw;
      if (!(raw instanceof Int32Array || raw instanceof Float32Array)) throw new Unsupported("number values");
      const out = new Float64Array(n);
      if (plan.unsigned) for (let i = 0; i < n; i++) out[i] = raw[i] >>> 0;
      else out.set(raw);
      return out;
    }
    case "int64":
      return toBigInt64(raw);
    case "string":
      return raw as string[];
  }
}

function toBigInt64(raw: ArrayLike<unknown>): BigInt64Array {
  if (raw instanceof BigInt64Array) return raw;
  if (raw.length === 0) return new BigInt64Array(0);
  throw new Unsupported("INT64 values that are not a BigInt64Array");
}

/**
 * One column's rows over the file's kept row groups. Strings are codes into
 * `dict` (JS arrays longer than ~16k elements live in V8's old space, where
 * every store of a new string pays a write barrier; an Int32Array does not).
 */
export interface Sink {
  plan: Plan;
  values: Float64Array | BigInt64Array | Int32Array;
  nulls: Uint8Array | null;
  dict: string[];
}

export function newSink(plan: Plan, rows: number): Sink {
  const values =
    plan.to === "string"
      ? new Int32Array(rows)
      : plan.to === "int64"
        ? new BigInt64Array(rows)
        : new Float64Array(rows);
  return { plan, values, nulls: null, dict: [] };
}

export function asColumn(sink: Sink): TypedColumn {
  if (sink.plan.to === "string") return { kind: "string", codes: sink.values as Int32Array, dict: sink.dict };
  if (sink.plan.to === "int64") return { kind: "int64", values: sink.values as BigInt64Array, nulls: sink.nulls };
  return { kind: "number", values: sink.values as Float64Array, nulls: sink.nulls };
}

/**
 * `n` string rows at `at`: from `vals` (a PLAIN page's strings, appended to
 * the dictionary) or `idx` into the chunk's dictionary, which starts at
 * `dictBase` in `sink.dict` and holds `dictSize` values. `defs[i] === 0` is a null.
 */
export function storeStrings(
  sink: Sink,
  at: number,
  n: number,
  defs: Uint8Array | null,
  page: { vals: string[] | null; idx: Int32Array | null; dictBase: number; dictSize: number },
): void {
  const codes = sink.values as Int32Array;
  const { vals, idx, dictSize } = page;
  let base = page.dictBase;
  if (vals) {
    base = sink.dict.length;
    for (let k = 0; k < vals.length; k++) sink.dict.push(vals[k]);
  }
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (defs && defs[i] === 0) {
      codes[at + i] = -1;
      continue;
    }
    if (idx) {
      const j = idx[k++];
      if (j >= dictSize) throw new Error("dictionary index out of range");
      codes[at + i] = base + j;
    } else codes[at + i] = base + k++;
  }
}

/** `n` rows at `at`: `vals` are the non-null values (or, with `idx`, the dictionary), `defs[i] === 0` a null. */
export function store(
  sink: Sink,
  at: number,
  n: number,
  defs: Uint8Array | null,
  vals: Float64Array | BigInt64Array,
  idx: Int32Array | null,
): void {
  const out = sink.values as Float64Array | BigInt64Array;
  if (!defs && !idx) {
    if (vals.length < n) throw new Error("page holds fewer values than rows");
    (out as Float64Array).set((vals as Float64Array).subarray(0, n), at);
    return;
  }
  if (defs && !sink.nulls) sink.nulls = new Uint8Array(out.length);
  const nulls = sink.nulls;
  const size = vals.length;
  let k = 0;
  if (out instanceof BigInt64Array) {
    // copy int32 halves: reading a BigInt64Array element allocates a BigInt
    const o = new Int32Array(out.buffer, out.byteOffset, out.length * 2);
    const v = new Int32Array(vals.buffer, vals.byteOffset, vals.length * 2);
    for (let i = 0; i < n; i++) {
      const r = 2 * (at + i);
      if (defs && defs[i] === 0) {
        nulls![at + i] = 1;
        o[r] = o[r + 1] = 0;
        continue;
      }
      const j = idx ? idx[k++] : k++;
      if (j >= size) throw new Error("dictionary index out of range");
      o[r] = v[2 * j];
      o[r + 1] = v[2 * j + 1];
    }
    return;
  }
  const v = vals as Float64Array;
  for (let i = 0; i < n; i++) {
    if (defs && defs[i] === 0) {
      nulls![at + i] = 1;
      out[at + i] = Number.NaN;
      continue;
    }
    const j = idx ? idx[k++] : k++;
    if (j >= size) throw new Error("dictionary index out of range");
    out[at + i] = v[j];
  }
}
