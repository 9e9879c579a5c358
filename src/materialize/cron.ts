/**
 * The cron trigger's work, for every project: start incremental
 * materialization for online views whose schedule is due, discover files
 * users dropped under batch sources, compact small files Larder wrote, and
 * delete expired exports. Each part is isolated: one failing does not stop
 * the others, and each logs what it did.
 */
import { and, inArray, lt } from "drizzle-orm";
import type { Bindings } from "../env";
import { scheduleSeconds } from "../domain/registry-model";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { materializedEnds, registryDb, type RegistryDb } from "../registry/d1-registry";
import { projects } from "../registry/schema";
import { exportsTable } from "../registry/jobs-schema";
import { currentRegistry } from "../registry/snapshot";
import { discoverFiles, appendRows, readRows } from "../offline/offline-store";
import { filesOverlapping, removeFiles } from "../offline/manifest";
import { sourceSchema } from "../offline/source-schema";
import { keyPartitionDate } from "../offline/layout";
import { incrementalWindows, startMaterialization } from "./service";

/** Files under this size are compacted once a date has at least COMPACT_MIN_FILES of them. */
export const COMPACT_MAX_FILE_BYTES = 1024 * 1024;
export const COMPACT_MIN_FILES = 4;
const COMPACT_MAX_ROWS = 200_000;
/** Intermediate job files older than this are deleted. */
export const JOB_FILES_RETENTION_MS = 7 * 86_400_000;

export interface CronReport {
  jobs: { project: string; id: string; views: string[] }[];
  discovered: number;
  compacted: { source: string; files: number; into: number }[];
  exportsDeleted: number;
  jobFilesDeleted: number;
  jobsStalled: number;
  errors: string[];
}

/** A running job none of whose tasks moved for this long is failed (its messages were lost). */
export const STALLED_JOB_MS = 60 * 60_000;

/** Fails queued or running jobs with no task progress for STALLED_JOB_MS; returns how many. */
export async function failStalledJobs(d1: D1Database, now: number): Promise<number> {
  const cutoff = new Date(now - STALLED_JOB_MS).toISOString();
  const stalled = await d1
    .prepare(
      "SELECT j.id FROM jobs j WHERE j.status IN ('queued', 'in_progress') AND j.created_at < ?1 AND NOT EXISTS (SELECT 1 FROM job_tasks t WHERE t.job_id = j.id AND t.updated_at >= ?1)",
    )
    .bind(cutoff)
    .all<{ id: string }>();
  const reason = JSON.stringify({
    task: "job",
    reason: `no task progressed for ${STALLED_JOB_MS / 60_000} minutes; the job's queue messages were lost`,
  });
  for (const { id } of stalled.results) {
    await d1
      .prepare(
        "UPDATE jobs SET status = 'failed', completed_at = ?, errors = json_insert(errors, '$[#]', json(?)) WHERE id = ? AND status IN ('queued', 'in_progress')",
      )
      .bind(new Date(now).toISOString(), reason, id)
      .run();
  }
  return stalled.results.length;
}

/** Online views whose schedule says a run is due at `now`. Pure. */
export function dueViews(
  registry: CompiledRegistry,
  materializedEnds: ReadonlyMap<string, string | null>,
  now: number,
): string[] {
  const due: string[] = [];
  for (const { def } of registry.views.values()) {
    if (!def.online || !def.schedule) continue;
    const every = scheduleSeconds(def.schedule);
    if (!every) continue;
    const end = materializedEnds.get(def.name);
    if (!end || now - Date.parse(end) >= every * 1000) due.push(def.name);
  }
  return due;
}

