/** Parquet in R2 inside workerd: write with writeParquet, read back through ranged R2 gets. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LarderError } from "../../src/domain/errors";
import { bucketFileKey, newFileId, partitionMonth } from "../../src/offline/layout";
import { offlineColumns, parquetSummary, r2AsyncBuffer, readParquet, writeParquet } from "../../src/offline/parquet";

const T = Date.UTC(2024, 0, 15, 10);
const HOUR = 3_600_000;

/** `r2AsyncBuffer` with the size from a `head`; null when there is no such object. */
async function openR2File(bucket: R2Bucket, key: string) {
  const head = await bucket.head(key);
  return head ? r2AsyncBuffer(bucket, key, head.size) : null;
}

/** The bound bucket, recording the range of every get. */
function recordingBucket(bucket: R2Bucket) {
  const gets: { key: string; offset: number; length: number }[] = [];
  const wrapped = {
    head: (key: string) => bucket.head(key),
    get: (key: string, options?: R2GetOptions) => {
      const range = options?.range as { offset: number; length: number } | undefined;
      gets.push({ key, offset: range?.offset ?? 0, length: range?.length ?? -1 });
      return bucket.get(key, options);
    },
  } as unknown as R2Bucket;
  return { bucket: wrapped, gets };
}

const columns = offlineColumns(
  [{ name: "customer_id", type: "STRING" }],
  [
    { name: "age", dtype: "int32" },
    { name: "lifetime_value", dtype: "float64" },
    { name: "notes", dtype: "string" },
    { name: "tags", dtype: "array<string>" },
  ],
);

function rows(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    // Keys rise with i, so the writer's order (key, then time) is the input order.
    customer_id: `cust_${String(Math.floor(i / 100)).padStart(3, "0")}`,
    age: 20 + (i % 50),
    lifetime_value: i * 1.25,
    notes: `note ${i} ${"lorem ipsum ".repeat(i % 20)}`,
    tags: i % 3 === 0 ? null : ["a", `t${i % 7}`],
    event_timestamp: T + i * 60_000,
    created_timestamp: i % 2 ? T + i * 60_000 + 5 : null,
  }));
}

describe("offline Parquet in R2", () => {
  it("writes a partition file and reads it back with ranged gets, pruning columns and row groups", async () => {
    const data = rows(20_000); // 20,000 minutes ≈ 14 days, 10 row groups
    const bytes = writeParquet(columns, data, { rowGroupSize: 2_000 });
    const key = bucketFileKey(
      "ai_etl",
      "customer_source",
      { bucket: 0, buckets: 1, month: partitionMonth(T) },
      newFileId(),
    );
    const put = (await env.OFFLINE_STORE.put(key, bytes))!;
    expect(put.size).toBe(bytes.byteLength);

    const whole = await readParquet(r2AsyncBuffer(env.OFFLINE_STORE, key, put.size), { name: key });
    expect(whole.numRows).toBe(20_000);
    expect(whole.columns.customer_id[101]).toBe("cust_001");
    expect(whole.columns.tags.slice(0, 3)).toEqual([null, ["a", "t1"], ["a", "t2"]]);
    expect(whole.columns.created_timestamp.slice(0, 2)).toEqual([null, T + 60_000 + 5]);

    const { bucket, gets } = recordingBucket(env.OFFLINE_STORE);
    const file = await openR2File(bucket, key);
    const minTs = T + 5_000 * 60_000;
    const maxTs = T + 5_999 * 60_000;
    const part = await readParquet(file!, {
      name: key,
      columns: ["customer_id", "age"],
      minTs,
      maxTs,
      footerFetchBytes: 16 * 1024,
    });
    expect(part.rowGroups).toEqual({ total: 10, read: 1 });
    expect(part.numRows).toBe(1_000);
    expect(part.columns.age).toEqual(data.slice(5_000, 6_000).map((r) => r.age));
    expect(Object.keys(part.columns)).toEqual(["customer_id", "age"]);
    // Every get is ranged; together they are a small part of the file.
    expect(gets.every((g) => g.key === key && g.length > 0)).toBe(true);
    const fetched = gets.reduce((n, g) => n + g.length, 0);
    expect(fetched).toBeLessThan(bytes.byteLength / 5);

    const summary = await parquetSummary(r2AsyncBuffer(env.OFFLINE_STORE, key, put.size), { name: key });
    expect(summary).toMatchObject({
      numRows: 20_000,
      rowGroups: 10,
      bytes: bytes.byteLength,
      minTs: T,
      maxTs: T + 19_999 * 60_000,
    });
  });

  it("names the R2 key when a file is not Parquet or is corrupt", async () => {
    const key = "features/customer/broken.parquet";
    await env.OFFLINE_STORE.put(key, "customer_id,age\ncust_1,30\n");
    const head = await env.OFFLINE_STORE.head(key);
    const err = await readParquet(r2AsyncBuffer(env.OFFLINE_STORE, key, head!.size), { name: key }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LarderError);
    expect((err as LarderError).code).toBe("VALIDATION_ERROR");
    expect((err as LarderError).message).toContain(key);

    const good = writeParquet(columns, rows(10));
    const corrupt = good.slice();
    corrupt.fill(0x7f, 4, 60);
    const corruptKey = "features/customer/corrupt.parquet";
    await env.OFFLINE_STORE.put(corruptKey, corrupt);
    await expect(
      readParquet(r2AsyncBuffer(env.OFFLINE_STORE, corruptKey, corrupt.byteLength), { name: corruptKey }),
    ).rejects.toThrow(corruptKey);
  });

  it("reports a vanished object as an R2 failure naming the key, not as a corrupt file", async () => {
    const key = "offline/ai_etl/gone.parquet";
    expect(await openR2File(env.OFFLINE_STORE, key)).toBeNull();
    const err = await readParquet(r2AsyncBuffer(env.OFFLINE_STORE, key, 4096), { name: key }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LarderError);
    expect((err as LarderError).code).toBe("INTERNAL");
    expect((err as LarderError).message).toBe(`Offline file '${key}' is missing from R2`);
  });

  it("reads a file written at the start of the hour back with the exact values", async () => {
    const key = bucketFileKey("ai_etl", "customer_source", { bucket: 0, buckets: 1, month: "2024-01" }, newFileId(T));
    const one = [
      {
        customer_id: "cust_12345",
        age: 42,
        lifetime_value: 1234.5,
        notes: "vip",
        tags: [],
        event_timestamp: T + HOUR,
        created_timestamp: null,
      },
    ];
    const bytes = writeParquet(columns, one);
    await env.OFFLINE_STORE.put(key, bytes);
    const table = await readParquet(r2AsyncBuffer(env.OFFLINE_STORE, key, bytes.byteLength), { name: key });
    expect(Object.fromEntries(Object.entries(table.columns).map(([k, v]) => [k, v[0]]))).toEqual({
      ...one[0],
      _larder_seq: 0,
      _larder_wid: 0,
      _larder_carried: null,
    });
  });
});
