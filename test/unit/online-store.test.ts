import { describe, expect, it } from "vitest";
import { KvOnlineStore } from "../../src/online/kv-store";
import { coalesce, isNewer, type OnlineRecord, resolveWrite } from "../../src/domain/online-record";

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

const rec = (e: number, c: number | null, v: Record<string, unknown>): OnlineRecord => ({ e, c, v });

describe("newest-wins rules", () => {
  it("orders by event time, then created time (null lowest)", () => {
    expect(isNewer(rec(2, null, {}), rec(1, 5, {}))).toBe(true);
    expect(isNewer(rec(1, 2, {}), rec(1, 1, {}))).toBe(true);
    expect(isNewer(rec(1, 1, {}), rec(1, null, {}))).toBe(true);
    expect(isNewer(rec(1, 1, {}), rec(1, 1, {}))).toBe(false);
  });

  it("coalesces writes of one key: newest wins, merging writes layer features", () => {
    const out = coalesce([
      { key: "k", merge: true, record: rec(3, null, { a: 3 }) },
      { key: "k", merge: true, record: rec(1, null, { a: 1, b: 1 }) },
      { key: "j", merge: false, record: rec(1, null, { a: 9 }) },
    ]);
    expect(out.find((w) => w.key === "k")!.record).toEqual(rec(3, null, { a: 3, b: 1 }));
    expect(out).toHaveLength(2);
  });

  it("resolves a write against what is stored", () => {
    expect(resolveWrite(null, { key: "k", merge: true, record: rec(1, null, { a: 1 }) })).toEqual(
      rec(1, null, { a: 1 }),
    );
    expect(resolveWrite(rec(5, null, { a: 5 }), { key: "k", merge: true, record: rec(1, null, { a: 1 }) })).toBeNull();
    expect(
      resolveWrite(rec(1, null, { a: 1, b: 2 }), { key: "k", merge: true, record: rec(2, null, { a: 3 }) }),
    ).toEqual(rec(2, null, { a: 3, b: 2 }));
    expect(
      resolveWrite(rec(1, null, { a: 1, b: 2 }), { key: "k", merge: false, record: rec(2, null, { a: 3 }) }),
    ).toEqual(rec(2, null, { a: 3 }));
  });
});

describe("KvOnlineStore", () => {
  it("retries a put KV refused for rate, once, after a second", async () => {
    const kv = new FlakyKv();
    kv.refusals = 1;
    const store = new KvOnlineStore(kv as unknown as KVNamespace);
    const outcome = await store.write([{ key: "k", merge: false, record: rec(1, null, { a: 1 }) }]);
    expect(outcome.written).toBe(1);
    expect(JSON.parse(kv.data.get("k")!)).toEqual(rec(1, null, { a: 1 }));
  });

  it("gives up after the second refusal rather than looping", async () => {
    const kv = new FlakyKv();
    kv.refusals = 2;
    const store = new KvOnlineStore(kv as unknown as KVNamespace);
    await expect(store.write([{ key: "k", merge: false, record: rec(1, null, { a: 1 }) }])).rejects.toThrow(/429/);
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