async function compactSource(
  db: RegistryDb,
  bucket: R2Bucket,
  registry: CompiledRegistry,
  source: string,
): Promise<{ files: number; into: number } | null> {
  const schema = sourceSchema(registry, source);
  if (schema.views.length === 0) return null;
  const files = (await filesOverlapping(db, registry.project, source)).filter(
    (f) => f.origin !== "discovered" && f.bytes < COMPACT_MAX_FILE_BYTES,
  );
  const byDate = new Map<string, typeof files>();
  for (const f of files) {
    const date = keyPartitionDate(f.path);
    if (date) (byDate.get(date) ?? byDate.set(date, []).get(date)!).push(f);
  }
  let merged = 0;
  let into = 0;
  for (const group of byDate.values()) {
    const rows = group.reduce((s, f) => s + f.rows, 0);
    if (group.length < COMPACT_MIN_FILES || rows > COMPACT_MAX_ROWS) continue;
    const read = await readRows({ bucket, db }, registry.project, schema, {
      features: schema.features.map((f) => f.name),
      files: group.map((f) => f.path),
    });
    const out = Array.from({ length: read.numRows }, (_, i) =>
      Object.fromEntries(Object.keys(read.columns).map((c) => [c, read.columns[c][i]])),
    );
    // The new file first, then the old ones go: a crash in between leaves duplicates (harmless to reads), never a gap.
    const written = await appendRows({ bucket, db }, registry.project, schema, out, "compaction");
    await removeFiles(
      db,
      registry.project,
      group.map((f) => f.path),
    );
    await Promise.all(group.map((f) => bucket.delete(f.path)));
    merged += group.length;
    into += written.length;
  }
  return merged > 0 ? { files: merged, into } : null;
}

export async function runCron(env: Bindings, now = Date.now()): Promise<CronReport> {
  const db = registryDb(env.DB);
  const report: CronReport = {
    jobs: [],
    discovered: 0,
    compacted: [],
    exportsDeleted: 0,
    jobFilesDeleted: 0,
    jobsStalled: 0,
    errors: [],
  };
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      report.errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  for (const { name: project } of await db.select({ name: projects.name }).from(projects)) {
    const registry = await currentRegistry(env.REGISTRY_CACHE, project, 0);
    for (const source of registry.contents.data_sources) {
      if (source.type !== "batch") continue;
      await attempt(`discover ${project}/${source.name}`, async () => {
        report.discovered += (
          await discoverFiles({ bucket: env.OFFLINE_STORE, db }, project, sourceSchema(registry, source.name))
        ).length;
      });
      await attempt(`compact ${project}/${source.name}`, async () => {
        const done = await compactSource(db, env.OFFLINE_STORE, registry, source.name);
        if (done) report.compacted.push({ source: `${project}/${source.name}`, ...done });
      });
    }
    await attempt(`materialize ${project}`, async () => {
      const ends = await materializedEnds(db, project);
      const due = dueViews(registry, ends, now);
      if (due.length === 0) return;
      const job = await startMaterialization(
        { db, queue: env.MATERIALIZE },
        registry,
        await incrementalWindows(db, registry, due, now),
        "cron",
      );
      report.jobs.push({ project, id: job.id, views: job.views });
    });
  }
  await attempt("expire exports", async () => {
    const expired = await db
      .select()
      .from(exportsTable)
      .where(lt(exportsTable.expires_at, new Date(now).toISOString()))
      .limit(500);
    await Promise.all(expired.map((e) => env.OFFLINE_STORE.delete(e.path)));
    if (expired.length > 0)
      await db.delete(exportsTable).where(
        and(
          inArray(
            exportsTable.id,
            expired.map((e) => e.id),
          ),
        ),
      );
    report.exportsDeleted = expired.length;
  });
  await attempt("fail stalled jobs", async () => {
    report.jobsStalled = await failStalledJobs(env.DB, now);
  });
  await attempt("clean job files", async () => {
    // Parked entity_dfs, shard parts and write chunks are only needed while their job runs.
    const old = (await env.OFFLINE_STORE.list({ prefix: "jobs/", limit: 1000 })).objects.filter(
      (o) => o.uploaded.getTime() < now - JOB_FILES_RETENTION_MS,
    );
    if (old.length > 0) await env.OFFLINE_STORE.delete(old.map((o) => o.key));
    report.jobFilesDeleted = old.length;
  });
  console.log(`cron: ${JSON.stringify(report)}`);
  return report;
}
