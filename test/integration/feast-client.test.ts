/**
 * Larder as a drop-in server for Feast's own client (issue 13): the request
 * bodies Feast sends, replayed, and the answers parsed exactly as Feast's
 * client parses them, with the demo's views (plus one view with the array
 * and float32 dtypes the demo lacks).
 *
 * Feast sources followed, at feast-dev/feast commit
 * f0bc0700be7029166e6605e407de6d229cd1e93e (2026-08-21):
 * - sdk/python/feast/infra/online_stores/remote.py (RemoteOnlineStore; ported in ./feast-remote.ts)
 * - sdk/python/tests/unit/test_feature_server.py (push_body, get_online_features_body, test_push_and_get,
 *   assert_get_online_features_response_format, test_push_source_does_not_exist, test_push_batched_matrix,
 *   test_get_online_features_non_empty_response)
 * - sdk/python/feast/feature_server.py (the routes, PushFeaturesRequest, GetOnlineDocumentsRequest, push's
 *   empty `Response(status_code=200)`)
 * - sdk/python/feast/utils.py (`_prepare_entities_to_read_from_online_store`: unknown entities keys skipped)
 * - sdk/python/feast/type_map.py (value inference and conversion; ported in ./feast-type-map.ts)
 * - sdk/python/feast/errors.py, sdk/python/feast/rest_error_handler.py (error details; ./feast-client.ts)
 * - sdk/python/feast/feature_server_utils.py (how Feast's server writes values)
 * Materialization is in feast-materialize.test.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { DOCUMENT_SEARCH_UNSUPPORTED } from "../../src/api/feast-search-routes";
import { FeastClientError, PyFloat, post, pyLoads, pyStrUtc, wrappedPost } from "./feast-client";
import { type FeastTable, RemoteOnlineStore } from "./feast-remote";
import { pythonValuesToProtoValues } from "./feast-type-map";
import { applyDemo } from "./fixtures";
import { call, expectStatus, token } from "./helpers";
import { seedOnline } from "./seed";
import { offlineSends } from "./task-queue";

const HOUR = 3_600_000;

/** The demo's views as Feast's client declares them (Feast dtype → ValueType). */
const CUSTOMER: FeastTable = {
  name: "customer",
  joinKey: "customer_id",
  features: { age: "INT32", lifetime_value: "DOUBLE", days_since_signup: "INT32", segment: "STRING" },
};
const REALTIME: FeastTable = {
  name: "customer_realtime",
  joinKey: "customer_id",
  features: {
    last_login_timestamp: "UNIX_TIMESTAMP",
    session_count_today: "INT32",
    cart_value: "DOUBLE",
    items_in_cart: "INT32",
    current_session_duration: "DOUBLE",
    pages_viewed: "INT32",
  },
};
const VECTORS: FeastTable = {
  name: "customer_vectors",
  joinKey: "customer_id",
  features: {
    embedding: "DOUBLE_LIST",
    weights: "FLOAT_LIST",
    score: "FLOAT",
    visits: "INT64_LIST",
    seen_at: "UNIX_TIMESTAMP_LIST",
    flags: "BOOL_LIST",
    labels: "STRING_LIST",
  },
};

/** A view with the dtypes the demo lacks: arrays, float32. */
async function applyVectors(project?: string) {
  await expectStatus(
    call("POST", `/apply${project ? `?project=${project}` : ""}`, {
      body: {
        data_sources: [
          {
            name: "customer_vectors_source",
            type: "batch",
            path: "r2://larder-offline/customer_vectors_source/",
            timestamp_field: "event_timestamp",
          },
        ],
        feature_views: [
          {
            name: "customer_vectors",
            entities: ["customer"],
            source: "customer_vectors_source",
            ttl_seconds: 0,
            online: true,
            schema: [
              { name: "embedding", dtype: "array<float64>" },
              { name: "weights", dtype: "array<float32>" },
              { name: "score", dtype: "float32" },
              { name: "visits", dtype: "array<int64>" },
              { name: "big_count", dtype: "int64" },
              { name: "seen_at", dtype: "array<unix_timestamp>" },
              { name: "flags", dtype: "array<bool>" },
              { name: "labels", dtype: "array<string>" },
            ],
          },
        ],
      },
    }),
    200,
  );
}

