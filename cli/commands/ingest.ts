/**
 * `larder ingest SOURCE FILE...`: rows of CSV, JSON Lines or Parquet files
 * appended to a batch source, in requests within the server's limits
 * (`--batch-rows`, default 10,000 rows, and about 8 MB of JSON each), with a
 * progress bar and the rejected rows summarised by reason, each pointing at
 * its file and line. Exit code 1 when any row was rejected.
 */
import type { Command } from "commander";
import type { LarderClient } from "../../src/client";
import type { Dtype } from "../../src/domain/dtypes";
import { context } from "../context";
import { CliError } from "../errors";
import { printJson, say } from "../output";
import { progressBar } from "../progress";
import { castRow, formatOf, readRows, type SourcedRow } from "../tabular";

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const KEY_DTYPES: Record<string, Dtype> = { STRING: "string", INT32: "int32", INT64: "int64", BYTES: "bytes" };

/** Dtypes of the columns of batch source `source`: the join keys and features of every view reading it. */
async function sourceDtypes(client: LarderClient, source: string): Promise<Record<string, Dtype>> {
  const [{ feature_views }, { data_sources }, { entities }] = await Promise.all([
    client.listFeatureViews(),
    client.listDataSources(),
    client.listEntities(),
  ]);
  const feeding = new Set([source, ...data_sources.filter((s) => s.batch_source === source).map((s) => s.name)]);
  const dtypes: Record<string, Dtype> = {};
  for (const view of feature_views.filter((v) => feeding.has(v.source))) {
    for (const f of view.features) dtypes[f.name] = f.dtype as Dtype;
    for (const name of view.entities) {
      const entity = entities.find((e) => e.name === name);
      for (const key of entity?.join_keys ?? []) dtypes[key] = KEY_DTYPES[entity!.value_types[key]] ?? "string";
    }
  }
  return dtypes;
}

/** Rows in requests of at most `maxRows` rows and about MAX_REQUEST_BYTES of JSON. */
export function* chunks(rows: SourcedRow[], maxRows: number): Generator<SourcedRow[]> {
  let chunk: SourcedRow[] = [];
  let bytes = 0;
  for (const r of rows) {
    const size = JSON.stringify(r.row).length + 1;
    if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > MAX_REQUEST_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

interface Rejections {
  count: number;
  byReason: Map<string, string[]>;
  unlisted: number;
}

function reject(into: Rejections, reason: string, source: string): void {
  into.count++;
  const sources = into.byReason.get(reason) ?? [];
  sources.push(source);
  into.byReason.set(reason, sources);
}

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("Append rows from CSV, JSON Lines or Parquet files to a batch source's offline history")
    .argument("<source>", "batch source name")
    .argument("<files...>", "files (.csv with a header, .jsonl, .parquet)")
    .option("--format <format>", "csv, jsonl or parquet (default: from each file's extension)")
    .option("--batch-rows <n>", "rows per request (at most 100000)", "10000")
    .addHelpText("after", "\nExample:\n  larder ingest customer_stats_source data/customer_stats.csv")
    .action(async (source: string, files: string[], opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const batchRows = Number(opts.batchRows);
      if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 100_000) {
        throw new CliError(`--batch-rows ${opts.batchRows}: give an integer from 1 to 100000`);
      }
      const dtypes = await sourceDtypes(ctx.client, source);
      const rejected: Rejections = { count: 0, byReason: new Map(), unlisted: 0 };
      const rows: SourcedRow[] = [];
      for (const file of files) {
        const format = formatOf(file, opts.format);
        const read = await readRows(file, format);
        for (const u of read.unreadable) reject(rejected, u.reason, u.source);
        for (const r of read.rows) rows.push(format === "csv" ? { ...r, row: castRow(r.row, dtypes) } : r);
      }
      const unreadable = rejected.count;
      if (rows.length === 0 && unreadable === 0) throw new CliError(`No rows in ${files.join(", ")}`);
      const bar = progressBar(
        "ingest {bar} {percentage}% | {value}/{total} rows | rejected {rejected} | {duration_formatted}",
        rows.length,
        { rejected: rejected.count },
        !ctx.json,
      );
      let written = 0;
      let sentRows = 0;
      const outputs = [];
      try {
        for (const chunk of chunks(rows, batchRows)) {
          const answer = await ctx.client.ingest(source, { rows: chunk.map((r) => r.row) });
          outputs.push(answer);
          written += answer.rows_written;
          for (const e of answer.errors)
            reject(rejected, e.reason, chunk[e.index]?.source ?? `row ${sentRows + e.index}`);
          rejected.unlisted += answer.rejected - answer.errors.length;
          rejected.count += answer.rejected - answer.errors.length;
          sentRows += chunk.length;
          bar.update(sentRows, { rejected: rejected.count });
        }
      } finally {
        bar.stop();
      }
      if (ctx.json) {
        printJson({ data_source: source, rows_written: written, rejected: rejected.count, requests: outputs });
      } else {
        const files_ = new Set(outputs.flatMap((o) => o.files.map((f) => f.path))).size;
        say(
          `Ingested ${written} of ${rows.length + unreadable} row(s) into ${source} (${outputs.length} request(s), ${files_} Parquet file(s) written).`,
        );
      }
      if (rejected.count > 0) {
        const lines = [...rejected.byReason].map(
          ([reason, at]) => `${at.length} × ${reason} (${at.slice(0, 5).join(", ")}${at.length > 5 ? ", ..." : ""})`,
        );
        if (rejected.unlisted > 0) lines.push(`${rejected.unlisted} more rejected row(s) the server did not list`);
        throw new CliError(`${rejected.count} row(s) rejected`, lines);
      }
    });
}
