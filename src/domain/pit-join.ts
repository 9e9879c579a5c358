/**
 * The point-in-time join behind historical features. Pure: no I/O, no HTTP.
 *
 * Contract. For every entity row (in input order) and every feature table:
 * - candidates are the table's rows whose join keys ALL equal the entity
 *   row's, with `event_timestamp <= entity ts` and, when `ttlSeconds > 0`,
 *   `event_timestamp >= entity ts - ttlSeconds * 1000` (both inclusive);
 * - per feature, the winner is the newest candidate that carried the
 *   feature (`carries`, see `carried.ts`: a row that did not carry it is no
 *   candidate for it), by the one ordering rule (`write-version.ts`): the
 *   greatest `event_timestamp`, then `created_timestamp` (null/absent is
 *   lowest), then `_larder_seq`, then `_larder_wid`; a tie of all four goes
 *   to the row that comes last in the table's row order;
 * - the ttl applies to each feature's winner (if the newest row that
 *   carried it is too old, so is every other);
 * - no candidate gives null.
 * The output has one row per entity row, in input order: every entity column
 * (join keys, `event_timestamp`, labels...) in its input order, then each
 * table's features in table order, named `feature` or, with
 * `fullFeatureNames`, `view__feature`. Output names must be unique; callers
 * check with `outputNameCollisions` to give a precise 400 first, and the join
 * throws VALIDATION_ERROR on a collision anyway.
 *
 * Timestamps are epoch milliseconds (numbers). Entity rows need a finite
 * `event_timestamp` and non-null, well-typed join keys (else VALIDATION_ERROR
 * naming the row). Feature rows with a null key or a non-finite event
 * timestamp can match nothing and are skipped; a non-null key of the wrong
 * type is an error naming the view and row. A feature with no column in the
 * table's rows (added to the view after the data was written) is null.
 *
 * Key equality is by canonical form per value type: INT32/INT64 compare as
 * integers (7, 7n, "7" and "007" are equal); STRING and BYTES (base64 text,
 * as the API and readParquet give bytes) compare exactly.
 *
 * Speed, O(F log E + E log E) for F feature and E entity rows: entity keys
 * are indexed first, so a feature row no entity row asks for costs one key
 * build and one Map lookup (rows outside the entities' overall time window
 * not even that); a wanted row is binary-searched into the slot of its key's
 * entity rows (sorted by ts) it precedes, keeping only the best per slot; a
 * prefix pass over the slots then gives each entity row its winner. Feature
 * rows are never sorted. Candidates are found once per table; features every
 * row carried share one winner pass, each partly carried feature has its own.
 */
import { invalid } from "./errors";
import { EVENT_TIMESTAMP } from "./names";
import { type FeatureTable, findCandidates, pickWinners } from "./pit-match";

export type { FeatureTable } from "./pit-match";
import { asColumns, type TableInput } from "./table-input";

import { outputNameCollisions, type PitJoinResult } from "./join-output";

export type { PitJoinResult } from "./join-output";

export type { TableInput } from "./table-input";

export interface PitJoinOptions {
  fullFeatureNames: boolean;
}

/** Runs the join; see the module comment for the exact semantics. */
export function pointInTimeJoin(
  entityRows: TableInput,
  tables: readonly FeatureTable[],
  options: PitJoinOptions,
): PitJoinResult {
  const entities = asColumns(entityRows, "entity_df");
  const collisions = outputNameCollisions(tables, options.fullFeatureNames, entities.names);
  if (collisions.length) {
    const { name, sources } = collisions[0];
    throw invalid(
      `Output column '${name}' would come from ${sources.join(" and ")}; use full_feature_names or rename the column`,
      { collisions },
    );
  }
  const tsCol = entities.get(EVENT_TIMESTAMP);
  // Zero row objects name no columns at all, so only columns can be checked for it.
  if (!tsCol && (entities.length > 0 || !Array.isArray(entityRows)))
    throw invalid(`entity_df needs an '${EVENT_TIMESTAMP}' column`, { column: EVENT_TIMESTAMP });
  const n = entities.length;
  const entityTs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = tsCol![i];
    if (typeof t !== "number" || !Number.isFinite(t))
      throw invalid(`entity_df row ${i}: '${EVENT_TIMESTAMP}' must be a timestamp`, { row: i, value: t ?? null });
    entityTs[i] = t;
  }

  const columns: string[] = [];
  const data: Record<string, unknown[]> = {};
  for (const name of entities.names) {
    const col = entities.get(name)!;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = col[i] === undefined ? null : col[i];
    columns.push(name);
    data[name] = out;
  }

  for (const table of tables) {
    const found = n > 0 ? findCandidates(table, entities, entityTs) : null;
    const none = new Int32Array(n).fill(-1);
    let shared: Int32Array | undefined;
    const rows = asColumns(table.rows, `feature view '${table.view}'`, table.features);
    for (const feature of table.features) {
      const carried = table.carries?.[feature];
      if (found && !carried && !shared) shared = pickWinners(found, n);
      const match = !found ? none : carried ? pickWinners(found, n, carried) : shared!;
      const col = rows.get(feature);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const j = match[i];
        const v = j >= 0 && col ? col[j] : null;
        out[i] = v === undefined ? null : v;
      }
      const name = options.fullFeatureNames ? `${table.view}__${feature}` : feature;
      columns.push(name);
      data[name] = out;
    }
  }
  return { columns, data, numRows: n };
}
