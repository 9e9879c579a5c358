/**
 * Rows from the files users have: CSV (with a header), JSON Lines and
 * Parquet. CSV holds text only, so its values are typed by the registry's
 * dtypes when the caller knows them (`castRow`), else inferred per column
 * (`inferColumns`); Parquet values become JSON's (BigInt → number or decimal
 * string, dates → RFC 3339, bytes → base64). Each row keeps where it came
 * from (`source`: file and line or row), so rejections point back at it.
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { parse } from "csv-parse/sync";
import { parquetReadObjects } from "hyparquet";
import type { Dtype } from "../src/domain/dtypes";
import { CliError } from "./errors";

export type Format = "csv" | "jsonl" | "parquet";

export interface SourcedRow {
  row: Record<string, unknown>;
  /** `file:line` (CSV, JSON Lines) or `file#row` (Parquet), for messages. */
  source: string;
}

export interface ReadResult {
  rows: SourcedRow[];
  /** Lines that could not be read as a row at all (JSON Lines), with why. */
  unreadable: { source: string; reason: string }[];
}

export function formatOf(file: string, given?: string): Format {
  const ext = (given ?? extname(file).slice(1)).toLowerCase();
  if (ext === "csv") return "csv";
  if (ext === "jsonl" || ext === "ndjson") return "jsonl";
  if (ext === "parquet" || ext === "pq") return "parquet";
  throw new CliError(`${file}: unknown format '${ext || "(no extension)"}'`, [
    "Use .csv, .jsonl (JSON Lines) or .parquet, or give --format.",
  ]);
}

function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}

/** Reads every row of `file` (CSV values stay text: cast them with `castRow` or `inferColumns`). */
export async function readRows(file: string, format: Format): Promise<ReadResult> {
  const name = basename(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (format === "parquet") {
    let objects: Record<string, unknown>[];
    try {
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      objects = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
    } catch (err) {
      throw new CliError(`${file} is not a readable Parquet file: ${(err as Error).message}`);
    }
    const rows = objects.map((o, i) => ({
      row: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, jsonValue(v)])),
      source: `${name}#${i}`,
    }));
    return { rows, unreadable: [] };
  }
  const text = bytes.toString("utf8");
  if (format === "jsonl") {
    const rows: SourcedRow[] = [];
    const unreadable: ReadResult["unreadable"] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const source = `${name}:${i + 1}`;
      try {
        const value = JSON.parse(line) as unknown;
        if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
        rows.push({ row: value as Record<string, unknown>, source });
      } catch (err) {
        unreadable.push({ source, reason: `not a JSON object (${(err as Error).message})` });
      }
    });
    return { rows, unreadable };
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (err) {
    throw new CliError(`${file} is not valid CSV: ${(err as Error).message}`);
  }
  // Line numbers: the header is line 1 (quoted newlines aside, which csv-parse reports in its errors).
  return { rows: records.map((r, i) => ({ row: r, source: `${name}:${i + 2}` })), unreadable: [] };
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One CSV text as a value of `dtype`; text the rules cannot read is kept, for the server to reject with its reason. */
export function castText(text: string, dtype: Dtype): unknown {
  if (text === "") return null;
  if (dtype.startsWith("array<")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  switch (dtype) {
    case "int32":
    case "int64":
      if (!INTEGER.test(text)) return text;
      return Number.isSafeInteger(Number(text)) ? Number(text) : text;
    case "float32":
    case "float64":
      return NUMBER.test(text) ? Number(text) : text;
    case "bool":
      if (/^(true|1)$/i.test(text)) return true;
      if (/^(false|0)$/i.test(text)) return false;
      return text;
    default:
      return text;
  }
}

/** A CSV row typed by `dtypes` (columns it does not name stay text). */
export function castRow(row: Record<string, unknown>, dtypes: Record<string, Dtype>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "string" && dtypes[k] ? castText(v, dtypes[k]) : v;
  return out;
}

/**
 * Columns of CSV text as pandas would read them: a column of integers or
 * numbers becomes numbers, of true/false booleans; `keep` columns stay text.
 */
export function inferColumns(rows: Record<string, unknown>[], keep: Set<string>): Record<string, unknown[]> {
  const names = rows.length > 0 ? Object.keys(rows[0]) : [];
  const columns: Record<string, unknown[]> = {};
  for (const name of names) {
    const values = rows.map((r) => r[name]);
    const texts = values.filter((v): v is string => typeof v === "string" && v !== "");
    const allText = values.every((v) => typeof v === "string");
    if (keep.has(name) || !allText || texts.length === 0) columns[name] = values;
    else if (texts.every((t) => NUMBER.test(t))) columns[name] = values.map((v) => (v === "" ? null : Number(v)));
    else if (texts.every((t) => /^(true|false)$/i.test(t)))
      columns[name] = values.map((v) => (v === "" ? null : /^true$/i.test(v as string)));
    else columns[name] = values;
  }
  return columns;
}
