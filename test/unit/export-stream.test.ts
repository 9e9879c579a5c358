/**
 * The streamed export (ExportStream over MultipartWriter) is one valid
 * Parquet file: several upload parts obeying R2's part rules (at least
 * 5 MiB, all of one size but a smaller last one), read back by hyparquet
 * and by DuckDB, with the schema and rows writeExport gives the same data.
 * The upload here keeps parts in memory and enforces R2's documented rules;
 * the Miniflare R2 path is covered by the integration tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { ExportStream, streamExport, UPLOAD_PART_BYTES } from "../../src/offline/export-stream";
import { exportColumns, writeExport } from "../../src/offline/export-writer";
import type { ExportStore } from "../../src/offline/exports";
import { rng } from "../prng";

class MemoryUpload {
  parts = new Map<number, Uint8Array>();
  completed: Uint8Array | null = null;
  aborted = false;

  async uploadPart(n: number, bytes: Uint8Array) {
    this.parts.set(n, bytes.slice());
    return { partNumber: n, etag: `e${n}` };
  }

  async complete(parts: { partNumber: number }[]) {
    const sizes = parts.map((p) => this.parts.get(p.partNumber)!.byteLength);
    sizes.slice(0, -1).forEach((size) => {
      expect(size).toBeGreaterThanOrEqual(5 * 1024 * 1024);
      expect(size).toBe(sizes[0]);
    });
    expect(sizes.at(-1)!).toBeLessThanOrEqual(sizes[0]);
    const out = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(this.parts.get(p.partNumber)!, offset);
      offset += this.parts.get(p.partNumber)!.byteLength;
    }
    this.completed = out;
  }

  async abort() {
    this.aborted = true;
  }
}

function fakeStore(upload: MemoryUpload) {
  const recorded: { rows: number; bytes: number }[] = [];
  const store = {
    createUpload: async () => upload,
    record: async (_project: string, _id: string, rows: number, bytes: number) => {
      recorded.push({ rows, bytes });
      return { rows, bytes };
    },
  } as unknown as ExportStore;
  return { store, recorded };
}

function rows(n: number, seed: number) {
  const r = rng(seed);
  const data: Record<string, unknown[]> = { customer_id: [], event_timestamp: [], label: [], score: [], note: [] };
  for (let i = 0; i < n; i++) {
    data.customer_id.push(i % 11 === 0 ? null : `c${Math.floor(r() * 1000)}`);
    data.event_timestamp.push(Date.UTC(2024, 0, 1) + i * 1000);
    data.label.push(i % 5 === 0 ? null : i);
    data.score.push(i % 7 === 0 ? null : r());
    data.note.push(`n${r().toString(36)}`);
  }
  return data;
}

const DTYPES = { customer_id: "string", score: "float64" } as const;
const NAMES = ["customer_id", "event_timestamp", "label", "score", "note"];

describe("ExportStream", () => {
  it("writes one Parquet file in several parts that hyparquet and DuckDB read like writeExport's", {
    timeout: 60_000,
  }, async () => {
    const groups = [rows(120_000, 1), rows(120_000, 2), rows(70_000, 3)];
    const all: Record<string, unknown[]> = Object.fromEntries(NAMES.map((n) => [n, groups.flatMap((g) => g[n])]));
    const columns = exportColumns(NAMES, DTYPES, (n) => all[n]);
    const upload = new MemoryUpload();
    const { store, recorded } = fakeStore(upload);
    const stream = await ExportStream.open(store, "p", "exp_1", columns);
    for (const g of groups) await stream.writeGroup(g, g.event_timestamp.length);
    await stream.close();
    const file = upload.completed!;
    expect(upload.parts.size).toBeGreaterThanOrEqual(2);
    expect(recorded).toEqual([{ rows: 310_000, bytes: file.byteLength }]);
    expect(file.byteLength).toBeGreaterThan(UPLOAD_PART_BYTES);

    const reference = writeExport({ columns: NAMES, data: all, numRows: 310_000 }, DTYPES);
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(buffer);
    expect(meta.row_groups).toHaveLength(3);
    expect(meta.schema).toEqual(parquetMetadata(reference.buffer as ArrayBuffer).schema);
    const got = await parquetReadObjects({ file: buffer });
    expect(got).toEqual(await parquetReadObjects({ file: reference.buffer as ArrayBuffer }));

    const dir = mkdtempSync(join(tmpdir(), "larder-export-"));
    try {
      const path = join(dir, "export.parquet");
      writeFileSync(path, file);
      const instance = await DuckDBInstance.create(":memory:");
      const conn = await instance.connect();
      const reader = await conn.runAndReadAll(
        `SELECT count(*) AS n, count(customer_id) AS keys, sum(label) AS labels, min(event_timestamp)::VARCHAR AS first FROM read_parquet('${path}')`,
      );
      const [row] = reader.getRowObjectsJS();
      const labels = all.label.reduce<number>((s, v) => s + (typeof v === "number" ? v : 0), 0);
      expect(row).toEqual({
        n: 310_000n,
        keys: BigInt(all.customer_id.filter((v) => v !== null).length),
        labels: BigInt(labels),
        first: "2024-01-01 00:00:00+00",
      });
      conn.closeSync();
      instance.closeSync();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("aborts the upload when producing the rows fails, and leaves no file", async () => {
    const upload = new MemoryUpload();
    const { store, recorded } = fakeStore(upload);
    const columns = exportColumns(["score"], { score: "float64" }, () => []);
    const failing = streamExport(store, "p", "exp_2", columns, async (stream) => {
      await stream.writeGroup({ score: [1, 2] }, 2);
      throw new Error("a shard output is missing");
    });
    await expect(failing).rejects.toThrow("a shard output is missing");
    expect(upload.aborted).toBe(true);
    expect(upload.completed).toBeNull();
    expect(recorded).toEqual([]);
  });
});
