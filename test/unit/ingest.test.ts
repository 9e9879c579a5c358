/** Ingest rows: field roles, row-by-row validation and conversion, Parquet bodies. Pure. */
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { LarderError } from "../../src/domain/errors";
import { CompiledRegistry } from "../../src/domain/compiled-registry";
import type { RegistryContents } from "../../src/domain/registry-model";
import { checkIngestColumns, ingestFields, ingestTarget } from "../../src/domain/ingest-fields";
import { validateIngestRows } from "../../src/domain/ingest-rows";
import { parquetIngestRows } from "../../src/offline/ingest-parquet";
import { offlineColumns, readParquet, writeParquet } from "../../src/offline/parquet";
import type { SourceSchema } from "../../src/domain/source-schema";

const T = Date.parse("2024-01-15T10:00:00Z");

const SCHEMA: SourceSchema = {
  source: {
    name: "orders",
    type: "batch",
    path: "s3://lake/orders/",
    file_format: "parquet",
    timestamp_field: "ts",
    created_timestamp_column: "created_at",
    description: "",
    tags: {},
  },
  joinKeys: [
    { name: "customer_id", type: "STRING" },
    { name: "store_id", type: "INT64" },
  ],
  features: [
    { name: "amount", dtype: "float64" },
    { name: "count", dtype: "int32" },
    { name: "big", dtype: "int64" },
    { name: "label", dtype: "string" },
    { name: "flag", dtype: "bool" },
    { name: "raw", dtype: "bytes" },
    { name: "last_seen", dtype: "unix_timestamp" },
    { name: "seen", dtype: "array<unix_timestamp>" },
    { name: "scores", dtype: "array<float64>" },
  ],
  views: ["orders_view"],
  onlineViews: [],
  bucketKeys: ["customer_id", "store_id"],
};

const base = { customer_id: "c1", store_id: 7, event_timestamp: "2024-01-15T10:00:00Z" };

function one(row: unknown, epochMsFields?: Set<string>) {
  return validateIngestRows(SCHEMA, [row], { epochMsFields });
}

function rejection(row: unknown) {
  const result = one(row);
  expect(result.accepted).toEqual([]);
  expect(result.rejected).toBe(1);
  return result.errors[0];
}

function threw(work: () => unknown): LarderError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(LarderError);
    return err as LarderError;
  }
  throw new Error("expected an error");
}

async function rejects(work: Promise<unknown>): Promise<LarderError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LarderError);
  return err as LarderError;
}

describe("ingestFields", () => {
  it("maps join keys, features, both timestamp names and the source's own names", () => {
    const roles = ingestFields(SCHEMA);
    expect(roles.get("customer_id")).toEqual({ kind: "join_key", type: "STRING" });
    expect(roles.get("amount")).toEqual({ kind: "feature", dtype: "float64" });
    for (const n of ["event_timestamp", "ts"]) expect(roles.get(n)).toEqual({ kind: "event_timestamp" });
    for (const n of ["created_timestamp", "created_at"]) expect(roles.get(n)).toEqual({ kind: "created_timestamp" });
  });

  it("never lets a timestamp alias shadow a feature of the same name", () => {
    const roles = ingestFields({
      ...SCHEMA,
      source: { ...SCHEMA.source, timestamp_field: "amount", created_timestamp_column: null },
    });
    expect(roles.get("amount")).toEqual({ kind: "feature", dtype: "float64" });
    expect(roles.get("event_timestamp")).toEqual({ kind: "event_timestamp" });
    expect(roles.has("created_at")).toBe(false);
  });
});

