/** Writes online records straight through the store contract, as materialization will. */
import { env } from "cloudflare:workers";
import { entityKey, onlineKey } from "../../src/domain/entity-key";
import { KvOnlineStore } from "../../src/online/kv-store";

export async function seedOnline(
  view: string,
  joinKey: string,
  rows: { id: string; e: number; c?: number | null; v: Record<string, unknown> }[],
  project = "ai_etl",
) {
  const store = new KvOnlineStore(env.ONLINE_STORE);
  await store.write(
    rows.map((r) => ({
      key: onlineKey(
        project,
        view,
        entityKey([joinKey], { [joinKey]: "STRING" }, () => r.id),
      ),
      merge: false,
      record: { e: r.e, c: r.c ?? null, v: r.v },
    })),
  );
}
