// A ColumnSink (generate.mjs) as a Parquet ingest body, with the column types
// Larder's own offline files use (src/offline/parquet-values.ts): the join key
// as a required UTF8 string, event_timestamp and created_timestamp as INT64
// TIMESTAMP(MILLIS, UTC), features nullable by dtype.
import { parquetWriteBuffer } from "hyparquet-writer";

function timestampElement(name, repetition) {
  return {
    name,
    type: "INT64",
    converted_type: "TIMESTAMP_MILLIS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
    repetition_type: repetition,
  };
}

function featureElement(name, dtype) {
  switch (dtype) {
    case "int32":
      return { name, type: "INT32", repetition_type: "OPTIONAL" };
    case "int64":
      return { name, type: "INT64", repetition_type: "OPTIONAL" };
    case "float64":
      return { name, type: "DOUBLE", repetition_type: "OPTIONAL" };
    case "string":
      return {
        name,
        type: "BYTE_ARRAY",
        converted_type: "UTF8",
        logical_type: { type: "STRING" },
        repetition_type: "OPTIONAL",
      };
    case "unix_timestamp":
      return timestampElement(name, "OPTIONAL");
    default:
      throw new Error(`demo data: no Parquet mapping for dtype ${dtype}`);
  }
}

const bigints = (values) => values.map((v) => (v === null ? null : BigInt(v)));

/** Encodes the sink's rows as Parquet bytes. */
export function encodeParquet(sink) {
  const { source } = sink;
  const schema = [
    { name: "root", num_children: 3 + source.features.length },
    {
      name: source.joinKey,
      type: "BYTE_ARRAY",
      converted_type: "UTF8",
      logical_type: { type: "STRING" },
      repetition_type: "REQUIRED",
    },
    timestampElement("event_timestamp", "REQUIRED"),
    timestampElement("created_timestamp", "REQUIRED"),
    ...source.features.map(([name, dtype]) => featureElement(name, dtype)),
  ];
  const times = bigints(sink.times);
  const columnData = [
    { name: source.joinKey, data: sink.keys },
    { name: "event_timestamp", data: times },
    // The snapshot is written when it is computed.
    { name: "created_timestamp", data: times },
    ...source.features.map(([name, dtype]) => ({
      name,
      data: dtype === "int64" || dtype === "unix_timestamp" ? bigints(sink.columns[name]) : sink.columns[name],
    })),
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, rowGroupSize: 100_000 }));
}

/** An entity_df as Parquet: the join key (required UTF8) and event_timestamp (TIMESTAMP(MILLIS, UTC)) only. */
export function encodeEntityDf(joinKey, keys, times) {
  const schema = [
    { name: "root", num_children: 2 },
    {
      name: joinKey,
      type: "BYTE_ARRAY",
      converted_type: "UTF8",
      logical_type: { type: "STRING" },
      repetition_type: "REQUIRED",
    },
    timestampElement("event_timestamp", "REQUIRED"),
  ];
  const columnData = [
    { name: joinKey, data: keys },
    { name: "event_timestamp", data: bigints(times) },
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, rowGroupSize: 100_000 }));
}
