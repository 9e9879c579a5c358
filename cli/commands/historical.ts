/**
 * `larder historical --entity-df FILE --features ... -o train.parquet`:
 * point-in-time-correct training rows for an entity dataframe (CSV, JSON
 * Lines or Parquet: join keys, event_timestamp, any label columns). Large
 * requests (or `--async`) become a job, followed with a progress bar; the
 * signed Parquet export is downloaded to `-o`. Without `-o` the rows are
 * printed (at most the first 1,000, which the server returns inline).
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { HistoricalRequest } from "../../src/client";
import { context } from "../context";
import { CliError } from "../errors";
import { list, printJson, say, table } from "../output";
import { progressBar } from "../progress";
import { formatOf, inferColumns, readRows } from "../tabular";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The entity dataframe of `file`, columnar; join keys and timestamps stay as written. */
async function entityDf(file: string, keep: Set<string>): Promise<Record<string, unknown[]>> {
  const format = formatOf(file);
  const read = await readRows(file, format);
  if (read.unreadable.length > 0) {
    throw new CliError(
      `${file}: ${read.unreadable.length} line(s) are not rows`,
      read.unreadable.slice(0, 5).map((u) => `${u.source}: ${u.reason}`),
    );
  }
  if (read.rows.length === 0) throw new CliError(`${file} has no rows`);
  const rows = read.rows.map((r) => r.row);
  if (format === "csv") return inferColumns(rows, keep);
  const names = Object.keys(rows[0]);
  return Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n] ?? null)]));
}

export function registerHistorical(program: Command): void {
  program
    .command("historical")
    .description("Point-in-time-correct training rows for an entity dataframe, downloaded as Parquet")
    .requiredOption(
      "--entity-df <file>",
      "entity dataframe: .csv, .jsonl or .parquet with join keys and event_timestamp",
    )
    .option("-f, --features <refs>", "view:feature references, comma-separated (repeatable)", collect)
    .option("-s, --service <name>", "a feature service")
    .option("-o, --output <file>", "write the joined rows to this Parquet file")
    .option("--full-names", "name feature columns view__feature")
    .option("--async", "run as a job even when small")
    .option("--interval <seconds>", "seconds between job status polls", "1")
    .addHelpText(
      "after",
      "\nExample:\n  larder historical --entity-df data/entity_df.csv --service churn_model_v1 -o train.parquet",
    )
    .action(async (opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const features = list(opts.features);
      if (features.length === 0 && !opts.service)
        throw new CliError("Name what to join: --features view:feature,... or --service NAME");
      const { entities } = await ctx.client.listEntities();
      const keep = new Set(["event_timestamp", ...entities.flatMap((e) => e.join_keys)]);
      const df = await entityDf(opts.entityDf, keep);
      const request: HistoricalRequest = {
        entity_df: df,
        ...(features.length > 0 ? { features } : {}),
        ...(opts.service ? { feature_service: opts.service } : {}),
        full_feature_names: Boolean(opts.fullNames),
        async: Boolean(opts.async),
      };
      const interval = Number(opts.interval) * 1000;
      if (!Number.isFinite(interval) || interval <= 0) throw new CliError(`--interval ${opts.interval}: give seconds`);
      let bar: ReturnType<typeof progressBar> | undefined;
      const outcome = await ctx.client
        .retrieveHistorical(request, {
          intervalMs: interval,
          onProgress: (s) => {
            bar ??= progressBar(
              "historical {bar} {percentage}% | tasks {value}/{total} | {status} | elapsed {duration_formatted} | ETA {eta_formatted}",
              s.progress.tasks_total,
              { status: s.status },
              !ctx.json,
            );
            bar.setTotal(s.progress.tasks_total);
            bar.update(s.progress.tasks_done, { status: s.status });
          },
        })
        .finally(() => bar?.stop());
      let bytes = 0;
      if (opts.output) {
        const file = await ctx.client.downloadExport(outcome.download_url);
        writeFileSync(opts.output, file);
        bytes = file.byteLength;
      }
      if (ctx.json) return printJson({ ...outcome, ...(opts.output ? { output: opts.output, bytes } : {}) });
      const how = outcome.job ? `job ${outcome.job.job_id}` : `${outcome.response?.metadata.processing_time_ms} ms`;
      if (opts.output) {
        say(`Wrote ${opts.output}: ${outcome.rows_count} row(s), ${bytes} bytes (${how}).`);
        return;
      }
      const rows = outcome.response?.data;
      if (!rows) {
        say(
          `${outcome.rows_count} row(s) joined by ${how}; download them with -o FILE, or from:\n${outcome.download_url}`,
        );
        return;
      }
      const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
      say(
        table(
          columns,
          rows.map((r) => columns.map((c) => r[c])),
        ),
      );
      if (outcome.response?.truncated)
        say(`(first ${rows.length} of ${outcome.rows_count} rows; -o FILE writes them all)`);
    });
}
