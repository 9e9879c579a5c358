/**
 * The combine step of a historical job: the shards' outputs put back in
 * input order and written as ONE Parquet export, one row group per slice,
 * through a multipart upload (offline/export-stream.ts). Memory holds one
 * slice: its entity columns (parked at the start) and, per view group, the
 * outputs of the buckets with rows in it. Each output is sorted by input row
 * and the buckets of a group partition the slice's rows, so merging them is
 * placing each row at its index in the slice; a row no bucket holds (a null
 * key) keeps nulls, as the join gives it. A replayed combine writes the
 * same file again under the same export id.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { EVENT_TIMESTAMP } from "../domain/names";
import { streamExport } from "../offline/export-stream";
import type { ExportColumn } from "../offline/export-writer";
import { exportDtypes } from "./historical";
import { type HistoricalSpec, type JobPlan, jobFiles, selectionOf, sliceBounds } from "./historical-jobs";
import type { ShardOutput, TaskMeasures } from "./historical-shard";
import type { Services } from "./services";

/** Places each output's rows (input indices from `first`) into the slice's columns. */
export function mergeOutputs(data: Record<string, unknown[]>, outputs: readonly ShardOutput[], first: number): void {
  for (const out of outputs) {
    for (const [name, values] of Object.entries(out.data)) {
      const target = data[name];
      if (!target) continue; // a column the registry no longer selects
      for (let k = 0; k < out.rows.length; k++) target[out.rows[k] - first] = values[k] ?? null;
    }
  }
}

export async function combineShards(
  services: Services,
  registry: CompiledRegistry,
  spec: HistoricalSpec,
  jobId: string,
): Promise<{ rowsRead: number; rowsWritten: number; output: TaskMeasures & { export_id: string; rows: number } }> {
  const started = Date.now();
  const project = registry.project;
  const selection = selectionOf(registry, spec);
  const typed = exportDtypes(registry, selection);
  // The join's column order: entity columns as sent, then each view's features.
  const features = selection.views.flatMap((v) => v.features.map((f) => f.outputName));
  const columns: ExportColumn[] = [...spec.entity_columns, ...features].map((name) =>
    name === EVENT_TIMESTAMP
      ? { name, dtype: null, declared: true }
      : typed[name]
        ? { name, dtype: typed[name], declared: true }
        : { name, dtype: spec.label_dtypes[name] ?? "string", declared: false },
  );
  const file = (name: string, what: string) =>
    services.scratch.getJson<never>(services.scratch.jobFileKey(project, jobId, name), `${what} of job ${jobId}`);
  const parts = spec.parts ?? ((await file(jobFiles.plan(), "The split's plan")) as JobPlan).parts;
  const exportId = `exp_${jobId}`;
  await streamExport(services.exports, project, exportId, columns, async (stream) => {
    for (let s = 0; s < spec.slices; s++) {
      const { start, end } = sliceBounds(spec, s);
      const [entity, ...outputs] = await Promise.all([
        file(jobFiles.entity(s), `Entity columns of slice ${s}`) as Promise<Record<string, unknown[]>>,
        ...parts[s].map(
          ([g, b]) =>
            file(jobFiles.output(g, b, s), `Output of group ${g} bucket ${b} slice ${s}`) as Promise<ShardOutput>,
        ),
      ]);
      const data: Record<string, unknown[]> = { ...entity };
      for (const name of features) data[name] = new Array(end - start).fill(null);
      mergeOutputs(data, outputs as ShardOutput[], start);
      await stream.writeGroup(data, end - start);
    }
  });
  return {
    rowsRead: 0,
    rowsWritten: spec.rows,
    output: {
      export_id: exportId,
      rows: spec.rows,
      files_read: 0,
      rows_scanned: 0,
      started_ms: started,
      ended_ms: Date.now(),
    },
  };
}
