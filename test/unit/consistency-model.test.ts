/**
 * The consistency rules against a brute-force model (test/oracle/as-of-model.ts),
 * seeded and randomized: histories with duplicate and fully tied rows
 * (same event and created time, different writes), partial rows from two
 * push sources, explicit nulls, replays, ttl on and off.
 * - the point-in-time join (`pointInTimeJoin` with `carries`) equals the model
 *   at every instant asked;
 * - materialization's fold (`LatestValues`, in any chunk order, replayed),
 *   the push sources' own records (`coalesce`/`mergeWrite`, in any order,
 *   replayed) and the online read's merge (`newestCell`) equal the model
 *   after the last event;
 * - the old rules disagree with the model on these histories, so the suite
 *   catches them.
 */
import { describe, expect, it } from "vitest";
import { LatestValues } from "../../src/domain/latest-values";
import { coalesce, mergeWrite, newestCell, type OnlineRecord } from "../../src/domain/online-record";
import { pointInTimeJoin } from "../../src/domain/pit-join";
import { writeSequence } from "../../src/domain/write-version";
import { type ModelRow, modelValue, oldJoinValue, oldMaterializedValue } from "../oracle/as-of-model";
import { rng } from "../prng";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const FEATURES = ["a", "b", "c"];
/** Which features each writer carries: two push sources with different features, and full rows. */
const WRITERS: Record<string, string[]> = { p1: ["a", "b"], p2: ["c"], ingest: FEATURES };

interface History {
  rows: (ModelRow & { writer: string })[];
  keys: string[];
}

function history(seed: number): History {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const keys = ["k0", "k1", "k2", "k3", "k4"];
  const rows: History["rows"] = [];
  const writes = 12 + Math.floor(rand() * 10);
  for (let w = 0; w < writes; w++) {
    // Writes land within a few milliseconds of each other (ties on the write time too), each with its own id.
    const writeMs = T0 + 10 * MIN + Math.floor(rand() * 3);
    const writeId = w + 1;
    const writer = pick(Object.keys(WRITERS));
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      const values: Record<string, unknown> = {};
      for (const f of WRITERS[writer])
        if (writer === "ingest" || rand() < 0.7) values[f] = rand() < 0.15 ? null : Math.floor(rand() * 100);
      if (Object.keys(values).length === 0) values[WRITERS[writer][0]] = Math.floor(rand() * 100);
      rows.push({
        writer,
        key: pick(keys),
        // Few distinct instants: many rows tie on event time, and on created time too.
        e: T0 + Math.floor(rand() * 5) * MIN,
        c: pick([null, null, T0, T0 + 1]),
        s: writeSequence(writeMs, i),
        w: writeId,
        values,
      });
    }
  }
  // A replayed row (a retried task, a crash leaving copies): the very same row twice.
  for (let r = 0; r < 3; r++) rows.push({ ...pick(rows) });
  return { rows, keys };
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The rows as the offline store gives them: columns, versions and what each row carried. */
function columnsOf(rows: readonly ModelRow[]) {
  const columns: Record<string, unknown[]> = {
    id: rows.map((r) => r.key),
    event_timestamp: rows.map((r) => r.e),
    created_timestamp: rows.map((r) => r.c),
    _larder_seq: rows.map((r) => r.s),
    _larder_wid: rows.map((r) => r.w),
  };
  const carries: Record<string, Uint8Array> = {};
  for (const f of FEATURES) {
    columns[f] = rows.map((r) => r.values[f] ?? null);
    carries[f] = Uint8Array.from(rows, (r) => (Object.hasOwn(r.values, f) ? 1 : 0));
  }
  return { columns, carries };
}

const SEEDS = Array.from({ length: 60 }, (_, i) => 20261201 + i);

describe("point-in-time join = the model", () => {
  it.each(SEEDS)("seed %i: every cell at every instant, ttl on and off, in any row order", (seed) => {
    const { rows, keys } = history(seed);
    const rand = rng(seed ^ 0x5bd1e995);
    for (const ttlSeconds of [0, 120]) {
      const order = shuffled(rows, rand);
      const { columns, carries } = columnsOf(order);
      const instants = [-1, 0, 1, 2, 3, 4, 5].map((m) => T0 + m * MIN);
      const entity = { id: [] as string[], event_timestamp: [] as number[] };
      for (const key of keys) for (const t of instants) entity.id.push(key), entity.event_timestamp.push(t);
      const joined = pointInTimeJoin(
        entity,
        [
          {
            view: "v",
            joinKeys: ["id"],
            keyTypes: { id: "STRING" },
            features: FEATURES,
            ttlSeconds,
            rows: columns,
            carries,
          },
        ],
        { fullFeatureNames: false },
      );
      entity.id.forEach((key, i) => {
        for (const f of FEATURES) {
          const expected = modelValue(rows, key, f, entity.event_timestamp[i], ttlSeconds * 1000);
          expect({ key, t: entity.event_timestamp[i], f, ttlSeconds, v: joined.data[f][i] }).toEqual({
            key,
            t: entity.event_timestamp[i],
            f,
            ttlSeconds,
            v: expected,
          });
        }
      });
    }
  });
});

