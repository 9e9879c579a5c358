/** POST /data-sources/{name}/ingest and /scan: offline writes to batch sources, through the worker. */
import { env } from "cloudflare:workers";
import { parquetWriteBuffer } from "hyparquet-writer";
import { beforeEach, describe, expect, it } from "vitest";
import type { OfflineRow } from "../../src/domain/source-schema";
import { offlineColumns, writeParquet } from "../../src/offline/parquet";
import { sourceSchema } from "../../src/domain/source-schema";
import { servicesFor } from "../../src/services/services";
import { currentRegistry } from "../../src/registry/snapshot";
import { applyDemo } from "./fixtures";
import { call, expectStatus, token } from "./helpers";
import { useBuckets } from "./offline-fixtures";

const T = Date.parse("2024-06-30T15:45:23Z");
const DAY = 86_400_000;
const PARQUET = "application/vnd.apache.parquet";
const REALTIME_FEATURES = [
  "last_login_timestamp",
  "session_count_today",
  "cart_value",
  "items_in_cart",
  "current_session_duration",
  "pages_viewed",
];
const PROFILE_FEATURES = ["age", "lifetime_value", "segment"];

async function schemaOf(source: string, project = "ai_etl") {
  return sourceSchema(await currentRegistry(env.REGISTRY_CACHE, project, 0), source);
}

/** What the offline store holds for a source, as reads see it (without the version columns). */
async function stored(source: string, features: string[], project = "ai_etl") {
  const read = await servicesFor(env).offline.readRows(project, await schemaOf(source, project), { features });
  const { _larder_seq, _larder_wid, ...columns } = read.columns;
  return { ...read, columns };
}

async function manifest(source?: string) {
  const rows = await env.DB.prepare(
    `SELECT project, source, path, rows, bytes, min_event_ts, max_event_ts, origin FROM offline_files ${source ? "WHERE source = ?" : ""} ORDER BY path`,
  )
    .bind(...(source ? [source] : []))
    .all();
  return rows.results as {
    project: string;
    source: string;
    path: string;
    rows: number;
    bytes: number;
    min_event_ts: number;
    max_event_ts: number;
    origin: string;
  }[];
}

async function objects(prefix = "") {
  return (await env.OFFLINE_STORE.list({ prefix })).objects.map((o) => o.key);
}

function ingest(source: string, body: unknown, query = "") {
  return call("POST", `/data-sources/${source}/ingest${query}`, { body });
}

function ingestBytes(source: string, bytes: Uint8Array | string, contentType = PARQUET) {
  return call("POST", `/data-sources/${source}/ingest`, {
    rawBody: bytes as BodyInit,
    headers: { "content-type": contentType },
  });
}

function scan(source: string, body?: unknown) {
  return call("POST", `/data-sources/${source}/scan`, body === undefined ? {} : { body });
}

async function profileParquet(rows: OfflineRow[]) {
  const schema = await schemaOf("customer_profile_source");
  return writeParquet(offlineColumns(schema.joinKeys, schema.features), rows);
}

/** A batch source with its own timestamp names and an INT64 key, and one that names a single file. */
const CUSTOM = {
  entities: [{ name: "store", join_keys: ["store_id"], value_type: "INT64" }],
  data_sources: [
    {
      name: "orders_source",
      type: "batch",
      path: "s3://lake/orders/",
      timestamp_field: "ts",
      created_timestamp_column: "updated_at",
    },
    { name: "single_file_source", type: "batch", path: "s3://lake/exports/orders.parquet" },
  ],
  feature_views: [
    {
      name: "orders",
      entities: ["customer", "store"],
      schema: [
        { name: "order_total", dtype: "float64" },
        { name: "items", dtype: "int32" },
      ],
      source: "orders_source",
    },
    {
      name: "single_file",
      entities: ["customer"],
      schema: [{ name: "score", dtype: "float64" }],
      source: "single_file_source",
    },
  ],
};

beforeEach(async () => {
  await applyDemo();
  // One bucket: a test's rows land in one file per month (bucketing: offline-buckets.test.ts).
  await useBuckets("customer_realtime_batch", 1);
  await useBuckets("customer_profile_source", 1);
});

