/**
 * Entity input as people paste it. Pure.
 *
 * An entity table (training-set try-out) is CSV with a header row, or
 * tab-separated text copied from a spreadsheet, read with csv-parse (the
 * CLI's parser). Its columns become the columnar `entity_df` of
 * POST /historical-features the way `larder historical --entity-df x.csv`
 * types them: join keys and `event_timestamp` stay text, as written; any
 * other column (a label) of numbers becomes numbers, of true/false
 * booleans, and an empty cell is null.
 */
import { parse } from "csv-parse/browser/esm/sync";

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export class EntityTableError extends Error {
  override name = "EntityTableError";
}

/** The columnar entity_df of `text`; EntityTableError with a reason a person can act on. */
export function parseEntityTable(text: string, keepAsText: readonly string[]): Record<string, unknown[]> {
  const trimmed = text.trim();
  if (!trimmed) throw new EntityTableError("The entity table is empty: give a header row and at least one row");
  const header = trimmed.split(/\r?\n/, 1)[0];
  const delimiter = header.includes("\t") ? "\t" : ",";
  let records: string[][];
  try {
    records = parse(trimmed, { delimiter, skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (err) {
    throw new EntityTableError(`The entity table is not valid CSV: ${(err as Error).message}`);
  }
  const [names, ...rows] = records;
  if (rows.length === 0) throw new EntityTableError("The entity table has a header but no rows");
  const seen = new Set<string>();
  for (const name of names) {
    if (!name) throw new EntityTableError("A column of the header row has no name");
    if (seen.has(name)) throw new EntityTableError(`The header names '${name}' twice`);
    seen.add(name);
  }
  if (!seen.has("event_timestamp")) {
    throw new EntityTableError(
      "The entity table needs an event_timestamp column (RFC 3339, e.g. 2024-01-15T10:00:00Z)",
    );
  }
  const keep = new Set([...keepAsText, "event_timestamp"]);
  const columns: Record<string, unknown[]> = {};
  names.forEach((name, i) => {
    const texts = rows.map((r) => r[i]);
    columns[name] = keep.has(name) ? texts : inferColumn(texts);
  });
  return columns;
}

/** A label column: numbers or booleans when every non-empty cell is one, else text; empty cells null. */
function inferColumn(texts: string[]): unknown[] {
  const filled = texts.filter((t) => t !== "");
  if (filled.length === 0) return texts.map(() => null);
  if (filled.every((t) => NUMBER.test(t))) return texts.map((t) => (t === "" ? null : Number(t)));
  if (filled.every((t) => /^(true|false)$/i.test(t))) return texts.map((t) => (t === "" ? null : /^true$/i.test(t)));
  return texts.map((t) => (t === "" ? null : t));
}
