import { describe, expect, it } from "vitest";
import { KvOnlineStore } from "../../src/online/kv-store";
import {
  coalesce,
  featureVersion,
  mergeWrite,
  newestCell,
  type OnlineRecord,
  recordVersion,
} from "../../src/domain/online-record";
import { compareSequences, compareVersions, writeSequence } from "../../src/domain/write-version";

/** A KV stand-in that can refuse puts the way KV does past its per-key write rate. */
class FlakyKv {
  readonly data = new Map<string, string>();
  refusals = 0;
  async get(key: string | string[], _type: "json") {
    if (Array.isArray(key))
      return new Map(key.map((k) => [k, this.data.has(k) ? JSON.parse(this.data.get(k)!) : null]));
    return this.data.has(key) ? JSON.parse(this.data.get(key)!) : null;
  }
  async put(key: string, value: string) {
    if (this.refusals > 0) {
      this.refusals--;
      throw new Error("KV PUT failed: 429 Too Many Requests");
    }
    this.data.set(key, value);
  }
}

const rec = (e: number, c: number | null, v: Record<string, unknown>, s = "0", w = 0): OnlineRecord => ({
  e,
  c,
  s,
  w,
  v,
});
const version = (e: number, c: number | null, s = "0", w = 0) => ({ e, c, s, w });

describe("the ordering rule", () => {
  it("orders by event time, then created time (null lowest), then write sequence, then write id", () => {
    expect(compareVersions(version(2, null), version(1, 5))).toBeGreaterThan(0);
    expect(compareVersions(version(1, 2), version(1, 1))).toBeGreaterThan(0);
    expect(compareVersions(version(1, 1), version(1, null))).toBeGreaterThan(0);
    expect(compareVersions(version(1, 1, "10"), version(1, 1, "9"))).toBeGreaterThan(0);
    expect(compareVersions(version(1, 1, "9", 2), version(1, 1, "9", 1))).toBeGreaterThan(0);
    expect(compareVersions(version(1, 1, "9", 1), version(1, 1, "9", 1))).toBe(0);
  });

  it("write sequences grow with the write time and the row index, beyond 2^53", () => {
    const a = writeSequence(1_800_000_000_000, 0);
    const b = writeSequence(1_800_000_000_000, 1);
    const c = writeSequence(1_800_000_000_001, 0);
    expect(BigInt(a)).toBe(1_800_000_000_000n * 2n ** 20n);
    expect(compareSequences(b, a)).toBeGreaterThan(0);
    expect(compareSequences(c, b)).toBeGreaterThan(0);
    expect(compareSequences("10", "9")).toBeGreaterThan(0);
  });
});

describe("per-feature records", () => {
  it("a write merges feature by feature: newer values replace, features it lacks stay", () => {
    const stored = rec(1, null, { a: 1, b: 1 });
    expect(mergeWrite(stored, rec(2, null, { a: 2 }))).toEqual({
      ...rec(2, null, { a: 2, b: 1 }),
      o: { b: [1, null, "0", 0] },
    });
    expect(mergeWrite(stored, rec(0, null, { a: 0 }))).toBeNull();
    // A full tie is the same row: nothing changes.
    expect(mergeWrite(stored, rec(1, null, { a: 1 }))).toBeNull();
    // A later write of the same instant wins (a correction).
    expect(mergeWrite(stored, rec(1, null, { a: 5 }, "7"))!.v).toEqual({ a: 5, b: 1 });
  });

  it("an older write still fills a feature the record lacks, keeping its own version", () => {
    const merged = mergeWrite(rec(5, null, { a: 5 }), rec(1, null, { b: 1 }))!;
    expect(merged.v).toEqual({ a: 5, b: 1 });
    expect(featureVersion(merged, "b")).toEqual(version(1, null));
    expect(featureVersion(merged, "a")).toEqual(version(5, null));
  });

  it("coalesces writes of one key by the same rule, in any order", () => {
    const writes = [
      { key: "k", record: rec(3, null, { a: 3 }) },
      { key: "k", record: rec(1, null, { a: 1, b: 1 }) },
      { key: "j", record: rec(1, null, { a: 9 }) },
    ];
    for (const order of [writes, [...writes].reverse()]) {
      const out = coalesce(order);
      expect(out.find((w) => w.key === "k")!.record.v).toEqual({ a: 3, b: 1 });
      expect(out).toHaveLength(2);
    }
  });

  it("reads the newest cell of each feature across writer records", () => {
    const materialized = rec(5, null, { a: 5, b: 5 });
    const pushed = rec(7, null, { a: 7 });
    expect(newestCell([materialized, pushed, null], "a")!.value).toBe(7);
    expect(newestCell([materialized, pushed, null], "b")!.value).toBe(5);
    expect(newestCell([materialized, pushed], "c")).toBeUndefined();
  });

  it("reads records written before versions existed as the lowest sequence", () => {
    const old: OnlineRecord = { e: 1, c: null, v: { a: 1 } };
    expect(recordVersion(old)).toEqual(version(1, null));
    expect(mergeWrite(old, rec(1, null, { a: 2 }, "5"))!.v.a).toBe(2);
  });
});

describe("KvOnlineStore", () => {
  it("retries a put KV refused for rate, once, after a second", async () => {
    const kv = new FlakyKv();
    kv.refusals = 1;
    const store = new KvOnlineStore(kv as unknown as KVNamespace);
    const outcome = await store.write([{ key: "k", record: rec(1, null, { a: 1 }) }]);
    expect(outcome.written).toBe(1);
    expect(JSON.parse(kv.data.get("k")!)).toEqual(rec(1, null, { a: 1 }));
  });

  it("gives up after the second refusal rather than looping", async () => {
    const kv = new FlakyKv();
    kv.refusals = 2;
    const store = new KvOnlineStore(kv as unknown as KVNamespace);
    await expect(store.write([{ key: "k", record: rec(1, null, { a: 1 }) }])).rejects.toThrow(/429/);
  });

  it("reads in chunks of at most 100 keys, in order", async () => {
    const kv = new FlakyKv();
    const calls: number[] = [];
    const get = kv.get.bind(kv);
    kv.get = async (key: string | string[], type: "json") => {
      if (Array.isArray(key)) calls.push(key.length);
      return get(key, type);
    };
    for (let i = 0; i < 250; i++) kv.data.set(`k${i}`, JSON.stringify(rec(i, null, {})));
    const store = new KvOnlineStore(kv as unknown as KVNamespace);
    const keys = Array.from({ length: 250 }, (_, i) => `k${249 - i}`);
    const records = await store.read(keys);
    expect(calls).toEqual([100, 100, 50]);
    expect(records.map((r) => r!.e)).toEqual(keys.map((k) => Number(k.slice(1))));
  });
});