describe("POST /data-sources/{name}/ingest (JSON)", () => {
  it("writes the rows as Parquet under the source's prefix, records the file, and reads back what was sent", async () => {
    const body = await expectStatus(
      ingest("customer_realtime_batch", {
        rows: [
          {
            customer_id: "cust_1",
            event_timestamp: "2024-06-30T15:45:23Z",
            last_login_timestamp: "2024-06-30T15:00:00Z",
            session_count_today: 3,
            cart_value: 156.5,
          },
          {
            customer_id: "cust_2",
            event_timestamp: T / 1000 + 60,
            created_timestamp: "2024-06-30T16:00:00Z",
            last_login_timestamp: T / 1000 - 3600,
            items_in_cart: 2,
            cart_value: null,
          },
        ],
      }),
      200,
    );
    expect(body).toMatchObject({
      data_source: "customer_realtime_batch",
      rows_written: 2,
      rejected: 0,
      errors: [],
      errors_truncated: false,
    });
    expect(typeof body.processing_time_ms).toBe("number");
    expect(body.files).toHaveLength(1);
    expect(body.files[0]).toMatchObject({
      rows: 2,
      min_event_timestamp: "2024-06-30T15:45:23.000Z",
      max_event_timestamp: "2024-06-30T15:46:23.000Z",
    });
    expect(body.files[0].path).toMatch(
      /^offline\/ai_etl\/customer_realtime_batch\/bucket=0\/month=2024-06\/.+\.parquet$/,
    );
    expect(body.files[0].bytes).toBe((await env.OFFLINE_STORE.head(body.files[0].path))!.size);
    expect(await manifest("customer_realtime_batch")).toEqual([
      expect.objectContaining({
        path: body.files[0].path,
        rows: 2,
        min_event_ts: T,
        max_event_ts: T + 60_000,
        origin: "ingest",
      }),
    ]);

    const read = await stored("customer_realtime_batch", REALTIME_FEATURES);
    expect(read.columns).toEqual({
      customer_id: ["cust_1", "cust_2"],
      event_timestamp: [T, T + 60_000],
      created_timestamp: [null, Date.parse("2024-06-30T16:00:00Z")],
      // One given as RFC 3339, one as epoch seconds: both stored as the same kind of instant.
      last_login_timestamp: [Date.parse("2024-06-30T15:00:00Z"), T - 3_600_000],
      session_count_today: [3, null],
      cart_value: [156.5, null],
      items_in_cart: [null, 2],
      current_session_duration: [null, null],
      pages_viewed: [null, null],
    });
    // Each row carried only the features it named (an explicit null included).
    expect(read.carries.cart_value).toBeUndefined();
    expect([...read.carries.items_in_cart]).toEqual([0, 1]);
    expect([...read.carries.session_count_today]).toEqual([1, 0]);
    expect([...read.carries.pages_viewed]).toEqual([0, 0]);
  });

  it("writes one file per bucket and UTC month of the rows' event times", async () => {
    const body = await expectStatus(
      ingest("customer_profile_source", {
        rows: [
          { customer_id: "c1", event_timestamp: "2024-01-31T23:59:59Z", age: 30 },
          { customer_id: "c2", event_timestamp: "2024-02-01T00:00:00Z", age: 31 },
          { customer_id: "c3", event_timestamp: "2024-01-01T08:00:00Z", age: 32 },
        ],
      }),
      200,
    );
    expect(
      body.files.map((f: { rows: number; min_event_timestamp: string }) => [f.rows, f.min_event_timestamp]).sort(),
    ).toEqual([
      [1, "2024-02-01T00:00:00.000Z"],
      [2, "2024-01-01T08:00:00.000Z"],
    ]);
    const files = await manifest("customer_profile_source");
    expect(files.map((f) => f.path.match(/month=([\d-]+)\//)![1])).toEqual(["2024-01", "2024-02"]);
    expect(files.map((f) => f.rows)).toEqual([2, 1]);
    expect((await stored("customer_profile_source", ["age"])).numRows).toBe(3);
  });

  it("accepts the source's own timestamp names and integer keys sent as text", async () => {
    await expectStatus(call("POST", "/apply", { body: CUSTOM }), 200);
    const body = await expectStatus(
      ingest("orders_source", {
        rows: [
          {
            customer_id: "c1",
            store_id: "0042",
            ts: "2024-03-01T10:00:00Z",
            updated_at: "2024-03-01T10:05:00Z",
            order_total: 19.5,
            items: 2,
          },
        ],
      }),
      200,
    );
    expect(body).toMatchObject({ rows_written: 1, rejected: 0 });
    // Larder writes a source's files in the project's own space, under the source's name.
    expect(body.files[0].path).toMatch(/^offline\/ai_etl\/orders_source\/bucket=\d+\/month=2024-03\//);
    const read = await stored("orders_source", ["order_total", "items"]);
    expect(read.columns).toMatchObject({
      customer_id: ["c1"],
      store_id: [42],
      event_timestamp: [Date.parse("2024-03-01T10:00:00Z")],
      created_timestamp: [Date.parse("2024-03-01T10:05:00Z")],
      order_total: [19.5],
      items: [2],
    });
  });

  it("writes the good rows, reports each bad one by index, and never writes part of a bad row", async () => {
    const body = await expectStatus(
      ingest("customer_profile_source", {
        rows: [
          { customer_id: "good_1", event_timestamp: "2024-01-15T10:00:00Z", age: 40, segment: "gold" },
          { customer_id: "bad_dtype", event_timestamp: "2024-01-15T10:00:00Z", age: 41, lifetime_value: "a lot" },
          { customer_id: "bad_field", event_timestamp: "2024-01-15T10:00:00Z", age: 42, favourite_colour: "red" },
          { event_timestamp: "2024-01-15T10:00:00Z", age: 43 },
          { customer_id: "bad_time", event_timestamp: "next tuesday", age: 44 },
          { customer_id: "good_2", event_timestamp: "2024-01-16T10:00:00Z", lifetime_value: 99.5 },
          "not a row",
        ],
      }),
      200,
    );
    expect(body).toMatchObject({ rows_written: 2, rejected: 5 });
    expect(body.errors).toEqual([
      { index: 1, field: "lifetime_value", reason: expect.stringMatching(/lifetime_value.*float64.*finite number/) },
      { index: 2, field: "favourite_colour", reason: expect.stringMatching(/unknown field 'favourite_colour'/) },
      { index: 3, field: "customer_id", reason: expect.stringMatching(/join key 'customer_id' is missing/) },
      { index: 4, field: "event_timestamp", reason: expect.stringMatching(/RFC 3339/) },
      { index: 6, reason: "row must be an object" },
    ]);
    const read = await stored("customer_profile_source", PROFILE_FEATURES);
    // Only the good rows, whole: none of the age values of the bad rows made it.
    expect(read.columns.customer_id).toEqual(["good_1", "good_2"]);
    expect(read.columns.age).toEqual([40, null]);
    expect(read.columns.lifetime_value).toEqual([null, 99.5]);
    expect(read.columns.segment).toEqual(["gold", null]);
  });

  it("answers 200 with the errors and writes nothing when every row is bad", async () => {
    const body = await expectStatus(
      ingest("customer_profile_source", {
        rows: [{ customer_id: "c1", event_timestamp: "2024-01-15T10:00:00Z", age: "forty" }, { customer_id: "c2" }],
      }),
      200,
    );
    expect(body).toMatchObject({ rows_written: 0, rejected: 2, files: [] });
    expect(body.errors.map((e: { index: number }) => e.index)).toEqual([0, 1]);
    expect(await objects()).toEqual([]);
    expect(await manifest()).toEqual([]);
  });

  it("writes to the project named by ?project=", async () => {
    await applyDemo("sandbox");
    await expectStatus(
      ingest(
        "customer_profile_source",
        { rows: [{ customer_id: "c1", event_timestamp: "2024-01-15T10:00:00Z", age: 5 }] },
        "?project=sandbox",
      ),
      200,
    );
    expect((await manifest()).map((f) => f.project)).toEqual(["sandbox"]);
    expect((await stored("customer_profile_source", ["age"], "sandbox")).columns.age).toEqual([5]);
    expect((await stored("customer_profile_source", ["age"])).numRows).toBe(0);
  });
});

describe("POST /data-sources/{name}/ingest (Parquet)", () => {
  it("reads a Parquet body with the same columns as JSON rows, timestamps kept as instants", async () => {
    const bytes = await profileParquet([
      {
        customer_id: "c1",
        event_timestamp: T,
        created_timestamp: T + 1,
        age: 30,
        lifetime_value: 10.25,
        segment: "gold",
      },
      { customer_id: "c2", event_timestamp: T + DAY, age: 31 },
    ]);
    const body = await expectStatus(ingestBytes("customer_profile_source", bytes), 200);
    expect(body).toMatchObject({ rows_written: 2, rejected: 0, errors: [] });
    expect(body.files).toHaveLength(2);
    const read = await stored("customer_profile_source", PROFILE_FEATURES);
    expect(read.columns).toMatchObject({
      customer_id: ["c1", "c2"],
      event_timestamp: [T, T + DAY],
      created_timestamp: [T + 1, null],
      age: [30, 31],
      lifetime_value: [10.25, null],
      segment: ["gold", null],
    });
  });

  it("takes application/octet-stream, a subset of the features, and text timestamps; bad rows are reported by file row", async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "customer_id", data: ["c1", "c2", "c3"], type: "STRING" },
          {
            name: "event_timestamp",
            data: ["2024-01-15T10:00:00Z", "not a time", "2024-01-15T12:00:00Z"],
            type: "STRING",
          },
          { name: "last_login_timestamp", data: [1705312800n, 1705312800n, null], type: "INT64" },
          { name: "cart_value", data: [1.5, 2.5, 3.5], type: "DOUBLE" },
        ],
      }),
    );
    const body = await expectStatus(ingestBytes("customer_realtime_batch", bytes, "application/octet-stream"), 200);
    expect(body).toMatchObject({ rows_written: 2, rejected: 1, errors: [{ index: 1, field: "event_timestamp" }] });
    const read = await stored("customer_realtime_batch", ["last_login_timestamp", "cart_value"]);
    expect(read.columns).toMatchObject({
      customer_id: ["c1", "c3"],
      last_login_timestamp: [1705312800_000, null],
      cart_value: [1.5, 3.5],
    });
  });

  it("refuses, with a 400 naming it, a column that is not a join key, timestamp or feature; nothing is written", async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "customer_id", data: ["c1"], type: "STRING" },
          { name: "event_timestamp", data: ["2024-01-15T10:00:00Z"], type: "STRING" },
          { name: "shoe_size", data: [42], type: "INT32" },
        ],
      }),
    );
    const body = await expectStatus(ingestBytes("customer_profile_source", bytes), 400);
    expect(body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { column: "shoe_size" } });
    expect(body.error.message).toMatch(/'shoe_size'/);
    expect(await objects()).toEqual([]);
  });

  it("refuses a corrupt or empty Parquet body with a 400 naming the body", async () => {
    const good = await profileParquet([{ customer_id: "c1", event_timestamp: T, age: 1 }]);
    for (const bytes of [
      good.slice(0, good.byteLength - 20),
      new TextEncoder().encode("customer_id,event_timestamp\nc1,2024-01-15\n"),
      new Uint8Array(0),
    ]) {
      const body = await expectStatus(ingestBytes("customer_profile_source", bytes), 400);
      expect(body.error.code).toBe("VALIDATION_ERROR");
      expect(body.error.message).toMatch(/request body|Parquet/);
    }
    const empty = await expectStatus(ingestBytes("customer_profile_source", await profileParquet([])), 400);
    expect(empty.error.message).toMatch(/no rows/);
    expect(await objects()).toEqual([]);
  });
});

