/**
 * The registry's tables in D1, its source of truth. Reads a project's whole
 * registry, and writes the difference to a new one in one D1 batch (one
 * transaction) guarded by the project's version, so a concurrent change makes
 * the write fail whole (409) instead of interleaving.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { internal, LarderError } from "../domain/errors";
import { canonicalJson } from "../domain/apply-plan";
import { OBJECT_KINDS, type ObjectKind, type RegistryContents } from "../domain/registry-model";
import type { Database } from "./database";
import * as schema from "./registry-tables";
import {
  dataSourceColumns,
  dataSourceFromRow,
  entityFromRow,
  featureServiceFromRow,
  featureViewFromRow,
} from "./registry-rows";

export interface StoredRegistry {
  /** 0 when the project has never been applied. */
  version: number;
  contents: RegistryContents;
}

const TABLES = {
  entities: schema.entities,
  data_sources: schema.dataSources,
  feature_views: schema.featureViews,
  feature_services: schema.featureServices,
} as const;

export async function loadRegistry(db: Database, project: string): Promise<StoredRegistry> {
  const [projectRows, entityRows, sourceRows, viewRows, serviceRows] = await db.batch([
    db.select().from(schema.projects).where(eq(schema.projects.name, project)),
    db.select().from(schema.entities).where(eq(schema.entities.project, project)).orderBy(schema.entities.name),
    db
      .select()
      .from(schema.dataSources)
      .where(eq(schema.dataSources.project, project))
      .orderBy(schema.dataSources.name),
    db
      .select()
      .from(schema.featureViews)
      .where(eq(schema.featureViews.project, project))
      .orderBy(schema.featureViews.name),
    db
      .select()
      .from(schema.featureServices)
      .where(eq(schema.featureServices.project, project))
      .orderBy(schema.featureServices.name),
  ]);
  return {
    version: projectRows[0]?.version ?? 0,
    contents: {
      entities: entityRows.map(entityFromRow),
      data_sources: sourceRows.map(dataSourceFromRow),
      feature_views: viewRows.map(featureViewFromRow),
      feature_services: serviceRows.map(featureServiceFromRow),
    },
  };
}

function columnsFor(kind: ObjectKind, obj: RegistryContents[ObjectKind][number]): Record<string, unknown> {
  if (kind === "data_sources") return dataSourceColumns(obj as RegistryContents["data_sources"][number]);
  const { name: _name, ...rest } = obj as unknown as Record<string, unknown>;
  return rest;
}

/** The statement that bumps the version, failing (and so rolling back the batch) if it moved. */
function versionGuard(db: Database, project: string, expectedVersion: number, now: string): BatchItem<"sqlite"> {
  if (expectedVersion === 0) return db.insert(schema.projects).values({ name: project, version: 1, updated_at: now });
  const bumped: SQL = sql`CASE WHEN ${schema.projects.version} = ${expectedVersion} THEN ${schema.projects.version} + 1 ELSE NULL END`;
  return db
    .update(schema.projects)
    .set({ version: bumped as unknown as number, updated_at: now })
    .where(eq(schema.projects.name, project));
}

/**
 * Writes `next` in place of `current` (which must be what was read at
 * `expectedVersion`). Returns the new version. Rows a kind keeps unchanged
 * are not touched, and columns apply does not own (materialized interval)
 * survive updates.
 */
export async function saveRegistry(
  db: Database,
  project: string,
  expectedVersion: number,
  current: RegistryContents,
  next: RegistryContents,
  now: string,
): Promise<number> {
  const statements: BatchItem<"sqlite">[] = [versionGuard(db, project, expectedVersion, now)];
  for (const kind of OBJECT_KINDS) {
    const table = TABLES[kind];
    const before = new Map<string, string>(current[kind].map((o) => [o.name, canonicalJson(o)]));
    const kept = new Set<string>();
    for (const obj of next[kind]) {
      kept.add(obj.name);
      if (before.get(obj.name) === canonicalJson(obj)) continue;
      const columns = columnsFor(kind, obj);
      statements.push(
        db
          .insert(table)
          .values({ project, name: obj.name, ...columns, created_at: now, updated_at: now } as never)
          .onConflictDoUpdate({ target: [table.project, table.name], set: { ...columns, updated_at: now } as never }),
      );
    }
    for (const name of before.keys()) {
      if (!kept.has(name))
        statements.push(db.delete(table).where(and(eq(table.project, project), eq(table.name, name))));
    }
  }
  try {
    await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    const cause = String((err as { cause?: unknown }).cause ?? err);
    if (/NOT NULL constraint failed: projects\.version|UNIQUE constraint failed: projects\.name/.test(cause)) {
      throw new LarderError(
        "CONFLICT",
        "The registry changed while this request was being applied; send it again",
        { project },
        { cause: err },
      );
    }
    throw internal("Writing the registry to D1 failed", err, { project });
  }
  return expectedVersion + 1;
}

/** When each view was last materialized up to (null: never). */
export async function materializedEnds(db: Database, project: string): Promise<Map<string, string | null>> {
  const rows = await db
    .select({ name: schema.featureViews.name, end: schema.featureViews.materialized_end })
    .from(schema.featureViews)
    .where(eq(schema.featureViews.project, project));
  return new Map(rows.map((r) => [r.name, r.end]));
}

/** Widens a view's materialized interval to include [start, end] (ISO timestamps). */
export async function recordMaterializedInterval(
  db: Database,
  project: string,
  view: string,
  start: string,
  end: string,
): Promise<void> {
  const where = and(eq(schema.featureViews.project, project), eq(schema.featureViews.name, view));
  const [row] = await db
    .select({ start: schema.featureViews.materialized_start, end: schema.featureViews.materialized_end })
    .from(schema.featureViews)
    .where(where);
  await db
    .update(schema.featureViews)
    .set({
      materialized_start: row?.start && row.start < start ? row.start : start,
      materialized_end: row?.end && row.end > end ? row.end : end,
    })
    .where(where);
}

/** Every project that has a registry. */
export async function listProjects(db: Database): Promise<string[]> {
  return (await db.select({ name: schema.projects.name }).from(schema.projects)).map((p) => p.name);
}
