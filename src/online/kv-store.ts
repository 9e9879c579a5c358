/**
 * Workers KV as the online store. Reads use bulk `get` (at most 100 keys per
 * call), all chunks in parallel. Writes read the stored records first (bulk)
 * and put only records that changed (see `mergeWrite`).
 *
 * KV has no compare-and-set: two writes racing on one key (one writer: the
 * same push source, or materialization) can both read the same stored
 * record; the later put lands and the features only the other carried are
 * lost from that record until they are written again (the README's
 * consistency model says how long). KV also
 * allows about one write per second per key; a rejected put is retried once
 * after a second. Both are documented in the README's consistency model.
 */
import { WRITER_SEPARATOR } from "../domain/entity-key";
import { coalesce, mergeWrite, type OnlineRecord, type OnlineWrite } from "../domain/online-record";
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
      const next = mergeWrite(stored[i], w.record);
      if (!next) return;
      written++;
      puts.push(this.put(w.key, next, w.record));
    });
    await Promise.all(puts);
    return { written, skippedOlder: writes.length - written };
  }

  async countEntities(prefix: string, maxPages: number): Promise<number | null> {
    const entities = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const list: KVNamespaceListResult<unknown> = await this.kv.list({ prefix, cursor, limit: 1000 });
      for (const { name } of list.keys) {
        const cut = name.indexOf(WRITER_SEPARATOR, prefix.length);
        entities.add(cut < 0 ? name : name.slice(0, cut));
      }
      if (list.list_complete) return entities.size;
      cursor = list.cursor;
    }
    return null;
  }

  private async put(key: string, record: OnlineRecord, write: OnlineRecord): Promise<void> {
    try {
      await this.kv.put(key, JSON.stringify(record));
    } catch (err) {
      // KV refuses a second write to one key within about a second: wait, then
      // retry once, checking again that nothing newer landed meanwhile.
      if (!/429|too many/i.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 1100));
      const next = mergeWrite(await this.kv.get<OnlineRecord>(key, "json"), write);
      if (next) await this.kv.put(key, JSON.stringify(next));
    }
  }
}