describe("POST /data-sources/{name}/ingest (refusals)", () => {
  it("answers 400 in the error envelope for bodies that are not rows", async () => {
    const cases: [BodyInit | undefined, string | undefined, string][] = [
      ['{"rows": [', "application/json", "MALFORMED_JSON"],
      ["{}", "application/json", "VALIDATION_ERROR"],
      ['{"rows": []}', "application/json", "VALIDATION_ERROR"],
      ['{"rows": {"customer_id": "c1"}}', "application/json", "VALIDATION_ERROR"],
      ["customer_id,event_timestamp\nc1,2024-01-15\n", "text/csv", "VALIDATION_ERROR"],
      [undefined, undefined, "VALIDATION_ERROR"],
    ];
    for (const [rawBody, contentType, code] of cases) {
      const res = await call("POST", "/data-sources/customer_profile_source/ingest", {
        rawBody,
        headers: contentType ? { "content-type": contentType } : {},
      });
      const body = await expectStatus(res, 400);
      expect({ sent: rawBody, code: body.error.code }).toEqual({ sent: rawBody, code });
      expect(body.request_id).toEqual(expect.any(String));
    }
    expect(await objects()).toEqual([]);
  });

  it("caps the rows per request at 100,000", async () => {
    const rows = Array.from({ length: 100_001 }, () => ({}));
    const body = await expectStatus(ingest("customer_profile_source", { rows }), 400);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.message).toMatch(/rows/);
  });

  it("answers 404 DATA_SOURCE_NOT_FOUND for an unknown source and for a push source", async () => {
    const row = { rows: [{ customer_id: "c1", event_timestamp: "2024-01-15T10:00:00Z" }] };
    const unknown = await expectStatus(ingest("no_such_source", row), 404);
    expect(unknown.error).toMatchObject({ code: "DATA_SOURCE_NOT_FOUND", details: { data_source: "no_such_source" } });
    expect(unknown.error.details.available_batch_sources).toContain("customer_profile_source");
    const push = await expectStatus(ingest("customer_realtime_updates", row), 404);
    expect(push.error).toMatchObject({
      code: "DATA_SOURCE_NOT_FOUND",
      details: { batch_source: "customer_realtime_batch" },
    });
    expect(push.error.message).toMatch(/push source/);
  });

  it("answers 409 CONFLICT for a source whose path names one file, writing nothing", async () => {
    await expectStatus(call("POST", "/apply", { body: CUSTOM }), 200);
    const body = await expectStatus(
      ingest("single_file_source", {
        rows: [{ customer_id: "c1", event_timestamp: "2024-01-15T10:00:00Z", score: 1 }],
      }),
      409,
    );
    expect(body.error).toMatchObject({ code: "CONFLICT", details: { data_source: "single_file_source" } });
    expect(await objects()).toEqual([]);
    expect(await manifest()).toEqual([]);
  });
});

