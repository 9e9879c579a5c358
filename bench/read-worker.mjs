// The Worker of bench/read.mjs (bundled by esbuild with src/, run in workerd by
// Miniflare): the offline files sit in its R2 bucket `DATA` under
// <source>/<file>. Routes (POST, JSON body):
//   /decode {approach, window}    every file of both sources decoded with
//                                 readParquet ("current") or readParquetFast ("fast")
//   /join {entities, full}        the synchronous historical join as the service
//                                 does it (historical.ts): per view, readFileChunk over its
//                                 files (4 at a time, as scanRows) with the key set and the
//                                 entity rows' window, then pointInTimeJoin.
import { identityBuilder } from "../src/domain/entity-key";
import { pointInTimeJoin } from "../src/domain/pit-join";
import { mergeChunks, readFileChunk } from "../src/offline/offline-read";
import { readParquetFast } from "../src/offline/parquet-fast-read";
import { readParquet } from "../src/offline/parquet-read";
import { r2AsyncBuffer } from "../src/offline/r2-buffer";

const KEY = "user_id";
const TTL_SECONDS = 30 * 86_400;
const VIEWS = [
  { view: "hv_a", source: "hist_a", features: ["a_amount", "a_count"] },
  { view: "hv_b", source: "hist_b", features: ["b_score", "b_level"] },
];
const DTYPES = { a_amount: "float64", a_count: "int64", b_score: "float64", b_level: "int64" };
const COLUMNS = [KEY, "event_timestamp", "created_timestamp", "_larder_seq", "_larder_wid", "_larder_carried"];

async function files(bucket, source) {
  const listed = await bucket.list({ prefix: `${source}/` });
  return listed.objects.map((o) => ({ path: o.key, bytes: o.size }));
}

async function decode(env, { approach, window }) {
  const read = approach === "fast" ? readParquetFast : readParquet;
  let rows = 0;
  for (const { source, features } of VIEWS) {
    const list = await files(env.DATA, source);
    const tables = await Promise.all(
      list.map((f) =>
        read(r2AsyncBuffer(env.DATA, f.path, f.bytes), {
          columns: [...COLUMNS, ...features],
          dtypes: DTYPES,
          name: f.path,
          ...window,
        }),
      ),
    );
    for (const t of tables) rows += t.numRows;
  }
  return { rows };
}

async function join(env, { entities, full }) {
  const keyTypes = { [KEY]: "STRING" };
  const identity = identityBuilder([KEY], keyTypes, (k) => entities[k]);
  const keys = new Set(entities[KEY].map((_, i) => identity(i)));
  const minTs = Math.min(...entities.event_timestamp) - TTL_SECONDS * 1000;
  const maxTs = Math.max(...entities.event_timestamp);
  let rowsScanned = 0;
  const tables = await Promise.all(
    VIEWS.map(async ({ view, source, features }) => {
      const schema = {
        source: { name: source },
        joinKeys: [{ name: KEY, type: "STRING" }],
        features: features.map((name) => ({ name, dtype: DTYPES[name] })),
      };
      const list = await files(env.DATA, source);
      const chunks = [];
      for (let i = 0; i < list.length; i += 4) {
        const manifest = list.slice(i, i + 4).map((f) => ({
          ...f,
          timestamp_column: "event_timestamp",
          created_column: "created_timestamp",
          bucket: null,
        }));
        chunks.push(
          ...(await Promise.all(
            manifest.map((file) => readFileChunk(env.DATA, schema, file, { features, minTs, maxTs, keys })),
          )),
        );
      }
      const empty = {
        columns: Object.fromEntries(
          COLUMNS.slice(0, 5)
            .concat(features)
            .map((c) => [c, []]),
        ),
        numRows: 0,
        carries: {},
        rowsScanned: 0,
      };
      const all = mergeChunks(empty, chunks); // as R2OfflineStore.readRows
      rowsScanned += all.rowsScanned;
      return {
        view,
        joinKeys: [KEY],
        keyTypes,
        features,
        ttlSeconds: TTL_SECONDS,
        rows: all.columns,
        carries: all.carries,
      };
    }),
  );
  const result = pointInTimeJoin(entities, tables, { fullFeatureNames: false });
  const out = {
    rows: entities[KEY].length,
    rows_scanned: rowsScanned,
    rows_read: tables.map((t) => t.rows[KEY].length),
  };
  if (full)
    out.columns = Object.fromEntries(["a_amount", "a_count", "b_score", "b_level"].map((f) => [f, result.data[f]]));
  return out;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : {};
    try {
      if (url.pathname === "/decode") return Response.json(await decode(env, body));
      if (url.pathname === "/join") return Response.json(await join(env, body));
      return new Response("not found", { status: 404 });
    } catch (err) {
      return Response.json({ error: String(err?.stack ?? err) }, { status: 500 });
    }
  },
};
