/**
 * One Parquet export written row group by row group, with bounded memory:
 * hyparquet-writer's `ParquetWriter` encodes each group into a
 * `MultipartWriter`, which sends every full UPLOAD_PART_BYTES as one part of
 * an R2 multipart upload (R2 wants parts of at least 5 MiB, all of one size
 * but the last). The footer goes with the last part, so the export is one
 * ordinary Parquet file (`pandas.read_parquet(url)` reads it). A failed
 * write aborts the upload: no partial object is ever visible.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { type ExportColumn, EXPORT_CREATED_BY, exportColumnData, exportSchema } from "./export-writer";
import type { ExportRecord, ExportStore } from "./exports";

export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;

/** A hyparquet-writer `Writer` whose bytes go out as parts of a multipart upload. */
export class MultipartWriter extends ByteWriter {
  private readonly parts: R2UploadedPart[] = [];

  constructor(
    private readonly upload: R2MultipartUpload,
    private readonly partBytes = UPLOAD_PART_BYTES,
  ) {
    super(partBytes * 2);
  }

  /** Sends every full part buffered (called by ParquetWriter after each row group). */
  async flush(): Promise<void> {
    let from = 0;
    while (this.index - from >= this.partBytes) {
      const part = new Uint8Array(this.buffer, from, this.partBytes).slice();
      this.parts.push(await this.upload.uploadPart(this.parts.length + 1, part));
      from += this.partBytes;
    }
    if (from > 0) {
      new Uint8Array(this.buffer).copyWithin(0, from, this.index);
      this.index -= from;
    }
  }

  /** Sends what is left as the last part and completes the upload. */
  override async finish(): Promise<void> {
    await this.flush();
    if (this.index > 0 || this.parts.length === 0) {
      this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.getBytes().slice()));
    }
    await this.upload.complete(this.parts);
  }

  /** Bytes written so far (the file's size once finished). */
  get size(): number {
    return this.offset;
  }
}

/** An export being written: `writeGroup` per row group, then `close`; `abort` on any failure. */
export class ExportStream {
  private rows = 0;

  private constructor(
    private readonly store: ExportStore,
    private readonly project: string,
    private readonly id: string,
    private readonly columns: readonly ExportColumn[],
    private readonly upload: R2MultipartUpload,
    private readonly sink: MultipartWriter,
    private readonly writer: ParquetWriter,
  ) {}

  static async open(
    store: ExportStore,
    project: string,
    id: string,
    columns: readonly ExportColumn[],
    partBytes = UPLOAD_PART_BYTES,
  ): Promise<ExportStream> {
    const upload = await store.createUpload(project, id);
    const sink = new MultipartWriter(upload, partBytes);
    const writer = new ParquetWriter({ writer: sink, schema: exportSchema(columns), createdBy: EXPORT_CREATED_BY });
    return new ExportStream(store, project, id, columns, upload, sink, writer);
  }

  /** Writes rows (`data[name]`, every column the same length) as one row group. */
  async writeGroup(data: Readonly<Record<string, readonly unknown[]>>, numRows: number): Promise<void> {
    if (numRows === 0) return;
    await this.writer.write({ columnData: exportColumnData(this.columns, data), rowGroupSize: numRows });
    this.rows += numRows;
  }

  /** Writes the footer, completes the upload and records the export. */
  async close(): Promise<ExportRecord> {
    await this.writer.finish();
    return this.store.record(this.project, this.id, this.rows, this.sink.size);
  }

  async abort(): Promise<void> {
    try {
      await this.upload.abort();
    } catch (err) {
      // An upload that never got a part, or was completed, may refuse; R2 ends stale ones after 7 days anyway.
      console.warn(`export ${this.id}: aborting its upload failed: ${String(err)}`);
    }
  }
}

/**
 * Opens an export, lets `produce` write its row groups, closes it; aborts the
 * upload (and rethrows) when anything fails, so no partial file is left.
 */
export async function streamExport(
  store: ExportStore,
  project: string,
  id: string,
  columns: readonly ExportColumn[],
  produce: (stream: ExportStream) => Promise<void>,
  partBytes = UPLOAD_PART_BYTES,
): Promise<ExportRecord> {
  const stream = await ExportStream.open(store, project, id, columns, partBytes);
  try {
    await produce(stream);
    return await stream.close();
  } catch (err) {
    await stream.abort();
    throw err;
  }
}