describe("POST /data-sources/{name}/scan", () => {
  const PREFIX = "offline/ai_etl/customer_profile_source/";

  it("adopts a file dropped under the prefix into the bucketed layout, once; ingested files are already known", async () => {
    await expectStatus(
      ingest("customer_profile_source", {
        rows: [{ customer_id: "c0", event_timestamp: "2024-01-10T00:00:00Z", age: 20 }],
      }),
      200,
    );
    const bytes = await profileParquet([
      { customer_id: "c1", event_timestamp: T, age: 30 },
      { customer_id: "c2", event_timestamp: T + 1000, age: 31 },
    ]);
    const key = `${PREFIX}date=2024-06-30/dropped.parquet`;
    await env.OFFLINE_STORE.put(key, bytes);
    await env.OFFLINE_STORE.put(`${PREFIX}README.txt`, "not parquet, not looked at");

    const first = await expectStatus(scan("customer_profile_source"), 200);
    expect(first).toMatchObject({
      data_source: "customer_profile_source",
      discovered: [
        {
          path: key,
          rows: 2,
          bytes: bytes.byteLength,
          min_event_timestamp: "2024-06-30T15:45:23.000Z",
          max_event_timestamp: "2024-06-30T15:45:24.000Z",
        },
      ],
      adopting: [],
      files_known: 2,
      rows_known: 3,
    });
    expect(typeof first.processing_time_ms).toBe("number");
    // Its rows were rewritten into Larder's layout; the user's file itself is left as it is, and never read again.
    const adopted = (await manifest()).find((f) => f.origin === "adopted")!;
    expect(adopted).toMatchObject({ rows: 2, min_event_ts: T, max_event_ts: T + 1000 });
    expect(adopted.path).toMatch(/^offline\/ai_etl\/customer_profile_source\/bucket=0\/month=2024-06\/adopt-/);
    expect((await manifest()).some((f) => f.path === key)).toBe(false);
    expect(await env.OFFLINE_STORE.head(key)).not.toBeNull();
    expect((await stored("customer_profile_source", ["age"])).columns.customer_id.sort()).toEqual(["c0", "c1", "c2"]);

    const second = await expectStatus(scan("customer_profile_source", {}), 200);
    expect(second).toMatchObject({ discovered: [], files_known: 2, rows_known: 3 });
  });

  it("adds at most max_files per call", async () => {
    for (const day of ["01", "02"])
      await env.OFFLINE_STORE.put(
        `${PREFIX}date=2024-02-${day}/f.parquet`,
        await profileParquet([{ customer_id: "c", event_timestamp: Date.parse(`2024-02-${day}T00:00:00Z`) }]),
      );
    expect((await expectStatus(scan("customer_profile_source", { max_files: 1 }), 200)).discovered).toHaveLength(1);
    expect((await expectStatus(scan("customer_profile_source", { max_files: 1 }), 200)).discovered).toHaveLength(1);
    expect((await expectStatus(scan("customer_profile_source", { max_files: 1 }), 200)).discovered).toHaveLength(0);
    await expectStatus(scan("customer_profile_source", { max_files: 0 }), 400);
  });

  it("adopts a file whose footer has no statistics, with the time range of its rows", async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "customer_id", data: ["c1"], type: "STRING" },
        { name: "event_timestamp", data: [BigInt(T)], type: "TIMESTAMP" },
      ],
      statistics: false,
    });
    await env.OFFLINE_STORE.put(`${PREFIX}legacy/export.parquet`, bytes);
    const body = await expectStatus(scan("customer_profile_source"), 200);
    expect(body.discovered).toEqual([
      expect.objectContaining({
        path: `${PREFIX}legacy/export.parquet`,
        rows: 1,
        min_event_timestamp: new Date(T).toISOString(),
        max_event_timestamp: new Date(T).toISOString(),
      }),
    ]);
    const read = await stored("customer_profile_source", ["age"]);
    expect(read.columns.event_timestamp).toEqual([T]);
    // The file has no 'age' column: its rows did not carry it.
    expect([...read.carries.age]).toEqual([0]);
  });

  it("adopts the good file beside a bad one, and reports the bad one once, naming it", async () => {
    const good = `${PREFIX}date=2024-02-01/good.parquet`;
    await env.OFFLINE_STORE.put(good, await profileParquet([{ customer_id: "c", event_timestamp: T }]));
    const corrupt = `${PREFIX}date=2024-02-02/broken.parquet`;
    await env.OFFLINE_STORE.put(corrupt, "PAR1 this is not really parquet PAR1");
    const body = await expectStatus(scan("customer_profile_source"), 200);
    expect(body.discovered.map((f: { path: string }) => f.path)).toEqual([good]);
    expect(body.unreadable).toEqual([{ path: corrupt, reason: expect.stringContaining(corrupt) }]);
    expect(body.unreadable[0].reason).not.toMatch(/TypeError|undefined|Cannot read/);
    expect((await manifest()).map((f) => f.origin)).toEqual(["adopted"]);
    // Reported once: the next scan neither reads it again nor lists it.
    const again = await expectStatus(scan("customer_profile_source"), 200);
    expect(again).toMatchObject({ discovered: [], unreadable: [] });
    // Replaced by a readable file of another size, it is looked at again and adopted.
    await env.OFFLINE_STORE.put(corrupt, await profileParquet([{ customer_id: "d", event_timestamp: T + 1 }]));
    const fixed = await expectStatus(scan("customer_profile_source"), 200);
    expect(fixed.discovered.map((f: { path: string }) => f.path)).toEqual([corrupt]);
  });

  it("sets aside a file without the timestamp column and an empty file, with their reasons", async () => {
    const noTs = `${PREFIX}no-ts.parquet`;
    await env.OFFLINE_STORE.put(
      noTs,
      new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "customer_id", data: ["c"] }] })),
    );
    const body = await expectStatus(scan("customer_profile_source"), 200);
    expect(body.unreadable).toEqual([
      { path: noTs, reason: expect.stringMatching(/no timestamp column 'event_timestamp'/) },
    ]);
  });

  it("answers 404 for unknown and push sources", async () => {
    expect((await expectStatus(scan("no_such_source"), 404)).error.code).toBe("DATA_SOURCE_NOT_FOUND");
    expect((await expectStatus(scan("customer_realtime_updates"), 404)).error.code).toBe("DATA_SOURCE_NOT_FOUND");
  });
});

