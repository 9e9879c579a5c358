/**
 * Test oracle (Node only, never bundled into the Worker): the point-in-time
 * join computed by DuckDB, to check `pointInTimeJoin` against an independent
 * engine and to benchmark it.
 *
 * How DuckDB is made to give the exact Larder semantics:
 * - `ASOF LEFT JOIN ... ON <all join keys equal> AND e.ts >= f.ts` picks, per
 *   entity row, a feature row with the greatest event timestamp <= the entity
 *   timestamp (null keys never match, as in Larder). When several feature rows
 *   share that (key, timestamp), ASOF picks one arbitrarily, so the feature
 *   rows are first deduplicated to one per (key, event timestamp) with
 *   `QUALIFY row_number() OVER (PARTITION BY keys, ts ORDER BY created DESC
 *   NULLS LAST, <row order> DESC) = 1`: the greatest created timestamp, null
 *   lowest, a full tie to the later row (later file name, then later row in
 *   the file; in memory, the later row of `rows`).
 * - ttl is a post-filter: the ASOF winner is the newest candidate, so if it is
 *   older than `entity ts - ttl` every candidate is, and the features are null.
 *
 * Sources: `memory` loads the rows through the appender and DuckDB returns the
 * winning row index (feature values are then taken from `rows`, so any JS
 * value works); `parquet` writes each table with `writeParquet` into a temp
 * directory (or reads `parquetFiles` as given) and DuckDB reads the feature
 * values from the files, which also checks that DuckDB reads Larder's files.
 * BYTES join keys are compared as base64 text in both.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BIGINT,
  DuckDBDataChunk,
  DuckDBInstance,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";
import type { Dtype, ValueType } from "../../src/domain/dtypes";
import type { FeatureTable, PitJoinResult, TableInput } from "../../src/domain/pit-join";
import { encodeBase64, offlineColumns, writeParquet } from "../../src/offline/parquet";

export interface OracleTable extends FeatureTable {
  /** Feature dtypes, needed to write `rows` as Parquet. */
  dtypes?: Readonly<Record<string, Dtype>>;
  /** Read these files instead of `rows` (parquet source only). */
  parquetFiles?: string[];
}

export interface OracleOptions {
  fullFeatureNames: boolean;
  source: "memory" | "parquet";
}

export interface OracleResult extends PitJoinResult {
  /** Milliseconds spent loading data into DuckDB (or writing Parquet) and in the join queries. */
  timings: { loadMs: number; joinMs: number };
}

const CHUNK = 2048; // DuckDB's vector size: the most rows one data chunk holds
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

function columnsOf(input: TableInput): { names: string[]; get: (n: string) => unknown[]; length: number } {
  if (Array.isArray(input)) {
    const rows = input as Record<string, unknown>[];
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return { names, length: rows.length, get: (n) => rows.map((r) => r[n]) };
  }
  const cols = input as Record<string, ArrayLike<unknown>>;
  const names = Object.keys(cols);
  return { names, length: names.length ? cols[names[0]].length : 0, get: (n) => (cols[n] ? Array.from(cols[n]) : []) };
}

function keyValue(type: ValueType, v: unknown): DuckDBValue {
  if (v === null || v === undefined) return null;
  if (type === "INT32" || type === "INT64") return BigInt(String(v).trim());
  return v instanceof Uint8Array ? encodeBase64(v) : String(v);
}

const keyType = (type: ValueType): DuckDBType => (type === "INT32" || type === "INT64" ? BIGINT : VARCHAR);

