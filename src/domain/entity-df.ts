/**
 * The entity dataframe of a historical request (columnar JSON): checked and
 * its timestamps parsed. Every column is kept and carried into the output in
 * its order. Pure.
 */
import { invalid } from "./errors";
import { EVENT_TIMESTAMP } from "./names";
import { parseTimestamp } from "./timestamps";

export interface EntityDf {
  numRows: number;
  /** Column names in request order. */
  columnNames: string[];
  columns: Record<string, unknown[]>;
  /** Parsed `event_timestamp`, epoch ms. */
  ts: Float64Array;
  minTs: number;
  maxTs: number;
}

export function parseEntityDf(
  entityDf: Record<string, unknown[]>,
  joinKeys: readonly string[],
  maxRows: number,
): EntityDf {
  const columnNames = Object.keys(entityDf);
  if (!columnNames.includes(EVENT_TIMESTAMP))
    throw invalid("entity_df needs an event_timestamp column", { required: [EVENT_TIMESTAMP, ...joinKeys] });
  const missing = joinKeys.filter((k) => !columnNames.includes(k));
  if (missing.length > 0)
    throw invalid(`entity_df lacks join key column(s) ${missing.join(", ")}`, { missing, join_keys: joinKeys });
  const numRows = entityDf[EVENT_TIMESTAMP].length;
  for (const name of columnNames) {
    if (entityDf[name].length !== numRows)
      throw invalid(
        `entity_df columns differ in length (${EVENT_TIMESTAMP}: ${numRows}, ${name}: ${entityDf[name].length})`,
        { column: name },
      );
  }
  if (numRows === 0) throw invalid("entity_df has no rows", {});
  if (numRows > maxRows) throw invalid(`entity_df has ${numRows} rows; at most ${maxRows}`, { max_rows: maxRows });
  const ts = new Float64Array(numRows);
  let minTs = Infinity;
  let maxTs = -Infinity;
  const bad: number[] = [];
  for (let i = 0; i < numRows; i++) {
    const parsed = parseTimestamp(entityDf[EVENT_TIMESTAMP][i]);
    if (parsed === undefined) {
      if (bad.length < 10) bad.push(i);
      continue;
    }
    ts[i] = parsed;
    if (parsed < minTs) minTs = parsed;
    if (parsed > maxTs) maxTs = parsed;
  }
  if (bad.length > 0)
    throw invalid(`entity_df.event_timestamp is not a timestamp at row(s) ${bad.join(", ")}`, { rows: bad });
  return { numRows, columnNames, columns: entityDf, ts, minTs, maxTs };
}