describe("auth", () => {
  const routes = ["ingest", "scan"];
  const row = { rows: [{ customer_id: "c1", event_timestamp: "2024-01-15T10:00:00Z" }] };

  it.each(routes)("%s answers 401 without a valid token", async (route) => {
    for (const bearer of [null, "not-a-jwt"]) {
      const body = await expectStatus(
        call("POST", `/data-sources/customer_profile_source/${route}`, { token: bearer, body: row }),
        401,
      );
      expect(body.error.code).toBe("UNAUTHENTICATED");
    }
  });

  it.each(routes)("%s answers 403 without offline:write for the project, and works with it", async (route) => {
    const path = `/data-sources/customer_profile_source/${route}`;
    const reader = await expectStatus(
      call("POST", path, {
        token: await token({ scopes: ["offline:read", "online:write"] }),
        body: route === "scan" ? {} : row,
      }),
      403,
    );
    expect(reader.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: "offline:write" } });
    const elsewhere = await expectStatus(
      call("POST", path, {
        token: await token({ scopes: ["offline:write"], projects: ["other"] }),
        body: route === "scan" ? {} : row,
      }),
      403,
    );
    expect(elsewhere.error.code).toBe("FORBIDDEN");
    await expectStatus(
      call("POST", path, {
        token: await token({ scopes: ["offline:write"], projects: ["ai_etl"] }),
        body: route === "scan" ? {} : row,
      }),
      200,
    );
  });
});
