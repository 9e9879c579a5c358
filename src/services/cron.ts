/**
 * The cron trigger's work, for every project: start incremental
 * materialization for online views whose schedule is due, discover files
 * users dropped under batch sources, compact small files Larder wrote, and
 * delete expired exports and old job files; and the jobs watchdog (re-sends
 * lost tasks, fails jobs whose tasks never finish). Each part is
 * isolated: one failing does not stop the others, and each logs what it did.
 */
import { dueViews } from "../domain/materialize-plan";
import { sourceSchema } from "../domain/source-schema";
import { listProjects } from "../db/registry-store";
import { incrementalWindows, startMaterialization } from "./materialize";
import type { Services } from "./services";
import { healJobs } from "./watchdog";

/** Intermediate job files older than this are deleted. */
export const JOB_FILES_RETENTION_MS = 7 * 86_400_000;

export interface CronReport {
  jobs: { project: string; id: string; views: string[] }[];
  discovered: number;
  compacted: { source: string; files: number; into: number }[];
  exportsDeleted: number;
  jobFilesDeleted: number;
  /** What the jobs watchdog did: tasks sent again, jobs failed, jobs finished. */
  watchdog: { resent: number; failed: number; finished: number };
  errors: string[];
}

async function projectWork(services: Services, project: string, now: number, report: CronReport, attempt: Attempt) {
  const registry = await services.registry.fresh(project);
  for (const source of registry.contents.data_sources) {
    if (source.type !== "batch") continue;
    const schema = sourceSchema(registry, source.name);
    await attempt(`discover ${project}/${source.name}`, async () => {
      report.discovered += (await services.offline.discoverFiles(project, schema)).found.length;
    });
    await attempt(`compact ${project}/${source.name}`, async () => {
      const done = await services.offline.compact(project, schema);
      if (done) report.compacted.push({ source: `${project}/${source.name}`, ...done });
    });
  }
  await attempt(`materialize ${project}`, async () => {
    const due = dueViews(registry, await services.registry.materializedEnds(project), now);
    if (due.length === 0) return;
    const windows = await incrementalWindows(services, registry, due, now);
    const job = await startMaterialization(services, registry, windows, "cron");
    report.jobs.push({ project, id: job.id, views: job.views });
  });
}

type Attempt = (what: string, work: () => Promise<void>) => Promise<void>;

export async function runCron(services: Services, now = Date.now()): Promise<CronReport> {
  const report: CronReport = {
    jobs: [],
    discovered: 0,
    compacted: [],
    exportsDeleted: 0,
    jobFilesDeleted: 0,
    watchdog: { resent: 0, failed: 0, finished: 0 },
    errors: [],
  };
  const attempt: Attempt = async (what, work) => {
    try {
      await work();
    } catch (err) {
      report.errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  for (const project of await listProjects(services.db)) await projectWork(services, project, now, report, attempt);
  await attempt("expire exports", async () => {
    report.exportsDeleted = await services.exports.deleteExpired(now);
  });
  await attempt("heal jobs", async () => {
    report.watchdog = await healJobs(services, now);
  });
  await attempt("clean job files", async () => {
    // Parked entity_dfs, shard parts and write chunks are only needed while their job runs.
    report.jobFilesDeleted = await services.scratch.deleteJobFilesBefore(now - JOB_FILES_RETENTION_MS);
  });
  console.log(`cron: ${JSON.stringify(report)}`);
  return report;
}
