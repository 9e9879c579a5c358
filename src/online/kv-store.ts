/**
 * Workers KV as the online store. Reads use bulk `get` (at most 100 keys per
 * call), all chunks in parallel. Writes read the stored records first (bulk)
 * and put only what is newer (see `resolveWrite`).
 *
 * KV has no compare-and-set: two writers racing on one key within the same
 * instant can still both pass the newest check; the later put lands. KV also
 * allows about one write per second per key; a rejected put is retried once
 * after a second. Both are documented in the README's consistency model.
 */
import { coalesce, type OnlineRecord, type OnlineWrite, resolveWrite } from "../domain/online-record";
import type { OnlineStore, WriteOutcome } from "./store";

const KV_BULK_GET_MAX = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class KvOnlineStore implements OnlineStore {
  constructor(private readonly kv: KVNamespace) {}

  async read(keys: readonly string[]): Promise<(OnlineRecord | null)[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) return [await this.kv.get<OnlineRecord>(keys[0], "json")];
    const maps = await Promise.all(
      chunks(keys, KV_BULK_GET_MAX).map((part) => this.kv.get<OnlineRecord>(part, "json")),
    );
    const found = new Map<string, OnlineRecord | null>();
    for (const map of maps) for (const [k, v] of map) found.set(k, v);
    return keys.map((k) => found.get(k) ?? null);
  }

  async write(writes: readonly OnlineWrite[]): Promise<WriteOutcome> {
    const folded = coalesce(writes);
    const stored = await this.read(folded.map((w) => w.key));
    let written = 0;
    const puts: Promise<void>[] = [];
    folded.forEach((w, i) => {
      const next = resolveWrite(stored[i], w);
      if (!next) return;
      written++;
      puts.push(this.put(w.key, next));
    });
    await Promise.all(puts);
    return { written, skippedOlder: writes.length - written };
  }

  async countKeys(prefix: string, maxPages: number): Promise<number | null> {
    let count = 0;
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const list: KVNamespaceListResult<unknown> = await this.kv.list({ prefix, cursor, limit: 1000 });
      count += list.keys.length;
      if (list.list_complete) return count;
      cursor = list.cursor;
    }
    return null;
  }

  private async put(key: string, record: OnlineRecord): Promise<void> {
    try {
      await this.kv.put(key, JSON.stringify(record));
    } catch (err) {
      // KV refuses a second write to one key within about a second: wait, then
      // retry once, checking again that nothing newer landed meanwhile.
      if (!/429|too many/i.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 1100));
      const next = resolveWrite(await this.kv.get<OnlineRecord>(key, "json"), { key, record, merge: false });
      if (next) await this.kv.put(key, JSON.stringify(next));
    }
  }
}
