/**
 * Feast's columnar `df` (pandas `to_dict(orient="list")`) turned into the
 * row objects Larder's push validation takes (`{join keys, event_timestamp,
 * created_timestamp, features}`). Column-level problems (ragged columns,
 * no timestamp column, unknown columns, too many rows) are one 400 naming the
 * columns; row-level problems are left to `validatePushRows`. Pure.
 *
 * Column names, as Feast reads them:
 * - the event timestamp is the source's `timestamp_field` (for a push
 *   source: its batch source's), or `event_timestamp`;
 * - the created timestamp is the source's `created_timestamp_column`, or
 *   `created` (what Feast's remote online store sends), or `created_timestamp`;
 * - every other column must be a join key or a feature. (Feast silently drops
 *   unknown columns; Larder refuses them so a misspelt feature is not lost.)
 */
import { invalid, type LarderError } from "./errors";
import type { CompiledRegistry, CompiledView } from "./compiled-registry";
import { MAX_PUSH_ROWS, type PushRow, type PushTarget } from "./push-rows";
import type { RowRejection } from "./row-rejection";

export type Df = Record<string, readonly unknown[]>;

export interface DfLayout {
  /** What the frame feeds, for messages: `push source 'x'`, `feature view 'y'`. */
  owner: string;
  joinKeys: readonly string[];
  /** Accepted names of the event-timestamp column, in preference order. */
  eventColumns: readonly string[];
  /** Accepted names of the optional created-timestamp column, in preference order. */
  createdColumns: readonly string[];
  features: ReadonlySet<string>;
}

const unique = (names: (string | null | undefined)[]) => [...new Set(names.filter((n): n is string => Boolean(n)))];

/** Timestamp column names of a data source (a push source answers for its batch source). */
function timestampColumns(
  registry: CompiledRegistry,
  sourceName: string,
  features: ReadonlySet<string>,
): Pick<DfLayout, "eventColumns" | "createdColumns"> {
  let source = registry.sources.get(sourceName);
  if (source?.type === "push") source = registry.sources.get(source.batch_source);
  const batch = source?.type === "batch" ? source : undefined;
  return {
    eventColumns: unique([batch?.timestamp_field, "event_timestamp"]),
    createdColumns: unique([batch?.created_timestamp_column, "created", "created_timestamp"]).filter(
      (c) => !features.has(c),
    ),
  };
}

export function pushLayout(registry: CompiledRegistry, target: PushTarget): DfLayout {
  const features = new Set(target.views.flatMap((v) => v.def.features.map((f) => f.name)));
  return {
    owner: `push source '${target.source.name}'`,
    joinKeys: target.joinKeys,
    features,
    ...timestampColumns(registry, target.source.name, features),
  };
}

export function viewLayout(registry: CompiledRegistry, view: CompiledView): DfLayout {
  const features = new Set(view.def.features.map((f) => f.name));
  return {
    owner: `feature view '${view.def.name}'`,
    joinKeys: view.joinKeys,
    features,
    ...timestampColumns(registry, view.def.source, features),
  };
}

/**
 * One push row per df row, in df order. An empty df (no columns or no rows)
 * gives no rows: Feast treats it as nothing to write.
 */
export function dfRows(df: Df, layout: DfLayout): PushRow[] {
  const columns = Object.keys(df);
  if (columns.length === 0) return [];
  const lengths = Object.fromEntries(columns.map((c) => [c, df[c].length]));
  const rowCount = lengths[columns[0]];
  if (columns.some((c) => lengths[c] !== rowCount)) {
    throw invalid(`df columns differ in length (${columns.map((c) => `${c}: ${lengths[c]}`).join(", ")})`, { lengths });
  }
  if (rowCount === 0) return [];
  if (rowCount > MAX_PUSH_ROWS)
    throw invalid(`At most ${MAX_PUSH_ROWS} rows per request; df has ${rowCount}`, { max: MAX_PUSH_ROWS });

  const eventColumn = layout.eventColumns.find((c) => c in df);
  if (!eventColumn)
    throw invalid(`df has no event timestamp column: add ${layout.eventColumns.join(" or ")}`, {
      expected: layout.eventColumns,
    });
  const createdColumn = layout.createdColumns.find((c) => c in df && c !== eventColumn);
  const featureColumns = columns.filter((c) => layout.features.has(c) && !layout.joinKeys.includes(c));
  const known = new Set<string>([
    ...layout.joinKeys,
    eventColumn,
    ...(createdColumn ? [createdColumn] : []),
    ...featureColumns,
  ]);
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length > 0) {
    throw invalid(
      `df column(s) ${unknown.join(", ")} are not join keys (${layout.joinKeys.join(", ")}), timestamps or features of ${layout.owner}`,
      {
        unknown_columns: unknown,
        join_keys: layout.joinKeys,
        features: [...layout.features],
      },
    );
  }
  if (featureColumns.length === 0)
    throw invalid(`df has no feature column of ${layout.owner}`, { features: [...layout.features] });

  const keyColumns = layout.joinKeys.filter((k) => k in df);
  return Array.from({ length: rowCount }, (_, i) => {
    const row: PushRow = { event_timestamp: df[eventColumn][i] };
    for (const k of keyColumns) row[k] = df[k][i];
    if (createdColumn) row.created_timestamp = df[createdColumn][i];
    row.features = Object.fromEntries(featureColumns.map((f) => [f, df[f][i]]));
    return row;
  });
}

/** All-or-nothing: any rejected row rejects the request, naming the first rows and why. */
export function rowsRejected(errors: readonly RowRejection[], rowCount: number): LarderError {
  const shown = errors.slice(0, 3).map((e) => `row ${e.index}: ${e.reason}`);
  if (errors.length > 3) shown.push(`${errors.length - 3} more`);
  return invalid(`${errors.length} of ${rowCount} df row(s) rejected, nothing was written (${shown.join("; ")})`, {
    errors,
    rejected: errors.length,
    rows: rowCount,
  });
}
