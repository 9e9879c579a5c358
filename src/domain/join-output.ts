/**
 * The shape of a join's output: output-name collisions (checked before a
 * join, for a precise 400) and the columnar result as row objects. Pure.
 */

/** Columnar output: `data[name][i]` is row i's value; features missing → null. */
export interface PitJoinResult {
  columns: string[];
  data: Record<string, unknown[]>;
  numRows: number;
}

/** What names the output columns: a view and its features. */
export interface OutputTable {
  view: string;
  features: readonly string[];
}

export interface NameCollision {
  name: string;
  /** `view:feature` references, plus `entity_df` when an entity column has the name. */
  sources: string[];
}

/** Output names claimed more than once (by features, or by a feature and an entity column). */
export function outputNameCollisions(
  tables: readonly OutputTable[],
  fullFeatureNames: boolean,
  entityColumns: readonly string[] = [],
): NameCollision[] {
  const claims = new Map<string, string[]>();
  for (const col of entityColumns) claims.set(col, ["entity_df"]);
  for (const t of tables) {
    for (const f of t.features) {
      const name = fullFeatureNames ? `${t.view}__${f}` : f;
      claims.set(name, [...(claims.get(name) ?? []), `${t.view}:${f}`]);
    }
  }
  return [...claims].filter(([, sources]) => sources.length > 1).map(([name, sources]) => ({ name, sources }));
}

/** The result as row objects (keys in column order), e.g. for a JSON response. */
export function resultRows(result: PitJoinResult): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = new Array(result.numRows);
  for (let i = 0; i < result.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const name of result.columns) row[name] = result.data[name][i];
    rows[i] = row;
  }
  return rows;
}