describe("validateIngestRows", () => {
  it("converts a good row: timestamps to epoch ms, integer keys canonical, absent features left out", () => {
    const { accepted, errors } = one({
      ...base,
      store_id: "007",
      created_timestamp: 1705312800.5,
      amount: 12.5,
      last_seen: "2024-01-14T09:00:00Z",
      seen: [1705222800, null, "2024-01-14T09:00:00Z"],
      big: "9007199254740993",
      raw: "AQID",
      scores: [1, null],
    });
    expect(errors).toEqual([]);
    expect(accepted).toEqual([
      {
        customer_id: "c1",
        store_id: 7,
        event_timestamp: T,
        created_timestamp: T + 500,
        amount: 12.5,
        last_seen: Date.parse("2024-01-14T09:00:00Z"),
        seen: [1705222800_000, null, Date.parse("2024-01-14T09:00:00Z")],
        big: "9007199254740993",
        raw: "AQID",
        scores: [1, null],
      },
    ]);
  });

  it("reads a unix_timestamp given as epoch seconds and as RFC 3339 alike", () => {
    const { accepted } = validateIngestRows(SCHEMA, [
      { ...base, last_seen: 1705312800 },
      { ...base, last_seen: "2024-01-15T10:00:00Z" },
      { ...base, last_seen: "2024-01-15T11:00:00+01:00" },
    ]);
    expect(accepted.map((r) => r.last_seen)).toEqual([T, T, T]);
  });

  it("accepts the source's own timestamp names, and nulls for created time and features", () => {
    const { accepted, errors } = one({ customer_id: "c1", store_id: 1, ts: T / 1000, created_at: null, amount: null });
    expect(errors).toEqual([]);
    expect(accepted[0]).toEqual({
      customer_id: "c1",
      store_id: 1,
      event_timestamp: T,
      created_timestamp: null,
      amount: null,
    });
  });

  it("keeps int64 keys beyond 2^53 as canonical decimal text", () => {
    expect(one({ ...base, store_id: "00000000000000000000009223372036854775807" }).accepted[0].store_id).toBe(
      "9223372036854775807",
    );
  });

  it("takes numbers of epochMsFields as epoch milliseconds", () => {
    const { accepted } = one(
      { ...base, event_timestamp: T, last_seen: T - 1000, seen: [T] },
      new Set(["event_timestamp", "last_seen", "seen"]),
    );
    expect(accepted[0]).toMatchObject({ event_timestamp: T, last_seen: T - 1000, seen: [T] });
  });

  it.each([
    [{ ...base, nope: 1 }, "nope", /unknown field 'nope'.*customer_id, store_id.*orders_view/],
    [{ ...base, ts: "2024-01-15T10:00:00Z" }, "ts", /'event_timestamp' and 'ts' both give the event time/],
    [{ ...base, created_timestamp: T / 1000, created_at: T / 1000 }, "created_at", /both give the created time/],
    [{ store_id: 1, event_timestamp: "2024-01-15T10:00:00Z" }, "customer_id", /join key 'customer_id' is missing/],
    [{ ...base, customer_id: null }, "customer_id", /join key 'customer_id' is missing/],
    [{ ...base, customer_id: 5 }, "customer_id", /customer_id' \(STRING\): expected a string/],
    [{ ...base, store_id: "seven" }, "store_id", /store_id' \(INT64\): expected an integer/],
    [{ ...base, store_id: "99999999999999999999" }, "store_id", /out of INT64 range/],
    [{ customer_id: "c1", store_id: 7 }, "event_timestamp", /event_timestamp is missing/],
    [{ ...base, event_timestamp: "yesterday" }, "event_timestamp", /RFC 3339 timestamp or epoch seconds/],
    [{ ...base, event_timestamp: 1e15 }, "event_timestamp", /years 0001-9999/],
    [{ ...base, event_timestamp: -1e15 }, "event_timestamp", /years 0001-9999/],
    [{ ...base, created_timestamp: "soon" }, "created_timestamp", /created_timestamp: expected/],
    [{ ...base, count: 1.5 }, "count", /feature 'count' \(int32\): expected an integer/],
    [{ ...base, count: 2 ** 31 }, "count", /int32 range/],
    [{ ...base, amount: "12" }, "amount", /expected a finite number/],
    [{ ...base, flag: "true" }, "flag", /expected true or false/],
    [{ ...base, raw: "A" }, "raw", /base64/],
    [{ ...base, last_seen: 1e300 }, "last_seen", /years 0001-9999/],
    [{ ...base, seen: "2024-01-15" }, "seen", /expected an array/],
    [{ ...base, seen: [T / 1000, "x"] }, "seen", /element 1: expected an RFC 3339/],
    [{ ...base, scores: [1, "2"] }, "scores", /element 1: expected a finite number/],
  ])("rejects %j on field %s", (row, field, reason) => {
    const error = rejection(row);
    expect(error).toMatchObject({ index: 0, field });
    expect(error.reason).toMatch(reason);
  });

  it("rejects rows that are not objects, without a field", () => {
    for (const row of [null, 3, "row", [base]])
      expect(rejection(row)).toEqual({ index: 0, reason: "row must be an object" });
  });

  it("judges each row on its own and reports rejected rows by index", () => {
    const result = validateIngestRows(SCHEMA, [base, { ...base, count: "x" }, { ...base, customer_id: "c2" }, 4]);
    expect(result.accepted.map((r) => r.customer_id)).toEqual(["c1", "c2"]);
    expect(result.rejected).toBe(2);
    expect(result.errors.map((e) => e.index)).toEqual([1, 3]);
    expect(result.errorsTruncated).toBe(false);
  });

  it("lists at most maxListedErrors but counts every rejection", () => {
    const rows = Array.from({ length: 10 }, () => ({ ...base, count: "x" }));
    const result = validateIngestRows(SCHEMA, rows, { maxListedErrors: 3 });
    expect(result).toMatchObject({ rejected: 10, errorsTruncated: true });
    expect(result.errors.map((e) => e.index)).toEqual([0, 1, 2]);
  });

  it("gives rows the Parquet writer takes as they are, and reads back what was sent", async () => {
    const { accepted, errors } = validateIngestRows(SCHEMA, [
      {
        ...base,
        store_id: "42",
        amount: 1.5,
        count: 3,
        big: "123456789012345678",
        label: "x",
        flag: true,
        raw: "AQID",
        last_seen: 1705312800,
        seen: [1705312800, null],
        scores: [0.5],
      },
      { customer_id: "c2", store_id: 1, ts: "2024-01-15T09:00:00Z", created_at: "2024-01-15T09:00:01Z" },
    ]);
    expect(errors).toEqual([]);
    const bytes = writeParquet(offlineColumns(SCHEMA.joinKeys, SCHEMA.features), accepted);
    const table = await readParquet(bytes);
    expect(table.columns.customer_id).toEqual(["c1", "c2"]); // sorted by key
    expect(table.columns.store_id).toEqual([42, 1]);
    expect(table.columns.created_timestamp).toEqual([null, T - 3_599_000]);
    expect(table.columns.big).toEqual([123456789012345678n.toString(), null]);
    expect(table.columns.last_seen).toEqual([T, null]);
    expect(table.columns.seen).toEqual([[T, null], null]);
    expect(table.columns.raw).toEqual(["AQID", null]);
    // The first row named every feature (null: all carried), the second none.
    expect(table.columns._larder_carried).toEqual([null, ""]);
  });
});

describe("checkIngestColumns", () => {
  it("accepts keys, one event column, optional created column and any subset of features", () => {
    expect(() => checkIngestColumns(SCHEMA, ["customer_id", "store_id", "ts", "amount"])).not.toThrow();
  });

  it.each([
    [
      ["customer_id", "store_id", "event_timestamp", "extra"],
      /column 'extra' is not a join key, timestamp or feature of batch source 'orders'/,
    ],
    [["customer_id", "event_timestamp"], /no join key column 'store_id'/],
    [["customer_id", "store_id", "amount"], /no event time column \(event_timestamp or ts\)/],
    [["customer_id", "store_id", "event_timestamp", "ts"], /'event_timestamp' and 'ts' both give the event time/],
    [["customer_id", "store_id", "ts", "created_at", "created_timestamp"], /both give the created time/],
  ])("refuses %j", (names, message) => {
    const err = threw(() => checkIngestColumns(SCHEMA, names));
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(err.message).toMatch(message);
  });
});

describe("parquetIngestRows", () => {
  const columns = offlineColumns(SCHEMA.joinKeys, SCHEMA.features);

  it("reads a file Larder would write: timestamp columns as epoch ms, marked so", async () => {
    const body = writeParquet(columns, [
      {
        customer_id: "c1",
        store_id: 7,
        event_timestamp: T,
        created_timestamp: null,
        amount: 2.5,
        last_seen: T - 5,
        seen: [T],
      },
    ]);
    const { rows, epochMsFields } = await parquetIngestRows(SCHEMA, body);
    expect(rows[0]).toMatchObject({
      customer_id: "c1",
      store_id: 7,
      event_timestamp: T,
      created_timestamp: null,
      amount: 2.5,
      count: null,
      last_seen: T - 5,
      seen: [T],
    });
    expect([...epochMsFields].sort()).toEqual(["created_timestamp", "event_timestamp", "last_seen", "seen"]);
    const { accepted, errors } = validateIngestRows(SCHEMA, rows, { epochMsFields });
    expect(errors).toEqual([]);
    expect(accepted[0]).toMatchObject({ event_timestamp: T, last_seen: T - 5, seen: [T] });
  });

  it("reads time columns of other types the way the JSON API does, and ignores a pandas index column", async () => {
    const body = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "customer_id", data: ["c1", "c2"], type: "STRING" },
          { name: "store_id", data: [1n, 2n], type: "INT64" },
          { name: "ts", data: ["2024-01-15T10:00:00Z", "2024-01-15T11:00:00Z"], type: "STRING" },
          { name: "last_seen", data: [1705312800n, null], type: "INT64" },
          { name: "__index_level_0__", data: [10n, 11n], type: "INT64" },
        ],
      }),
    );
    const { rows, epochMsFields } = await parquetIngestRows(SCHEMA, body);
    expect(epochMsFields.size).toBe(0);
    expect(rows[1]).toEqual({ customer_id: "c2", store_id: 2, ts: "2024-01-15T11:00:00Z", last_seen: null });
    const { accepted } = validateIngestRows(SCHEMA, rows, { epochMsFields });
    expect(accepted.map((r) => [r.event_timestamp, r.last_seen])).toEqual([
      [T, T],
      [T + 3_600_000, null],
    ]);
  });

  it("names an unknown column, a missing join key, and refuses corrupt, empty and oversized bodies", async () => {
    const extra = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "customer_id", data: ["c1"], type: "STRING" },
          { name: "store_id", data: [1n], type: "INT64" },
          { name: "ts", data: ["2024-01-15"], type: "STRING" },
          { name: "colour", data: ["red"], type: "STRING" },
        ],
      }),
    );
    const unknown = await rejects(parquetIngestRows(SCHEMA, extra));
    expect(unknown.message).toMatch(/column 'colour'/);
    expect(unknown.details).toMatchObject({ column: "colour", unknown_columns: ["colour"] });

    const noKey = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "customer_id", data: ["c1"], type: "STRING" },
          { name: "ts", data: ["2024-01-15"], type: "STRING" },
        ],
      }),
    );
    expect((await rejects(parquetIngestRows(SCHEMA, noKey))).message).toMatch(/no join key column 'store_id'/);

    const corrupt = await rejects(
      parquetIngestRows(SCHEMA, new TextEncoder().encode("customer_id,ts\nc1,2024-01-15\n")),
    );
    expect(corrupt).toMatchObject({ code: "VALIDATION_ERROR", details: { file: "request body" } });
    const truncated = writeParquet(columns, [{ customer_id: "c1", store_id: 1, event_timestamp: T }]).slice(0, 40);
    expect((await rejects(parquetIngestRows(SCHEMA, truncated))).code).toBe("VALIDATION_ERROR");

    expect((await rejects(parquetIngestRows(SCHEMA, writeParquet(columns, [])))).message).toMatch(/no rows/);
    const three = writeParquet(
      columns,
      [1, 2, 3].map((i) => ({ customer_id: "c", store_id: i, event_timestamp: T })),
    );
    const tooMany = await rejects(parquetIngestRows(SCHEMA, three, 2));
    expect(tooMany.details).toMatchObject({ rows: 3, max_rows: 2 });
  });
});

