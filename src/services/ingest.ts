/**
 * Offline writes to batch sources: ingest (rows sent as JSON or a Parquet
 * body, validated one by one, good rows appended, bad rows reported) and
 * scan (files users dropped under the source's prefix join the manifest).
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { invalid } from "../domain/errors";
import { ingestTarget } from "../domain/ingest-fields";
import { validateIngestRows } from "../domain/ingest-rows";
import { sourceSchema } from "../domain/source-schema";
import { formatTimestamp } from "../domain/timestamps";
import { newWriteId } from "../domain/write-version";
import { parquetIngestRows } from "../offline/ingest-parquet";
import type { OfflineFile } from "../offline/offline-store";
import type { Services } from "./services";
import { acceptTime } from "./write-clock";

/** Media types of a Parquet ingest body. */
export const PARQUET_TYPES = ["application/vnd.apache.parquet", "application/octet-stream"];

/** Epoch ms as RFC 3339; null for the "no statistics" sentinels a discovered file may carry. */
function instant(ms: number): string | null {
  return Math.abs(ms) <= 8.64e15 ? formatTimestamp(ms) : null;
}

/** A manifest file as responses show it. */
function fileOut(file: OfflineFile) {
  return {
    path: file.path,
    rows: file.rows,
    bytes: file.bytes,
    min_event_timestamp: instant(file.min_event_ts),
    max_event_timestamp: instant(file.max_event_ts),
  };
}

/** The ingest body: JSON rows, or the bytes of a Parquet file. */
export type IngestBody =
  | { kind: "json"; rows: unknown[] | undefined; mediaType: string }
  | { kind: "parquet"; bytes: Uint8Array };

/** Validates and appends; rows that break a rule are reported, the rest written. */
export async function ingestRows(services: Services, registry: CompiledRegistry, sourceName: string, body: IngestBody) {
  const schema = ingestTarget(registry, sourceName);
  let validation: ReturnType<typeof validateIngestRows>;
  if (body.kind === "parquet") {
    const parsed = await parquetIngestRows(schema, body.bytes);
    validation = validateIngestRows(schema, parsed.rows, {
      epochMsFields: parsed.epochMsFields,
      project: registry.project,
    });
  } else {
    // JSON bodies were validated by the route; anything else reaches here without rows.
    if (!body.rows) {
      throw invalid(`Send {"rows": [...]} as application/json, or a Parquet file as ${PARQUET_TYPES.join(" or ")}`, {
        content_type: body.mediaType || null,
      });
    }
    validation = validateIngestRows(schema, body.rows, { project: registry.project });
  }
  // Called even with no accepted rows, so a single-file source always answers CONFLICT.
  const files = await services.offline.appendRows(registry.project, schema, validation.accepted, "ingest", {
    stamp: { now: acceptTime(), writeId: newWriteId() },
  });
  return {
    data_source: sourceName,
    rows_written: validation.accepted.length,
    rejected: validation.rejected,
    errors: validation.errors,
    errors_truncated: validation.errorsTruncated,
    files: files.map(fileOut),
  };
}

/** Finds new files under the source's path and adopts up to `maxFiles` of them into the bucketed layout. */
export async function scanSource(services: Services, registry: CompiledRegistry, sourceName: string, maxFiles: number) {
  // Any batch source may be scanned, read by a view or not (DATA_SOURCE_NOT_FOUND otherwise).
  const schema = sourceSchema(registry, sourceName);
  const discovery = await services.offline.discoverFiles(registry.project, schema, maxFiles);
  const totals = await services.offline.sourceTotals(registry.project, sourceName);
  return {
    data_source: sourceName,
    discovered: discovery.found.map(fileOut),
    adopting: discovery.adopting,
    unreadable: discovery.unreadable,
    files_known: Number(totals.files),
    rows_known: Number(totals.rows),
  };
}