async function load(
  conn: DuckDBConnection,
  table: string,
  columns: { name: string; type: DuckDBType; values: DuckDBValue[] }[],
) {
  await conn.run(
    `CREATE TABLE ${ident(table)} (${columns.map((c) => `${ident(c.name)} ${c.type.toString()}`).join(", ")})`,
  );
  const appender = await conn.createAppender(table);
  const n = columns[0]?.values.length ?? 0;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const chunk = DuckDBDataChunk.create(
      columns.map((c) => c.type),
      end - start,
    );
    chunk.setColumns(columns.map((c) => c.values.slice(start, end)));
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

/** DuckDB's JS values as Larder's reader gives them: safe bigints as numbers, dates as ms, bytes as base64. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint")
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.getTime();
  if (v instanceof Uint8Array) return encodeBase64(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** The same join as `pointInTimeJoin`, computed by DuckDB; see the module comment. */
export async function duckdbPointInTimeJoin(
  entityRows: TableInput,
  tables: readonly OracleTable[],
  options: OracleOptions,
): Promise<OracleResult> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const dir = options.source === "parquet" ? mkdtempSync(join(tmpdir(), "larder-oracle-")) : undefined;
  const timings = { loadMs: 0, joinMs: 0 };
  try {
    const entities = columnsOf(entityRows);
    const keyTypes = new Map<string, ValueType>();
    for (const t of tables) for (const k of t.joinKeys) keyTypes.set(k, t.keyTypes[k]);
    let started = performance.now();
    await load(conn, "entities", [
      { name: "__entity_row", type: BIGINT, values: Array.from({ length: entities.length }, (_, i) => BigInt(i)) },
      { name: "__ts", type: BIGINT, values: entities.get("event_timestamp").map((t) => BigInt(t as number)) },
      ...[...keyTypes].map(([k, type]) => ({
        name: k,
        type: keyType(type),
        values: entities.get(k).map((v) => keyValue(type, v)),
      })),
    ]);
    timings.loadMs += performance.now() - started;

    const columns = [...entities.names];
    const data: Record<string, unknown[]> = Object.fromEntries(
      entities.names.map((n) => [n, entities.get(n).map((v) => (v === undefined ? null : v))]),
    );
    for (const [index, table] of tables.entries()) {
      started = performance.now();
      const name = `features_${index}`;
      let source: string;
      const fromFiles = options.source === "parquet";
      if (fromFiles) {
        let files = table.parquetFiles;
        if (!files) {
          if (!table.dtypes) throw new Error(`oracle: table '${table.view}' needs dtypes to be written as Parquet`);
          const cols = offlineColumns(
            table.joinKeys.map((k) => ({ name: k, type: table.keyTypes[k] })),
            table.features.map((f) => ({ name: f, dtype: table.dtypes![f] })),
          );
          const rows = Array.isArray(table.rows)
            ? (table.rows as Record<string, unknown>[])
            : toRows(table.rows as Record<string, ArrayLike<unknown>>);
          const file = join(dir!, `${name}.parquet`);
          writeFileSync(file, writeParquet(cols, rows));
          files = [file];
        }
        const bytesKeys = table.joinKeys.filter((k) => table.keyTypes[k] === "BYTES");
        const replace = bytesKeys.length
          ? ` REPLACE (${bytesKeys.map((k) => `to_base64(${ident(k)}) AS ${ident(k)}`).join(", ")})`
          : "";
        source = `SELECT *${replace}, epoch_ms(event_timestamp) AS __ts, epoch_ms(created_timestamp) AS __created, filename AS __file, file_row_number AS __row
          FROM read_parquet([${files.map(literal).join(", ")}], filename = true, file_row_number = true)`;
      } else {
        const cols = columnsOf(table.rows);
        const ts = cols.get("event_timestamp");
        const created = cols.names.includes("created_timestamp") ? cols.get("created_timestamp") : [];
        const keep = ts.flatMap((t, i) => (typeof t === "number" && Number.isFinite(t) ? [i] : []));
        await load(conn, name, [
          ...table.joinKeys.map((k) => {
            const v = cols.get(k);
            return {
              name: k,
              type: keyType(table.keyTypes[k]),
              values: keep.map((i) => keyValue(table.keyTypes[k], v[i])),
            };
          }),
          { name: "__ts", type: BIGINT, values: keep.map((i) => BigInt(ts[i] as number)) },
          {
            name: "__created",
            type: BIGINT,
            values: keep.map((i) =>
              typeof created[i] === "number" && Number.isFinite(created[i]) ? BigInt(created[i] as number) : null,
            ),
          },
          { name: "__row", type: BIGINT, values: keep.map((i) => BigInt(i)) },
        ]);
        source = `SELECT *, '' AS __file FROM ${ident(name)}`;
      }
      timings.loadMs += performance.now() - started;

      started = performance.now();
      const keys = table.joinKeys.map(ident);
      const ok = `d.__ts IS NOT NULL${table.ttlSeconds > 0 ? ` AND d.__ts >= e.__ts - ${Math.round(table.ttlSeconds * 1000)}` : ""}`;
      const outName = (f: string) => (options.fullFeatureNames ? `${table.view}__${f}` : f);
      const picked = fromFiles
        ? table.features.map((f) => `CASE WHEN ${ok} THEN d.${ident(f)} END AS ${ident(outName(f))}`)
        : [`CASE WHEN ${ok} THEN d.__row END AS __winner`];
      const sql = `WITH f AS (${source}),
        d AS (SELECT * FROM f QUALIFY row_number() OVER (PARTITION BY ${[...keys, "__ts"].join(", ")} ORDER BY __created DESC NULLS LAST, __file DESC, __row DESC) = 1)
        SELECT e.__entity_row, ${picked.join(", ")}
        FROM entities e ASOF LEFT JOIN d ON ${[...keys.map((k) => `e.${k} = d.${k}`), "e.__ts >= d.__ts"].join(" AND ")}`;
      const reader = await conn.runAndReadAll(sql);
      const result = reader.getColumnsObjectJS();
      timings.joinMs += performance.now() - started;

      const order = (result.__entity_row as bigint[]).map(Number);
      const featureRows = fromFiles ? undefined : columnsOf(table.rows);
      for (const f of table.features) {
        const out = new Array<unknown>(entities.length).fill(null);
        if (fromFiles) {
          const values = result[outName(f)];
          order.forEach((row, k) => {
            out[row] = plain(values[k]);
          });
        } else {
          const values = featureRows!.names.includes(f) ? featureRows!.get(f) : [];
          const winners = result.__winner as (bigint | null)[];
          order.forEach((row, k) => {
            out[row] = winners[k] === null ? null : (values[Number(winners[k])] ?? null);
          });
        }
        columns.push(outName(f));
        data[outName(f)] = out;
      }
    }
    return { columns, data, numRows: entities.length, timings };
  } finally {
    conn.closeSync();
    instance.closeSync();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function toRows(cols: Readonly<Record<string, ArrayLike<unknown>>>): Record<string, unknown>[] {
  const names = Object.keys(cols);
  const n = names.length ? cols[names[0]].length : 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((c) => [c, cols[c][i]])));
}
