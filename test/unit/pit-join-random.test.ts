/**
 * Randomized check of the point-in-time join against a brute-force oracle
 * written here from the specification alone: for each entity row, look at
 * every feature row, keep those that qualify, pick the best by explicit
 * comparison. Small value domains force duplicates, ties on event and created
 * timestamps, missing keys and ttl bounds hit exactly.
 */
import { describe, expect, it } from "vitest";
import type { ValueType } from "../../src/domain/dtypes";
import { pointInTimeJoin, type FeatureTable } from "../../src/domain/pit-join";
import { rng } from "../prng";

type Row = Record<string, unknown>;

/** Key equality from first principles: integers by value, strings exactly, null never equal. */
function sameKey(type: ValueType, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (type === "INT32" || type === "INT64") return BigInt(String(a).trim()) === BigInt(String(b).trim());
  return a === b;
}

function oracle(entities: Row[], tables: FeatureTable[]): Row[] {
  return entities.map((entity) => {
    const out: Row = { ...entity };
    for (const table of tables) {
      const rows = table.rows as Row[];
      const at = entity.event_timestamp as number;
      let best: Row | undefined;
      let bestIndex = -1;
      rows.forEach((row, index) => {
        if (!table.joinKeys.every((k) => sameKey(table.keyTypes[k], entity[k], row[k]))) return;
        const ts = row.event_timestamp as number;
        if (ts > at) return;
        if (table.ttlSeconds > 0 && ts < at - table.ttlSeconds * 1000) return;
        if (best === undefined) {
          best = row;
          bestIndex = index;
          return;
        }
        const bestTs = best.event_timestamp as number;
        const created = (row.created_timestamp as number | null) ?? null;
        const bestCreated = (best.created_timestamp as number | null) ?? null;
        let better: boolean;
        if (ts !== bestTs) better = ts > bestTs;
        else if (created !== bestCreated) better = bestCreated === null || (created !== null && created > bestCreated);
        else better = index > bestIndex;
        if (better) {
          best = row;
          bestIndex = index;
        }
      });
      for (const f of table.features) out[`${table.view}__${f}`] = best ? (best[f] ?? null) : null;
    }
    return out;
  });
}

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

function randomCase(seed: number): { entities: Row[]; tables: FeatureTable[] } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (n: number) => Math.floor(r() * n);
  const keyCount = 1 + int(6);
  const tsCount = 1 + int(8); // few distinct timestamps: many ties
  const stamp = () => T0 + int(tsCount) * 10 * MIN;
  const intValue = (k: number) => pick([k, String(k), `00${k}`, BigInt(k)]);
  // One a_id column of the entity rows serves every view, so the views share a type family.
  const stringKeys = r() < 0.3;
  const keyValue = (k: number) => (stringKeys ? `k${k}` : intValue(k));

  const tables: FeatureTable[] = [];
  const viewCount = 1 + int(3);
  for (let v = 0; v < viewCount; v++) {
    const composite = r() < 0.4;
    const joinKeys = composite ? ["a_id", "b_id"] : ["a_id"];
    const keyTypes: Record<string, ValueType> = {
      a_id: stringKeys ? "STRING" : pick(["INT64", "INT32"] as const),
      b_id: "STRING",
    };
    const rows: Row[] = [];
    const rowCount = int(40);
    for (let i = 0; i < rowCount; i++) {
      const a = int(keyCount);
      const row: Row = {
        a_id: r() < 0.03 ? null : keyValue(a),
        event_timestamp: stamp(),
        created_timestamp: r() < 0.3 ? null : T0 + int(3) * MIN,
        f: r() < 0.1 ? null : i,
        g: `v${v}r${i}`,
      };
      if (composite) row.b_id = pick(["x", "y"]);
      rows.push(row);
    }
    tables.push({
      view: `view${v}`,
      joinKeys,
      keyTypes,
      features: ["f", "g"],
      ttlSeconds: pick([0, 0, 600, 1200, 3000]),
      rows,
    });
  }

  const entities: Row[] = [];
  const entityCount = int(60);
  for (let i = 0; i < entityCount; i++) {
    // keys up to keyCount + 1: some entity keys have no feature rows at all
    const a = int(keyCount + 2);
    entities.push({
      label: i,
      a_id: keyValue(a),
      b_id: pick(["x", "y", "z"]),
      event_timestamp: T0 - 10 * MIN + int(tsCount + 3) * 10 * MIN + pick([0, 0, 1, -1]),
    });
  }
  return { entities, tables };
}

describe("pointInTimeJoin agrees with a brute-force oracle", () => {
  it("on 1,000 random cases", { timeout: 30_000 }, () => {
    let matched = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const { entities, tables } = randomCase(seed);
      const expected = oracle(entities, tables);
      const result = pointInTimeJoin(entities, tables, { fullFeatureNames: true });
      const rows = expected.map((_, i) => Object.fromEntries(result.columns.map((c) => [c, result.data[c][i]])));
      expect(rows, `seed ${seed}`).toEqual(expected);
      matched += expected.filter((row) => Object.entries(row).some(([k, v]) => k.endsWith("__g") && v !== null)).length;
    }
    // The cases must exercise matches, not only nulls.
    expect(matched).toBeGreaterThan(2000);
  });

  it("gives the same answer for row objects and columns", () => {
    const { entities, tables } = randomCase(42);
    const columnar = (rows: Row[]) =>
      Object.fromEntries(
        ["a_id", "b_id", "label", "event_timestamp", "created_timestamp", "f", "g"].map((c) => [
          c,
          rows.map((r) => r[c]),
        ]),
      );
    const asRows = pointInTimeJoin(entities, tables, { fullFeatureNames: true });
    const asColumns = pointInTimeJoin(
      Object.fromEntries(asRows.columns.slice(0, 4).map((c) => [c, entities.map((e) => e[c])])),
      tables.map((t) => ({ ...t, rows: columnar(t.rows as Row[]) })),
      { fullFeatureNames: true },
    );
    expect(asColumns.data).toEqual(asRows.data);
  });
});