describe("ingestTarget", () => {
  const contents: RegistryContents = {
    entities: [
      {
        name: "customer",
        join_keys: ["customer_id"],
        value_types: { customer_id: "STRING" },
        description: "",
        tags: {},
      },
    ],
    data_sources: [
      { ...SCHEMA.source, name: "orders" },
      { ...SCHEMA.source, name: "unread" },
      { name: "orders_push", type: "push", batch_source: "orders", description: "", tags: {} },
    ],
    feature_views: [
      {
        name: "orders_view",
        entities: ["customer"],
        features: [{ name: "amount", dtype: "float64" }],
        source: "orders",
        ttl_seconds: 0,
        online: true,
        tags: {},
        schedule: null,
        description: "",
      },
    ],
    feature_services: [],
  };
  const registry = new CompiledRegistry("p", 1, contents, new Date(0).toISOString());

  it("gives the schema of a batch source read by a view", () => {
    expect(ingestTarget(registry, "orders")).toMatchObject({
      joinKeys: [{ name: "customer_id", type: "STRING" }],
      views: ["orders_view"],
    });
  });

  it("refuses unknown and push sources with DATA_SOURCE_NOT_FOUND, and an unread source with CONFLICT", () => {
    expect(threw(() => ingestTarget(registry, "nope")).code).toBe("DATA_SOURCE_NOT_FOUND");
    const push = threw(() => ingestTarget(registry, "orders_push"));
    expect(push.code).toBe("DATA_SOURCE_NOT_FOUND");
    expect(push.message).toMatch(/push source.*'orders'/);
    expect(threw(() => ingestTarget(registry, "unread")).code).toBe("CONFLICT");
  });
});
