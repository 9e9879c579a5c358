import { describe, expect, it } from "vitest";
import {
  keyPartitionDate,
  newFileId,
  partitionDate,
  bucketFileKey,
  bucketLabel,
  inBucketedLayout,
  partitionMonth,
  sourceLocation,
  sourcePrefix,
} from "../../src/offline/layout";

describe("sourceLocation: batch source paths inside the project's prefix", () => {
  it.each([
    ["s3://my-bucket/features/customer/", "offline/p1/features/customer/"],
    ["s3://my-bucket/features/customer", "offline/p1/features/customer/"],
    ["s3://data-lake/products/features/", "offline/p1/products/features/"],
    ["S3A://bucket/x/", "offline/p1/x/"],
    ["r2://larder-offline/x/", "offline/p1/x/"],
    ["features/customer/", "offline/p1/features/customer/"],
    ["  data/ ", "offline/p1/data/"],
  ])("%s → prefix %s", (path, key) => {
    expect(sourceLocation("p1", path)).toEqual({ key, kind: "prefix" });
  });

  it("treats a .parquet path as one object, inside the project", () => {
    expect(sourceLocation("p1", "s3://b/exports/customers.parquet")).toEqual({
      key: "offline/p1/exports/customers.parquet",
      kind: "file",
    });
    expect(sourceLocation("p1", "data/part-0.PARQUET")).toEqual({
      key: "offline/p1/data/part-0.PARQUET",
      kind: "file",
    });
  });

  it("never leaves the project's prefix, whatever the path says", () => {
    for (const path of ["s3://any/offline/B/src/", "exports/", "r2://b/jobs/x/", "dead-letter/", "s3://b/offline/"]) {
      expect(sourceLocation("A", path).key.startsWith("offline/A/")).toBe(true);
    }
  });

  it("rejects paths that name no prefix, other schemes, empty, dot and control segments", () => {
    expect(() => sourceLocation("p", "s3://bucket")).toThrow(/names no prefix/);
    expect(() => sourceLocation("p", "s3://bucket/")).toThrow(/names no prefix/);
    expect(() => sourceLocation("p", "")).toThrow(/names no prefix/);
    expect(() => sourceLocation("p", "gs://bucket/x/")).toThrow(/scheme 'gs:\/\/' is not supported/);
    expect(() => sourceLocation("p", "https://example.com/x/")).toThrow(/not supported/);
    expect(() => sourceLocation("p", "s3://b/x/../y/")).toThrow(/'\.\.'/);
    expect(() => sourceLocation("p", "s3://b/x/./y/")).toThrow(/'\.'/);
    expect(() => sourceLocation("p", "r2://larder-offline/features//customer/")).toThrow(/empty segment/);
    expect(() => sourceLocation("p", "/features/customer")).toThrow(/empty segment/);
    expect(() => sourceLocation("p", "s3://b/x\u0000y/")).toThrow(/control character/);
    expect(() => sourceLocation("p", "s3://b/x\ny/")).toThrow(/control character/);
    expect(() => sourceLocation("p", "s3://b/x\\..\\y/")).toThrow(/backslash/);
  });

  it("reads external:// prefixes only inside the operator's allow-list", () => {
    expect(sourceLocation("p", "external://lake/shared/events/", ["lake/shared/"])).toEqual({
      key: "lake/shared/events/",
      kind: "prefix",
    });
    expect(() => sourceLocation("p", "external://lake/other/", ["lake/shared/"])).toThrow(/EXTERNAL_PREFIXES/);
    expect(() => sourceLocation("p", "external://lake/shared/", [])).toThrow(/EXTERNAL_PREFIXES: none/);
    expect(() => sourceLocation("p", "external://lake/shared/../../offline/B/", ["lake/shared/"])).toThrow(/'\.\.'/);
  });
});

describe("Larder's own partition layout", () => {
  it("builds offline/<project>/<source>/bucket=NN/month=YYYY-MM/<id>.parquet", () => {
    const ts = Date.UTC(2024, 0, 31, 23, 59, 59, 999);
    expect(partitionDate(ts)).toBe("2024-01-31");
    expect(partitionMonth(ts)).toBe("2024-01");
    expect(partitionMonth(ts + 1)).toBe("2024-02");
    const where = { bucket: 7, buckets: 16, month: partitionMonth(ts) };
    const key = bucketFileKey("ai_etl", "customer_source", where, "01HMABCDEF0123456789ABCDEF");
    expect(key).toBe("offline/ai_etl/customer_source/bucket=07/month=2024-01/01HMABCDEF0123456789ABCDEF.parquet");
    expect(key.startsWith(sourcePrefix("ai_etl", "customer_source"))).toBe(true);
    expect(inBucketedLayout("ai_etl", "customer_source", key)).toBe(true);
    expect(inBucketedLayout("ai_etl", "customer_source", "offline/ai_etl/customer_source/mine.parquet")).toBe(false);
    expect(bucketLabel(3, 4)).toBe("3");
    expect(bucketLabel(3, 256)).toBe("003");
    expect(keyPartitionDate("lake/date=2024-01-15/part-0.parquet")).toBe("2024-01-15");
    expect(keyPartitionDate("features/customer/part-0.parquet")).toBeUndefined();
  });

  it("refuses segments that would change the key's shape", () => {
    expect(() => sourcePrefix("a/b", "s")).toThrow(/project 'a\/b'/);
    expect(() => sourcePrefix("p", "..")).toThrow(/source/);
    expect(() => bucketFileKey("p", "s", { bucket: 0, buckets: 1, month: "2024-1" }, "x")).toThrow(/YYYY-MM/);
    expect(() => bucketLabel(16, 16)).toThrow(/outside/);
    expect(() => partitionDate(Number.NaN)).toThrow(/event timestamp/);
  });
});

describe("newFileId: ULIDs", () => {
  it("encodes 48 bits of time and 80 bits of randomness in Crockford base 32", () => {
    expect(newFileId(0, new Uint8Array(10))).toBe("0".repeat(26));
    expect(newFileId(2 ** 48 - 1, new Uint8Array(10).fill(255))).toBe(`7ZZZZZZZZZ${"Z".repeat(16)}`);
    // The ULID specification's example time: 1469918176385 ms → 01ARYZ6S41.
    expect(newFileId(1469918176385, new Uint8Array(10)).slice(0, 10)).toBe("01ARYZ6S41");
    expect(newFileId(0, Uint8Array.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1])).slice(10)).toBe("G000000000000001");
  });

  it("sorts by time and does not repeat", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newFileId(1_700_000_000_000 + i * 1000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
  });
});
