import { describe, expect, it } from "vitest";
import {
  keyPartitionDate,
  newFileId,
  partitionDate,
  partitionFileKey,
  sourceLocation,
  sourcePrefix,
} from "../../src/offline/layout";

describe("sourceLocation: batch source paths onto the bound bucket", () => {
  it.each([
    ["s3://my-bucket/features/customer/", "features/customer/"],
    ["s3://my-bucket/features/customer", "features/customer/"],
    ["r2://larder-offline/features//customer/", "features/customer/"],
    ["S3A://bucket/x/", "x/"],
    ["features/customer/", "features/customer/"],
    ["/features/customer", "features/customer/"],
    ["  data/ ", "data/"],
  ])("%s → prefix %s", (path, key) => {
    expect(sourceLocation(path)).toEqual({ key, kind: "prefix" });
  });

  it("treats a .parquet path as one object", () => {
    expect(sourceLocation("s3://b/exports/customers.parquet")).toEqual({
      key: "exports/customers.parquet",
      kind: "file",
    });
    expect(sourceLocation("data/part-0.PARQUET")).toEqual({ key: "data/part-0.PARQUET", kind: "file" });
  });

  it("rejects paths that name no prefix, other schemes and dot segments", () => {
    expect(() => sourceLocation("s3://bucket")).toThrow(/names no prefix/);
    expect(() => sourceLocation("s3://bucket/")).toThrow(/names no prefix/);
    expect(() => sourceLocation("")).toThrow(/names no prefix/);
    expect(() => sourceLocation("gs://bucket/x/")).toThrow(/scheme 'gs:\/\/' is not supported/);
    expect(() => sourceLocation("https://example.com/x/")).toThrow(/not supported/);
    expect(() => sourceLocation("s3://b/x/../y/")).toThrow(/'\.\.'/);
  });
});

describe("Larder's own partition layout", () => {
  it("builds offline/<project>/<source>/date=YYYY-MM-DD/<id>.parquet", () => {
    const ts = Date.UTC(2024, 0, 15, 23, 59, 59, 999);
    expect(partitionDate(ts)).toBe("2024-01-15");
    expect(partitionDate(ts + 1)).toBe("2024-01-16");
    const key = partitionFileKey("ai_etl", "customer_source", partitionDate(ts), "01HMABCDEF0123456789ABCDEF");
    expect(key).toBe("offline/ai_etl/customer_source/date=2024-01-15/01HMABCDEF0123456789ABCDEF.parquet");
    expect(key.startsWith(sourcePrefix("ai_etl", "customer_source"))).toBe(true);
    expect(keyPartitionDate(key)).toBe("2024-01-15");
    expect(keyPartitionDate("features/customer/part-0.parquet")).toBeUndefined();
  });

  it("refuses segments that would change the key's shape", () => {
    expect(() => sourcePrefix("a/b", "s")).toThrow(/project 'a\/b'/);
    expect(() => sourcePrefix("p", "..")).toThrow(/source/);
    expect(() => partitionFileKey("p", "s", "2024-1-5", "x")).toThrow(/YYYY-MM-DD/);
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
