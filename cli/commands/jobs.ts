/**
 * `larder materialize`, `larder materialize-incremental` and
 * `larder status JOB`: start a job and follow it with a live progress bar
 * (tasks, rows, elapsed, ETA) from the status route. Exit code 0 only when
 * the job completed; a failed job prints its errors and exits 1.
 */
import type { Command } from "commander";
import type { LarderClient, MaterializationStatus, MaterializeResponse } from "../../src/client";
import { context, type Context } from "../context";
import { CliError } from "../errors";
import { duration, list, printJson, say } from "../output";
import { progressBar } from "../progress";

const FORMAT =
  "{label} {bar} {percentage}% | tasks {value}/{total} | rows {rows} | {status} | elapsed {duration_formatted} | ETA {eta_formatted}";

function intervalMs(value: string | undefined): number {
  const s = Number(value ?? "1");
  if (!Number.isFinite(s) || s <= 0) throw new CliError(`--interval ${value}: give seconds, e.g. 1`);
  return s * 1000;
}

/** Follows a materialization to its end with a progress bar; throws CliError unless it completed. */
export async function followMaterialization(
  ctx: Context,
  id: string,
  interval: number,
): Promise<MaterializationStatus> {
  const bar = progressBar(FORMAT, 1, { label: id, rows: 0, status: "queued" }, !ctx.json);
  let final: MaterializationStatus;
  try {
    final = await ctx.client.followMaterialization(id, {
      intervalMs: interval,
      onProgress: (s) => {
        bar.setTotal(s.progress.tasks_total);
        bar.update(s.progress.tasks_done, { rows: s.rows_materialized, status: s.status });
      },
    });
  } finally {
    bar.stop();
  }
  if (ctx.json) printJson(final);
  else {
    const took = final.duration_seconds === null ? "" : ` in ${duration(final.duration_seconds)}`;
    say(
      `Materialization ${id} ${final.status}${took}: ${final.rows_materialized} entity record(s) written online from ${final.rows_read} offline row(s).`,
    );
  }
  if (final.status !== "completed") {
    throw new CliError(
      `Materialization ${id} ${final.status}`,
      final.errors.map((e) => `${e.task}: ${e.reason}`),
    );
  }
  return final;
}

function started(ctx: Context, job: MaterializeResponse): void {
  if (ctx.json) return;
  const ranges = Object.entries(job.time_ranges).map(([v, r]) => `${v} ${r.start} .. ${r.end}`);
  say(`Started materialization ${job.materialization_id} (${job.estimated_rows} offline row(s) in the window):`);
  for (const r of ranges) say(`  ${r}`);
}

async function startAndFollow(
  ctx: Context,
  job: Promise<MaterializeResponse>,
  opts: { wait: boolean; interval?: string },
) {
  const answer = await job;
  started(ctx, answer);
  if (!opts.wait) {
    if (ctx.json) printJson(answer);
    else say(`Follow it with: larder status ${answer.materialization_id}`);
    return;
  }
  await followMaterialization(ctx, answer.materialization_id, intervalMs(opts.interval));
}

async function printStatus(client: LarderClient, ctx: Context, id: string) {
  if (id.startsWith("hist_")) {
    const job = await client.getHistoricalJob(id);
    if (ctx.json) return printJson(job);
    say(
      `Historical job ${job.job_id}: ${job.status}, tasks ${job.progress.tasks_done}/${job.progress.tasks_total}, ${job.rows_count} entity row(s)`,
    );
    if (job.download_url) say(`  download: ${job.download_url}`);
    for (const e of job.errors) say(`  error: ${e.task}: ${e.reason}`);
    if (job.status === "failed") throw new CliError(`Historical job ${id} failed`);
    return;
  }
  const s = await client.getMaterializationStatus(id);
  if (ctx.json) return printJson(s);
  say(
    `Materialization ${s.materialization_id}: ${s.status}, tasks ${s.progress.tasks_done}/${s.progress.tasks_total} (${s.progress.tasks_failed} failed)`,
  );
  say(`  views ${s.feature_views.join(", ")}; ${s.rows_materialized} record(s) written, ${s.rows_read} row(s) read`);
  if (s.duration_seconds !== null) say(`  ${s.completed_at ? "took" : "running for"} ${duration(s.duration_seconds)}`);
  for (const e of s.errors) say(`  error: ${e.task}: ${e.reason}`);
  if (s.status === "failed") throw new CliError(`Materialization ${id} failed`);
}

export function registerJobs(program: Command): void {
  program
    .command("materialize")
    .description("Materialize [--start, --end] of feature views into the online store, following the job")
    .requiredOption("--views <names>", "feature views, comma-separated (repeatable)", (v: string, p: string[] = []) => [
      ...p,
      v,
    ])
    .requiredOption("--start <time>", "window start, RFC 3339 (e.g. 2024-06-01T00:00:00Z)")
    .requiredOption("--end <time>", "window end, RFC 3339")
    .option("--no-wait", "start the job and exit (follow it with `larder status`)")
    .option("--interval <seconds>", "seconds between status polls", "1")
    .action(async (opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const body = { feature_views: list(opts.views), start_date: opts.start, end_date: opts.end };
      await startAndFollow(ctx, ctx.client.materialize(body), opts);
    });

  program
    .command("materialize-incremental")
    .description("Materialize from each view's last materialized end up to --end (default now), following the job")
    .option(
      "--views <names>",
      "feature views, comma-separated (default: every online view)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .option("--end <time>", "window end, RFC 3339 (default: now)")
    .option("--no-wait", "start the job and exit (follow it with `larder status`)")
    .option("--interval <seconds>", "seconds between status polls", "1")
    .action(async (opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const views = list(opts.views);
      const body = {
        ...(views.length > 0 ? { feature_views: views } : {}),
        ...(opts.end ? { end_date: opts.end } : {}),
      };
      await startAndFollow(ctx, ctx.client.materializeIncremental(body), opts);
    });

  program
    .command("status")
    .description("Status of a job: a materialization (mat_...) or a historical retrieval (hist_...)")
    .argument("<job>", "job id")
    .option("--follow", "follow a materialization until it ends, with a progress bar")
    .option("--interval <seconds>", "seconds between status polls", "1")
    .action(async (job: string, opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      if (opts.follow && !job.startsWith("hist_")) await followMaterialization(ctx, job, intervalMs(opts.interval));
      else await printStatus(ctx.client, ctx, job);
    });
}