/** The value arrays of an answer's text, by feature name, exactly as written. */
function valueTexts(text: string): Record<string, string> {
  const names = (JSON.parse(text) as { metadata: { feature_names: string[] } }).metadata.feature_names;
  const arrays = [...text.matchAll(/\{"values":(\[.*?\]),"statuses":/g)].map((m) => m[1]);
  expect(arrays).toHaveLength(names.length);
  return Object.fromEntries(names.map((n, i) => [n, arrays[i]]));
}

let admin: string;
let feast: RemoteOnlineStore;

beforeEach(async () => {
  await applyDemo();
  admin = await token();
  feast = new RemoteOnlineStore("/feast", admin);
});

describe("values follow each feature's dtype on the Feast routes", () => {
  it("test_push_and_get: a push, then get-online-features in Feast's response format", async () => {
    // push_body(lat=55.1), with the demo's push source and view.
    const now = Date.now() - 1000;
    const push = {
      push_source_name: "customer_realtime_updates",
      df: {
        cart_value: [55.1],
        items_in_cart: [2],
        customer_id: ["cust_123"],
        event_timestamp: [pyStrUtc(now)],
        created_timestamp: [pyStrUtc(now)],
      },
      to: "online",
    };
    const pushed = await post("/feast", "/push", push, { token: admin });
    expect(pushed.status).toBe(200);
    // get_online_features_body()
    const request = {
      features: ["customer_realtime:cart_value", "customer_realtime:items_in_cart"],
      entities: { customer_id: ["cust_123"] },
    };
    const res = await post("/feast", "/get-online-features", request, { token: admin });
    const actual = pyLoads(res.text) as {
      metadata: { feature_names: string[] };
      results: { values: unknown[]; statuses: string[] }[];
    };
    const ix = actual.metadata.feature_names.indexOf("cart_value");
    expect(actual.results[ix].values[0]).toBeCloseTo(55.1, 4);
    // assert_get_online_features_response_format(actual, "cust_123")
    expect(actual.metadata.feature_names).toHaveLength(3);
    expect(actual.metadata.feature_names).toEqual(
      expect.arrayContaining(["customer_id", "cart_value", "items_in_cart"]),
    );
    for (const result of actual.results) expect(result.statuses).toEqual(["PRESENT"]);
    expect(actual.results[actual.metadata.feature_names.indexOf("customer_id")].values[0]).toBe("cust_123");
    // test_get_online_features_non_empty_response: the join key vector first, echoing the request.
    expect(actual.results[0]).toMatchObject({ values: ["cust_123"], statuses: ["PRESENT"] });
  });

  it("writes whole floats with a decimal point and ints without, so Feast's client keeps their types", async () => {
    const at = Date.now() - HOUR;
    const df = {
      customer_id: ["c1", "c2"],
      event_timestamp: [pyStrUtc(at), pyStrUtc(at)],
      cart_value: [new PyFloat(100), 19.99],
      current_session_duration: [new PyFloat(0), new PyFloat(12)],
      items_in_cart: [3, 0],
      session_count_today: [1, 2],
    };
    expect(
      (await post("/feast", "/push", { push_source_name: "customer_realtime_updates", df }, { token: admin })).status,
    ).toBe(200);
    const features = ["cart_value", "current_session_duration", "items_in_cart"];
    const res = await post(
      "/feast",
      "/get-online-features",
      { features: features.map((f) => `customer_realtime:${f}`), entities: { customer_id: ["c1", "c2", "nobody"] } },
      { token: admin },
    );
    expect(valueTexts(res.text)).toEqual({
      customer_id: '["c1","c2","nobody"]',
      cart_value: "[100.0,19.99,null]",
      current_session_duration: "[0.0,12.0,null]",
      items_in_cart: "[3,0,null]",
    });
    // The whole text, as Starlette's JSONResponse writes convert_response_to_dict: compact, results first.
    const E = "1970-01-01T00:00:00Z";
    const T = new Date(at).toISOString().replace(".000Z", "Z");
    const featureVector = (values: string) =>
      `{"values":${values},"statuses":["PRESENT","PRESENT","NOT_FOUND"],"event_timestamps":["${T}","${T}","${E}"]}`;
    expect(res.text).toBe(
      `{"results":[{"values":["c1","c2","nobody"],"statuses":["PRESENT","PRESENT","PRESENT"],"event_timestamps":["${E}","${E}","${E}"]},` +
        `${featureVector("[100.0,19.99,null]")},${featureVector("[0.0,12.0,null]")},${featureVector("[3,0,null]")}],` +
        `"metadata":{"feature_names":["customer_id","cart_value","current_session_duration","items_in_cart"]}}`,
    );
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    // RemoteOnlineStore.get_online_features → _build_online_response_from_json: types inferred from the JSON.
    const response = await feast.getOnlineFeatures(
      features.map((f) => `customer_realtime:${f}`),
      { customer_id: ["c1", "c2"] },
    );
    const column = (name: string) => response.results[response.featureNames.indexOf(name)].values;
    expect(column("cart_value")).toEqual([
      { field: "double_val", value: 100 },
      { field: "double_val", value: 19.99 },
    ]);
    expect(column("current_session_duration").map((v) => v.field)).toEqual(["double_val", "double_val"]);
    expect(column("items_in_cart")).toEqual([
      { field: "int64_val", value: 3n },
      { field: "int64_val", value: 0n },
    ]);
    // RemoteOnlineStore.online_read: values typed by the view's features.
    const rows = await feast.onlineRead(REALTIME, ["c1"], ["cart_value", "items_in_cart"]);
    expect(rows).toEqual([
      [
        at,
        {
          cart_value: { field: "double_val", value: 100 },
          items_in_cart: { field: "int32_val", value: 3n },
        },
      ],
    ]);
  });

  it("reads arrays and float32 written by online_write_batch back without Feast's 'inconsistent' error", async () => {
    await applyVectors();
    const at = Date.now() - HOUR;
    // The old answer, `[1, 2.5, 3]`, is what Feast's client refuses:
    expect(() => pythonValuesToProtoValues([[1n, 2.5, 3n]])).toThrow(
      /List value type for field {2}is inconsistent\. ValueType\.INT64 different from ValueType\.DOUBLE/,
    );
    expect(() => pythonValuesToProtoValues([[1n, 2.5, 3n]], "DOUBLE_LIST")).toThrow(/TypeError: Value "1"/);
    await feast.onlineWriteBatch(VECTORS, [
      {
        key: "v1",
        eventTs: at,
        features: {
          embedding: [new PyFloat(1), 2.5, new PyFloat(3)],
          weights: [new PyFloat(0), 0.5],
          score: new PyFloat(2),
          visits: [1, 2, 3],
          seen_at: [1719762323, 1719762324],
          flags: [true, false],
          labels: ["a", "é"],
        },
      },
    ]);
    const refs = Object.keys(VECTORS.features).map((f) => `customer_vectors:${f}`);
    const res = await post(
      "/feast",
      "/get-online-features",
      { features: refs, entities: { customer_id: ["v1"] } },
      { token: admin },
    );
    expect(res.status).toBe(200);
    expect(valueTexts(res.text)).toEqual({
      customer_id: '["v1"]',
      embedding: "[[1.0,2.5,3.0]]",
      weights: "[[0.0,0.5]]",
      score: "[2.0]",
      visits: "[[1,2,3]]",
      seen_at: "[[1719762323,1719762324]]",
      flags: "[[true,false]]",
      labels: '[["a","é"]]',
    });
    const inferred = await feast.getOnlineFeatures(refs, { customer_id: ["v1"] });
    expect(inferred.results.map((r) => r.values[0].field)).toEqual([
      "string_val",
      "double_list_val",
      "double_list_val",
      "double_val",
      "int64_list_val",
      "int64_list_val",
      "bool_list_val",
      "string_list_val",
    ]);
    const [[eventTs, typed]] = await feast.onlineRead(VECTORS, ["v1"], Object.keys(VECTORS.features));
    expect(eventTs).toBe(at);
    expect(typed).toEqual({
      embedding: { field: "double_list_val", value: [1, 2.5, 3] },
      weights: { field: "float_list_val", value: [0, 0.5] },
      score: { field: "float_val", value: 2 },
      visits: { field: "int64_list_val", value: [1n, 2n, 3n] },
      seen_at: { field: "unix_timestamp_list_val", value: [1719762323n, 1719762324n] },
      flags: { field: "bool_list_val", value: [true, false] },
      labels: { field: "string_list_val", value: ["a", "é"] },
    });
  });

  it("writes an int64 beyond 2^53 (kept as a decimal string) as an exact JSON integer", async () => {
    await applyVectors();
    await seedOnline("customer_vectors", "customer_id", [
      { id: "big", e: Date.now() - HOUR, v: { big_count: "9007199254740993", visits: ["9223372036854775807", 1] } },
    ]);
    const res = await post(
      "/feast",
      "/get-online-features",
      { features: ["customer_vectors:big_count", "customer_vectors:visits"], entities: { customer_id: ["big"] } },
      { token: admin },
    );
    expect(valueTexts(res.text)).toMatchObject({
      big_count: "[9007199254740993]",
      visits: "[[9223372036854775807,1]]",
    });
    const [[, typed]] = await feast.onlineRead(
      { ...VECTORS, features: { big_count: "INT64", visits: "INT64_LIST" } },
      ["big"],
      ["big_count"],
    );
    expect(typed.big_count).toEqual({ field: "int64_val", value: 9007199254740993n });
  });

  it("writes unix_timestamp features as integer epoch seconds, whether pushed as RFC 3339 or as seconds", async () => {
    const at = Date.now() - HOUR;
    const df = {
      customer_id: ["t1", "t2", "t3"],
      event_timestamp: [pyStrUtc(at), pyStrUtc(at), pyStrUtc(at)],
      last_login_timestamp: ["2024-06-30T15:45:23.750Z", 1719762323, "1969-12-31T23:59:59.500Z"],
    };
    await post("/feast", "/push", { push_source_name: "customer_realtime_updates", df }, { token: admin });
    const request = {
      features: ["customer_realtime:last_login_timestamp"],
      entities: { customer_id: ["t1", "t2", "t3"] },
    };
    const res = await post("/feast", "/get-online-features", request, { token: admin });
    expect(valueTexts(res.text).last_login_timestamp).toBe("[1719762323,1719762323,0]");
    // The old answer, an RFC 3339 string, is what online_read could not convert:
    expect(() => pythonValuesToProtoValues(["2024-06-30T15:45:23.750Z"], "UNIX_TIMESTAMP")).toThrow(
      "ValueError: invalid literal for int() with base 10: '2024-06-30T15:45:23.750Z'",
    );
    const rows = await feast.onlineRead(REALTIME, ["t1", "t2"], ["last_login_timestamp"]);
    expect(rows.map(([, v]) => v.last_login_timestamp)).toEqual([
      { field: "unix_timestamp_val", value: 1719762323n },
      { field: "unix_timestamp_val", value: 1719762323n },
    ]);
  });

  it("leaves Larder's own routes in their documented forms", async () => {
    const at = Date.now() - HOUR;
    await post(
      "/feast",
      "/push",
      {
        push_source_name: "customer_realtime_updates",
        df: {
          customer_id: ["own"],
          event_timestamp: [pyStrUtc(at)],
          cart_value: [new PyFloat(100)],
          last_login_timestamp: ["2024-06-30T15:45:23Z"],
        },
      },
      { token: admin },
    );
    const res = await call("POST", "/online-features", {
      body: {
        features: ["customer_realtime:cart_value", "customer_realtime:last_login_timestamp"],
        entities: { customer_id: ["own"] },
      },
    });
    const text = await res.text();
    expect(text).toContain('"own":{"cart_value":100,"last_login_timestamp":"2024-06-30T15:45:23Z"}');
  });
});

describe("entities keys no requested view joins on are ignored, as Feast ignores them", () => {
  beforeEach(async () => {
    await seedOnline("customer", "customer_id", [{ id: "cust_1", e: Date.now() - HOUR, v: { age: 34 } }]);
  });

  it("answers with the join keys only, in request order", async () => {
    const res = await wrappedPost(
      "/feast",
      "/get-online-features",
      {
        features: ["customer:age"],
        entities: { user_id: ["u1"], customer_id: ["cust_1"], request_rating: [new PyFloat(4)], note: [null] },
      },
      { token: admin },
    );
    expect(res.status).toBe(200);
    const body = pyLoads(res.text) as { metadata: { feature_names: string[] }; results: { values: unknown[] }[] };
    expect(body.metadata.feature_names).toEqual(["customer_id", "age"]);
    expect(body.results.map((r) => r.values)).toEqual([["cust_1"], [34n]]);
  });

  it("reads an entity's name as its join key (Feast's deprecated form)", async () => {
    const response = await feast.getOnlineFeatures(["customer:age"], { customer: ["cust_1"] });
    expect(response.featureNames).toEqual(["customer_id", "age"]);
    expect(response.results[1].values).toEqual([{ field: "int64_val", value: 34n }]);
  });

  it("still needs every join key, and columns of one length", async () => {
    const missing = feast.getOnlineFeatures(["customer:age"], { user_id: ["u1"] });
    await expect(missing).rejects.toThrow(FeastClientError);
    await expect(missing).rejects.toMatchObject({
      className: "FeastError",
      message: "Missing join key(s) customer_id in entities (ignored, not join keys of the requested views: user_id)",
    });
    await expect(
      feast.getOnlineFeatures(["customer:age"], { customer_id: ["cust_1"], user_id: ["u1", "u2"] }),
    ).rejects.toMatchObject({ className: "FeastError", message: expect.stringMatching(/differ in length/) });
  });
});

describe("document search: Feast's error form saying it is not supported", () => {
  it("makes Feast's client raise a FeastError with the reason, not a bare RuntimeError", async () => {
    const search = feast.retrieveOnlineDocuments(VECTORS, ["embedding"], [0.1, 0.2], 5);
    await expect(search).rejects.toThrow(FeastClientError);
    await expect(search).rejects.toMatchObject({ className: "FeastError", message: DOCUMENT_SEARCH_UNSUPPORTED });
    for (const route of ["/search", "/retrieve-online-documents"]) {
      const res = await post(
        "/feast",
        route,
        { features: [], query: [0.5], top_k: 3, api_version: 2 },
        { token: admin },
      );
      expect(res.status).toBe(501);
      expect(pyLoads(pyLoads(res.text) as string)).toEqual({
        module: "feast.errors",
        class: "FeastError",
        message: DOCUMENT_SEARCH_UNSUPPORTED,
      });
    }
  });

  it("checks the token, the scope and the body first", async () => {
    const body = { features: ["customer_vectors:embedding"], query: [0.5], top_k: 3 };
    expect((await post("/feast", "/search", body, { token: null })).status).toBe(401);
    const reader = await token({ scopes: ["online:write"] });
    await expect(wrappedPost("/feast", "/search", body, { token: reader })).rejects.toMatchObject({
      className: "FeastPermissionError",
    });
    const bad = await post("/feast", "/search", { top_k: "three" }, { token: admin });
    expect(bad.status).toBe(400);
  });
});

describe("push answers an empty body, as Feast's server does", () => {
  it("test_push_batched_matrix without batching: 200 and no body for every `to`", async () => {
    for (const [to, offlineRows] of [
      ["online", 0],
      ["offline", 1],
      ["online_and_offline", 1],
    ] as const) {
      // push_body_many(push_mode, count=2, id_start=100), with the demo's push source.
      const ids = [`${to}_100`, `${to}_101`];
      const now = Date.now() - 1000;
      const body = {
        push_source_name: "customer_realtime_updates",
        df: {
          cart_value: [new PyFloat(100), new PyFloat(101)],
          customer_id: ids,
          event_timestamp: [pyStrUtc(now), pyStrUtc(now)],
          created_timestamp: [pyStrUtc(now), pyStrUtc(now)],
        },
        to,
      };
      let reply: Awaited<ReturnType<typeof post>> | undefined;
      const sent = await offlineSends(async () => {
        reply = await post("/feast", "/push", body, { token: admin });
      });
      expect({ to, status: reply!.status, text: reply!.text }).toEqual({ to, status: 200, text: "" });
      expect(sent).toHaveLength(offlineRows);
      const online = await feast.onlineRead(REALTIME, ids, ["cart_value"]);
      expect(online.map(([, v]) => v.cart_value.field)).toEqual(
        to === "offline" ? [undefined, undefined] : ["double_val", "double_val"],
      );
    }
  });

  it("test_push_source_does_not_exist: Feast's client raises PushSourceNotFoundException", async () => {
    const body = {
      push_source_name: "push_source_does_not_exist",
      df: { any_data: [1], event_timestamp: [pyStrUtc(Date.now())] },
    };
    await expect(wrappedPost("/feast", "/push", body, { token: admin })).rejects.toMatchObject({
      className: "PushSourceNotFoundException",
      message: expect.stringMatching(/Unable to find push source 'push_source_does_not_exist'/),
    });
  });
});

describe("project-scoped Feast routes: /projects/{project}/feast", () => {
  beforeEach(async () => {
    await applyDemo("sandbox");
    await seedOnline("customer", "customer_id", [{ id: "cust_1", e: Date.now() - HOUR, v: { age: 34 } }]);
    await seedOnline("customer", "customer_id", [{ id: "cust_1", e: Date.now() - HOUR, v: { age: 61 } }], "sandbox");
  });

  const age = (store: RemoteOnlineStore) =>
    store.onlineRead(CUSTOMER, ["cust_1"], ["age"]).then((rows) => rows[0][1].age);

  it("serve the project in the path; /feast keeps the default project", async () => {
    expect(await age(new RemoteOnlineStore("/projects/sandbox/feast", admin))).toEqual({
      field: "int32_val",
      value: 61n,
    });
    expect(await age(feast)).toEqual({ field: "int32_val", value: 34n });
    const none = await new RemoteOnlineStore("/projects/empty_project/feast", admin)
      .getOnlineFeatures(["customer:age"], {
        customer_id: ["cust_1"],
      })
      .catch((e: unknown) => e);
    expect(none).toMatchObject({
      className: "FeatureViewNotFoundException",
      message: "Feature view customer does not exist in project empty_project",
    });
  });

  it("write and push through the path land in that project only", async () => {
    const sandbox = new RemoteOnlineStore("/projects/sandbox/feast", admin);
    await sandbox.onlineWriteBatch(CUSTOMER, [{ key: "w1", eventTs: Date.now() - 1000, features: { age: 7 } }]);
    const pushed = await post(
      "/projects/sandbox/feast",
      "/push",
      {
        push_source_name: "customer_realtime_updates",
        df: { customer_id: ["w1"], event_timestamp: [pyStrUtc(Date.now() - 1000)], cart_value: [1.5] },
      },
      { token: admin },
    );
    expect(pushed).toMatchObject({ status: 200, text: "" });
    expect((await sandbox.onlineRead(CUSTOMER, ["w1"], ["age"]))[0][1].age).toEqual({ field: "int32_val", value: 7n });
    expect((await sandbox.onlineRead(REALTIME, ["w1"], ["cart_value"]))[0][1].cart_value.field).toBe("double_val");
    expect((await feast.onlineRead(CUSTOMER, ["w1"], ["age"]))[0][1].age).toEqual({});
    expect((await feast.onlineRead(REALTIME, ["w1"], ["cart_value"]))[0][1].cart_value).toEqual({});
  });

  it("enforce the token's projects claim as ?project= does", async () => {
    const onlySandbox = await token({ scopes: ["online:read"], projects: ["sandbox"] });
    expect(await age(new RemoteOnlineStore("/projects/sandbox/feast", onlySandbox))).toEqual({
      field: "int32_val",
      value: 61n,
    });
    await expect(age(new RemoteOnlineStore("/feast", onlySandbox))).rejects.toMatchObject({
      className: "FeastPermissionError",
      message: "Permission error:\nThis token may not use project 'ai_etl'",
    });
    const onlyDefault = await token({ scopes: ["online:read"], projects: ["ai_etl"] });
    await expect(age(new RemoteOnlineStore("/projects/sandbox/feast", onlyDefault))).rejects.toMatchObject({
      className: "FeastPermissionError",
      message: "Permission error:\nThis token may not use project 'sandbox'",
    });
    const writer = await token({ scopes: ["online:write"], projects: ["ai_etl"] });
    await expect(
      new RemoteOnlineStore("/projects/sandbox/feast", writer).onlineWriteBatch(CUSTOMER, [
        { key: "x", eventTs: Date.now(), features: { age: 1 } },
      ]),
    ).rejects.toMatchObject({ className: "FeastPermissionError" });
    const res = await post("/projects/sandbox/feast", "/get-online-features", {}, { token: null });
    expect(res.status).toBe(401);
  });

  it("check the path's project with the project-name rule, and refuse a different ?project=", async () => {
    for (const bad of ["bad-name", "__proto__", "9lives"]) {
      const res = await post(`/projects/${bad}/feast`, "/get-online-features", {}, { token: admin });
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(fromDetail(res.text)).toMatchObject({
        class: "FeastError",
        message: expect.stringMatching(/Project name .* is not valid/),
      });
    }
    const request = { features: ["customer:age"], entities: { customer_id: ["cust_1"] } };
    const conflicting = await post("/projects/sandbox/feast", "/get-online-features", request, {
      token: admin,
      query: { project: "ai_etl" },
    });
    expect(conflicting.status).toBe(400);
    expect(fromDetail(conflicting.text).message).toMatch(/path names project 'sandbox' but \?project= names another/);
    const same = await post("/projects/sandbox/feast", "/get-online-features", request, {
      token: admin,
      query: { project: "sandbox" },
    });
    expect(same.status).toBe(200);
  });

  it("answer health without a token, and are documented with their path parameter", async () => {
    const health = await call("GET", "/projects/sandbox/feast/health", { token: null });
    expect({ status: health.status, text: await health.text() }).toEqual({ status: 200, text: "" });
    const doc = await expectStatus<{
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    }>(call("GET", "/openapi.json", { token: null }), 200);
    const scoped = Object.keys(doc.paths).filter((p) => p.startsWith("/projects/{project}/feast/"));
    expect(scoped.sort()).toEqual(
      [
        "get-online-features",
        "health",
        "materialize",
        "materialize-incremental",
        "push",
        "retrieve-online-documents",
        "search",
        "write-to-online-store",
      ].map((r) => `/projects/{project}/feast/${r}`),
    );
    for (const path of scoped) {
      for (const op of Object.values(doc.paths[path]))
        expect(op.parameters?.filter((p) => p.in === "path").map((p) => p.name)).toEqual(["project"]);
    }
  });
});

function fromDetail(text: string): { class: string; message: string } {
  return pyLoads(pyLoads(text) as string) as { class: string; message: string };
}