/** The online read of one entity after every write: materialization's record and each push source's, merged per feature. */
function onlineAfterAll(rows: History["rows"], rand: () => number): Map<string, (OnlineRecord | null)[]> {
  // Materialization folds the offline rows (all of them) in file chunks of any order, replayed once.
  const latest = new LatestValues(FEATURES);
  const order = shuffled(rows, rand);
  for (const pass of [order, shuffled(order, rand)]) {
    for (let start = 0; start < pass.length; start += 7) {
      const chunk = columnsOf(pass.slice(start, start + 7));
      for (let i = 0; i < chunk.columns.id.length; i++) latest.add(chunk.columns.id[i] as string, chunk, i);
    }
  }
  const materialized = new Map<string, OnlineRecord>();
  for (const { key, record } of latest.records()) materialized.set(key, record);
  // Each push source's record: its rows in any order, each delivered twice, merged as KV writes are.
  const pushed = new Map<string, Map<string, OnlineRecord>>();
  for (const source of ["p1", "p2"]) {
    const writes = shuffled(
      rows.filter((r) => r.writer === source).flatMap((r) => [r, r]),
      rand,
    ).map((r) => ({ key: r.key, record: { e: r.e, c: r.c, s: r.s, w: r.w, v: { ...r.values } } }));
    const store = new Map<string, OnlineRecord>();
    // Two batches, coalesced each, as two requests would be.
    const half = Math.floor(writes.length / 2);
    for (const batch of [writes.slice(0, half), writes.slice(half)]) {
      for (const { key, record } of coalesce(batch)) {
        const next = mergeWrite(store.get(key) ?? null, record);
        if (next) store.set(key, next);
      }
    }
    pushed.set(source, store);
  }
  const out = new Map<string, (OnlineRecord | null)[]>();
  for (const key of new Set(rows.map((r) => r.key)))
    out.set(key, [
      materialized.get(key) ?? null,
      pushed.get("p1")!.get(key) ?? null,
      pushed.get("p2")!.get(key) ?? null,
    ]);
  return out;
}

describe("online = the model = the join, after materialization and pushes", () => {
  it.each(SEEDS)("seed %i: every entity and feature, with and without ttl", (seed) => {
    const { rows } = history(seed);
    const records = onlineAfterAll(rows, rng(seed ^ 0x9e3779b9));
    const now = T0 + 5 * MIN;
    for (const [key, recs] of records) {
      for (const f of FEATURES) {
        const cell = newestCell(recs, f);
        for (const ttlMs of [0, 2 * MIN]) {
          const online = cell && (ttlMs === 0 || now - cell.version.e <= ttlMs) ? (cell.value ?? null) : null;
          expect({ key, f, ttlMs, v: online }).toEqual({ key, f, ttlMs, v: modelValue(rows, key, f, now, ttlMs) });
        }
      }
    }
  });
});

describe("the old rules fail the model", () => {
  it("materialization keeping the first tied row's whole record disagrees on some cells", () => {
    let cells = 0;
    let wrong = 0;
    for (const seed of SEEDS) {
      const { rows, keys } = history(seed);
      for (const key of keys)
        for (const f of FEATURES) {
          cells++;
          if (oldMaterializedValue(rows, key, f) !== modelValue(rows, key, f, Infinity)) wrong++;
        }
    }
    expect(cells).toBe(SEEDS.length * 15);
    expect(wrong).toBeGreaterThan(cells / 10);
  });

  it("the join taking the last tied row's whole record disagrees on some cells", () => {
    let wrong = 0;
    for (const seed of SEEDS) {
      const { rows, keys } = history(seed);
      for (const key of keys)
        for (const f of FEATURES)
          if (oldJoinValue(rows, key, f, T0 + 5 * MIN) !== modelValue(rows, key, f, T0 + 5 * MIN)) wrong++;
    }
    expect(wrong).toBeGreaterThan(0);
  });
});
