/**
 * The Feast-compatible routes, replayed with the requests Feast's own clients
 * send (sdk/python/feast/infra/online_stores/remote.py) and checked field by
 * field against what Feast's feature server answers.
 */
import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { BASE, call, expectStatus, token } from "./helpers";
import { applyDemo } from "./fixtures";
import { seedOnline } from "./seed";
import { offlineSends } from "./task-queue";
import { pyDumps, pyIsoformat } from "./feast-client";

const HOUR = 3600_000;
const EPOCH = "1970-01-01T00:00:00Z";

interface PostOptions {
  token?: string | null;
  /** null: no Content-Type at all, as Feast's remote client posts `data=json.dumps(...)`. */
  contentType?: string | null;
}

/** POSTs to /feast/<path>; a string body is sent verbatim. */
async function post(path: string, body: unknown, options: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const bearer = options.token === undefined ? await token() : options.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const contentType = options.contentType === undefined ? "application/json" : options.contentType;
  if (contentType) headers["content-type"] = contentType;
  return exports.default.fetch(
    new Request(`${BASE}/feast${path}`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

/** Decodes an error as Feast's client does: `FeastError.from_error_detail(response.json())`. */
async function feastError(res: Response | Promise<Response>, status: number) {
  const response = await res;
  const text = await response.text();
  expect({ status: response.status, text }).toEqual({ status, text: expect.any(String) });
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  const outer = JSON.parse(text) as unknown;
  expect(typeof outer).toBe("string");
  expect(outer as string).toMatch(/^\{"module": "feast\.errors", "class": "[A-Za-z]+", "message": /);
  return JSON.parse(outer as string) as { module: string; class: string; message: string };
}

type OnlineBody = {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: string[]; event_timestamps: string[] }[];
};

async function feastRead(features: string[], ids: string[], extra: Record<string, unknown> = {}): Promise<OnlineBody> {
  return expectStatus<OnlineBody>(
    post("/get-online-features", { features, entities: { customer_id: ids }, ...extra }),
    200,
  );
}

function column(body: OnlineBody, name: string) {
  const index = body.metadata.feature_names.indexOf(name);
  expect(index).toBeGreaterThanOrEqual(0);
  return body.results[index];
}

let t1: number;
let t2: number;

beforeEach(async () => {
  await applyDemo();
  // One timestamp on a whole second, one with milliseconds: both forms of protobuf's JSON Timestamp.
  t1 = Math.floor((Date.now() - HOUR) / 1000) * 1000;
  t2 = t1 + 120;
  await seedOnline("customer", "customer_id", [
    { id: "cust_1", e: t1, v: { age: 34, lifetime_value: 2450.5, days_since_signup: 427, segment: "premium" } },
    { id: "cust_2", e: t2, v: { age: 28, lifetime_value: 890.25, days_since_signup: 156, segment: "standard" } },
  ]);
});

describe("GET /feast/health", () => {
  it("answers an empty 200 without a token, like Feast's", async () => {
    const res = await call("GET", "/feast/health", { token: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("POST /feast/get-online-features", () => {
  it("answers the remote online store's exact request (no Content-Type) in Feast's shape", async () => {
    // RemoteOnlineStore._construct_online_read_api_json_request: features as view:feature, one join key.
    const raw = pyDumps({
      features: ["customer:age", "customer:segment"],
      entities: { customer_id: ["cust_1", "cust_2", "nobody"] },
    });
    const res = await post("/get-online-features", raw, { contentType: null });
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = await expectStatus<OnlineBody>(res, 200);
    const at1 = new Date(t1).toISOString().replace(".000Z", "Z");
    const at2 = new Date(t2).toISOString();
    expect(at1).toMatch(/T\d\d:\d\d:\d\dZ$/);
    expect(at2).toMatch(/\.120Z$/);
    expect(body).toEqual({
      metadata: { feature_names: ["customer_id", "age", "segment"] },
      results: [
        {
          values: ["cust_1", "cust_2", "nobody"],
          statuses: ["PRESENT", "PRESENT", "PRESENT"],
          event_timestamps: [EPOCH, EPOCH, EPOCH],
        },
        { values: [34, 28, null], statuses: ["PRESENT", "PRESENT", "NOT_FOUND"], event_timestamps: [at1, at2, EPOCH] },
        {
          values: ["premium", "standard", null],
          statuses: ["PRESENT", "PRESENT", "NOT_FOUND"],
          event_timestamps: [at1, at2, EPOCH],
        },
      ],
    });
    // What RemoteOnlineStore.online_read then reads: names matched against the bare requested features,
    // values where the status is PRESENT, and _get_event_ts = results[1].event_timestamps[0].
    const requested = ["age", "segment"];
    const rows = [0, 1, 2].map((row) =>
      Object.fromEntries(
        body.metadata.feature_names.flatMap((name, i) =>
          requested.includes(name)
            ? [[name, body.results[i].statuses[row] === "PRESENT" ? body.results[i].values[row] : null]]
            : [],
        ),
      ),
    );
    expect(rows).toEqual([
      { age: 34, segment: "premium" },
      { age: 28, segment: "standard" },
      { age: null, segment: null },
    ]);
    expect(Date.parse(body.results[1].event_timestamps[0].replace("Z", "+00:00"))).toBe(t1);
  });

  it("takes full_feature_names as Feast does", async () => {
    const bare = await expectStatus<OnlineBody>(
      post("/get-online-features", {
        features: ["customer:age"],
        entities: { customer_id: ["cust_1"] },
        full_feature_names: false,
      }),
      200,
    );
    expect(bare.metadata.feature_names).toEqual(["customer_id", "age"]);
    const full = await expectStatus<OnlineBody>(
      post("/get-online-features", {
        features: ["customer:age", "transactions:count_30d"],
        entities: { customer_id: ["cust_1"] },
        full_feature_names: true,
      }),
      200,
    );
    expect(full.metadata.feature_names).toEqual(["customer_id", "customer__age", "transactions__count_30d"]);
    expect(full.results[1]).toEqual({
      values: [34],
      statuses: ["PRESENT"],
      event_timestamps: [new Date(t1).toISOString().replace(".000Z", "Z")],
    });
    expect(full.results[2]).toEqual({ values: [null], statuses: ["NOT_FOUND"], event_timestamps: [EPOCH] });
  });

  it("answers the feature_service variant with all the service's features, across views", async () => {
    const raw = pyDumps({
      feature_service: "customer_features_v1",
      entities: { customer_id: ["cust_2"] },
      full_feature_names: false,
    });
    const body = await expectStatus<OnlineBody>(post("/get-online-features", raw, { contentType: null }), 200);
    expect(body.metadata.feature_names).toEqual([
      "customer_id",
      "age",
      "lifetime_value",
      "days_since_signup",
      "segment",
      "total_count_30d",
      "avg_amount_30d",
    ]);
    expect(body.results.map((r) => r.values[0])).toEqual(["cust_2", 28, 890.25, 156, "standard", null, null]);
    expect(body.results.map((r) => r.statuses[0])).toEqual([
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "NOT_FOUND",
      "NOT_FOUND",
    ]);
    expect(body.results.map((r) => r.event_timestamps[0])).toEqual([
      EPOCH,
      ...Array(4).fill(new Date(t2).toISOString()),
      EPOCH,
      EPOCH,
    ]);
  });

  it("reports OUTSIDE_MAX_AGE (ttl on read) and NULL_VALUE, keeping the stored event timestamp", async () => {
    const old = Date.now() - 3 * 86400_000; // the customer view's ttl is 2 days
    const recent = Date.now() - 60_000;
    await seedOnline("customer", "customer_id", [
      { id: "cust_old", e: old, v: { age: 50 } },
      { id: "cust_null", e: recent, v: { age: null } },
    ]);
    const body = await feastRead(["customer:age"], ["cust_old", "cust_null"]);
    expect(column(body, "age")).toEqual({
      values: [null, null],
      statuses: ["OUTSIDE_MAX_AGE", "NULL_VALUE"],
      event_timestamps: [
        new Date(old).toISOString().replace(".000Z", "Z"),
        new Date(recent).toISOString().replace(".000Z", "Z"),
      ],
    });
  });

  describe("errors in Feast's error-detail form", () => {
    it("the router's onError applies through app.route: an unknown view is FeatureViewNotFoundException, not Larder's envelope", async () => {
      const res = await post(
        "/get-online-features",
        pyDumps({ features: ["customer_features:age"], entities: { customer_id: ["x"] } }),
        { contentType: null },
      );
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      expect(await feastError(res, 404)).toEqual({
        module: "feast.errors",
        class: "FeatureViewNotFoundException",
        message: "Feature view customer_features does not exist in project ai_etl",
      });
    });

    it("an unknown feature service is FeatureServiceNotFoundException", async () => {
      const err = await feastError(
        post("/get-online-features", { feature_service: "nope", entities: { customer_id: ["x"] } }),
        404,
      );
      expect(err).toEqual({
        module: "feast.errors",
        class: "FeatureServiceNotFoundException",
        message: "Feature service nope does not exist in project ai_etl",
      });
    });

    it("an entities column no requested view joins on is ignored, as Feast ignores it (was EntityNotFoundException)", async () => {
      const body = await expectStatus<OnlineBody>(
        post("/get-online-features", {
          features: ["customer:age"],
          entities: { customer_id: ["cust_1"], user_id: ["u"] },
        }),
        200,
      );
      expect(body.metadata.feature_names).toEqual(["customer_id", "age"]);
      expect(body.results[1].values).toEqual([34]);
    });

    it("an unknown feature of a known view is FeastObjectNotFoundException", async () => {
      const err = await feastError(
        post("/get-online-features", { features: ["customer:shoe_size"], entities: { customer_id: ["x"] } }),
        404,
      );
      expect(err.class).toBe("FeastObjectNotFoundException");
      expect(err.message).toMatch(/shoe_size/);
    });

    it("a bare-name collision is FeatureNameCollisionError", async () => {
      await expectStatus(
        call("POST", "/apply", {
          body: {
            feature_views: [
              {
                name: "customer_copy",
                entities: ["customer"],
                schema: [{ name: "age", dtype: "int32" }],
                source: "customer_profile_source",
              },
            ],
          },
        }),
        200,
      );
      const err = await feastError(
        post("/get-online-features", {
          features: ["customer:age", "customer_copy:age"],
          entities: { customer_id: ["x"] },
        }),
        400,
      );
      expect(err.class).toBe("FeatureNameCollisionError");
      expect(err.message).toMatch(/full_feature_names/);
    });

    it("bad input is FeastError with a 400 that says what to fix", async () => {
      const cases: [unknown, RegExp][] = [
        ["{not json", /JSON/],
        [{ features: ["customer:age"] }, /entities/],
        [{ entities: { customer_id: ["x"] } }, /feature_service, a features list/],
        [{ features: ["customer:age"], entities: { customer_id: [12] } }, /expected a string/],
        [
          {
            features: ["customer:age", "pipeline:success_rate_7d"],
            entities: { customer_id: ["a", "b"], pipeline_id: ["p"] },
          },
          /differ in length/,
        ],
      ];
      for (const [body, message] of cases) {
        const err = await feastError(post("/get-online-features", body, { contentType: null }), 400);
        expect({ body, class: err.class, message: err.message }).toEqual({
          body,
          class: "FeastError",
          message: expect.stringMatching(message),
        });
      }
    });
  });

  it("needs a token (401) and online:read for the project (403, FeastPermissionError)", async () => {
    const body = { features: ["customer:age"], entities: { customer_id: ["cust_1"] } };
    expect((await feastError(post("/get-online-features", body, { token: null }), 401)).class).toBe("FeastError");
    expect((await feastError(post("/get-online-features", body, { token: "not.a.jwt" }), 401)).class).toBe(
      "FeastError",
    );
    const denied = await feastError(
      post("/get-online-features", body, { token: await token({ scopes: ["online:write", "registry:read"] }) }),
      403,
    );
    expect(denied.class).toBe("FeastPermissionError");
    expect(denied.message).toMatch(/^Permission error:\n.*online:read/);
    await feastError(
      post("/get-online-features", body, { token: await token({ scopes: ["online:read"], projects: ["elsewhere"] }) }),
      403,
    );
    await expectStatus(
      post("/get-online-features", body, { token: await token({ scopes: ["online:read"], projects: ["ai_etl"] }) }),
      200,
    );
  });
});

describe("POST /feast/push", () => {
  const ts = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

  it("pushes a columnar df online by default and answers an empty body, like Feast", async () => {
    const at = Math.floor((Date.now() - 60_000) / 1000) * 1000;
    const df = {
      customer_id: ["c1", "c2"],
      event_timestamp: [pyIsoformat(at), pyIsoformat(at)],
      created: [null, null],
      cart_value: [10.5, 20],
      items_in_cart: [1, 2],
    };
    let res: Response | undefined;
    const sent = await offlineSends(async () => {
      res = await post(
        "/push",
        pyDumps({ push_source_name: "customer_realtime_updates", df, allow_registry_cache: true }),
        { contentType: null },
      );
    });
    expect(res!.status).toBe(200);
    expect(await res!.text()).toBe(""); // Feast's push answers Response(status_code=200)
    expect(sent).toEqual([]); // Feast's default `to` is online
    const read = await feastRead(["customer_realtime:cart_value", "customer_realtime:items_in_cart"], ["c1", "c2"]);
    const stamp = new Date(at).toISOString().replace(".000Z", "Z");
    expect(column(read, "cart_value")).toEqual({
      values: [10.5, 20],
      statuses: ["PRESENT", "PRESENT"],
      event_timestamps: [stamp, stamp],
    });
    expect(column(read, "items_in_cart").values).toEqual([1, 2]);
  });

  it("sends rows to the offline queue for online_and_offline and offline", async () => {
    const df = { customer_id: ["q1"], event_timestamp: [ts(-1000)], pages_viewed: [7] };
    const both = await offlineSends(async () => {
      await expectStatus(post("/push", { push_source_name: "customer_sessions", df, to: "online_and_offline" }), 200);
    });
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({
      kind: "push",
      project: "ai_etl",
      source: "customer_realtime_batch",
      rows: [{ keys: { customer_id: "q1" }, features: { pages_viewed: 7 } }],
    });
    expect(column(await feastRead(["customer_realtime:pages_viewed"], ["q1"]), "pages_viewed").values).toEqual([7]);
    const offline = await offlineSends(async () => {
      await expectStatus(
        post("/push", { push_source_name: "customer_sessions", df: { ...df, customer_id: ["q2"] }, to: "offline" }),
        200,
      );
    });
    expect(offline).toHaveLength(1);
    expect(column(await feastRead(["customer_realtime:pages_viewed"], ["q2"]), "pages_viewed").statuses).toEqual([
      "NOT_FOUND",
    ]);
  });

  it("rejects the whole df when one row is bad: nothing online, nothing offline", async () => {
    const df = {
      customer_id: ["good", "bad"],
      event_timestamp: [ts(-1000), ts(-1000)],
      cart_value: [1.5, 2.5],
      items_in_cart: [1, "four"],
    };
    let err: Awaited<ReturnType<typeof feastError>> | undefined;
    const sent = await offlineSends(async () => {
      err = await feastError(
        post("/push", { push_source_name: "customer_realtime_updates", df, to: "online_and_offline" }),
        400,
      );
    });
    expect(err!.class).toBe("FeastError");
    expect(err!.message).toMatch(
      /1 of 2 df row\(s\) rejected, nothing was written \(row 1: feature 'items_in_cart' \(int32\): expected an integer\)/,
    );
    expect(sent).toEqual([]);
    expect(column(await feastRead(["customer_realtime:cart_value"], ["good", "bad"]), "cart_value").statuses).toEqual([
      "NOT_FOUND",
      "NOT_FOUND",
    ]);
  });

  it("an unknown push source is PushSourceNotFoundException (422), as Feast answers", async () => {
    const err = await feastError(
      post("/push", {
        push_source_name: "nope",
        df: { customer_id: ["c"], event_timestamp: [ts(-1000)], cart_value: [1] },
      }),
      422,
    );
    expect(err).toEqual({
      module: "feast.errors",
      class: "PushSourceNotFoundException",
      message: "Unable to find push source 'nope'.",
    });
  });

  it("refuses a df it cannot read as rows, naming the columns", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { customer_id: ["a", "b"], event_timestamp: [ts(-1000)], cart_value: [1, 2] },
        /differ in length \(customer_id: 2, event_timestamp: 1, cart_value: 2\)/,
      ],
      [{ customer_id: ["a"], cart_value: [1] }, /no event timestamp column: add event_timestamp/],
      [
        { customer_id: ["a"], event_timestamp: [ts(-1000)], cart_value: [1], shoe_size: [44] },
        /df column\(s\) shoe_size are not join keys \(customer_id\)/,
      ],
      [{ customer_id: ["a"], event_timestamp: [ts(-1000)] }, /no feature column/],
      [{ customer_id: "a" }, /df/],
      [
        {
          customer_id: Array(1001).fill("a"),
          event_timestamp: Array(1001).fill(ts(-1000)),
          cart_value: Array(1001).fill(1),
        },
        /At most 1000 rows/,
      ],
    ];
    for (const [df, message] of cases) {
      const err = await feastError(post("/push", { push_source_name: "customer_realtime_updates", df }), 400);
      expect({ df: Object.keys(df), class: err.class, message: err.message }).toEqual({
        df: Object.keys(df),
        class: "FeastError",
        message: expect.stringMatching(message),
      });
    }
    // An empty df is nothing to push.
    await expectStatus(post("/push", { push_source_name: "customer_realtime_updates", df: {} }), 200);
  });

  it("needs the write scopes its destination names", async () => {
    const body = {
      push_source_name: "customer_realtime_updates",
      df: { customer_id: ["s1"], event_timestamp: [ts(-1000)], cart_value: [3] },
    };
    expect((await feastError(post("/push", body, { token: null }), 401)).class).toBe("FeastError");
    const onlineWriter = await token({ scopes: ["online:write"] });
    const denied = await feastError(post("/push", { ...body, to: "online_and_offline" }, { token: onlineWriter }), 403);
    expect(denied).toEqual({
      module: "feast.errors",
      class: "FeastPermissionError",
      message: "Permission error:\nThis token lacks the 'offline:write' scope",
    });
    await expectStatus(post("/push", body, { token: onlineWriter }), 200);
    await feastError(post("/push", body, { token: await token({ scopes: ["online:read"] }) }), 403);
  });
});

describe("POST /feast/write-to-online-store", () => {
  it("takes the remote online store's online_write_batch body and reads back", async () => {
    const at = Date.now() - 30 * 60_000;
    // RemoteOnlineStore.online_write_batch: join keys, features, naive-UTC isoformat timestamps, `created`.
    const body = {
      feature_view_name: "customer",
      df: {
        customer_id: ["w1", "w2"],
        age: [41, 19],
        segment: ["gold", null],
        event_timestamp: [pyIsoformat(at), pyIsoformat(at + 1000)],
        created: [null, null],
      },
      allow_registry_cache: false,
    };
    const res = await post("/write-to-online-store", body);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("null");
    const read = await feastRead(["customer:age", "customer:segment"], ["w1", "w2"]);
    expect(read).toEqual({
      metadata: { feature_names: ["customer_id", "age", "segment"] },
      results: [
        { values: ["w1", "w2"], statuses: ["PRESENT", "PRESENT"], event_timestamps: [EPOCH, EPOCH] },
        {
          values: [41, 19],
          statuses: ["PRESENT", "PRESENT"],
          event_timestamps: [new Date(at).toISOString(), new Date(at + 1000).toISOString()].map((s) =>
            s.replace(".000Z", "Z"),
          ),
        },
        {
          values: ["gold", null],
          statuses: ["PRESENT", "NULL_VALUE"],
          event_timestamps: [new Date(at).toISOString(), new Date(at + 1000).toISOString()].map((s) =>
            s.replace(".000Z", "Z"),
          ),
        },
      ],
    });
  });

  it("newest wins feature by feature: a newer row replaces what it carries, features it lacks keep their value", async () => {
    const write = (df: Record<string, unknown[]>) =>
      expectStatus(post("/write-to-online-store", { feature_view_name: "customer", df }), 200);
    const base = Date.now() - 10 * 60_000;
    await write({
      customer_id: ["w3"],
      event_timestamp: [new Date(base).toISOString()],
      age: [30],
      segment: ["basic"],
    });
    await write({
      customer_id: ["w3"],
      event_timestamp: [new Date(base - 60_000).toISOString()],
      age: [99],
      segment: ["stale"],
    }); // older: skipped
    expect(column(await feastRead(["customer:age"], ["w3"]), "age").values).toEqual([30]);
    await write({ customer_id: ["w3"], event_timestamp: [new Date(base + 60_000).toISOString()], age: [31] });
    const read = await feastRead(["customer:age", "customer:segment"], ["w3"]);
    expect(column(read, "age").values).toEqual([31]);
    expect(column(read, "segment")).toMatchObject({ values: ["basic"], statuses: ["PRESENT"] });
    // An explicit null is carried: it sets the feature to null.
    await write({ customer_id: ["w3"], event_timestamp: [new Date(base + 120_000).toISOString()], segment: [null] });
    const after = await feastRead(["customer:age", "customer:segment"], ["w3"]);
    expect(column(after, "age").values).toEqual([31]);
    expect(column(after, "segment")).toMatchObject({ values: [null], statuses: ["NULL_VALUE"] });
  });

  it("validates every row against the view and writes nothing when one is bad", async () => {
    const df = {
      customer_id: ["ok", "bad"],
      event_timestamp: [new Date().toISOString(), new Date().toISOString()],
      age: [20, 2.5],
    };
    const err = await feastError(post("/write-to-online-store", { feature_view_name: "customer", df }), 400);
    expect(err.class).toBe("FeastError");
    expect(err.message).toMatch(/row 1: feature 'age' \(int32\): expected an integer/);
    expect(column(await feastRead(["customer:age"], ["ok"]), "age").statuses).toEqual(["NOT_FOUND"]);
    const noKey = await feastError(
      post("/write-to-online-store", {
        feature_view_name: "customer",
        df: { event_timestamp: [new Date().toISOString()], age: [1] },
      }),
      400,
    );
    expect(noKey.message).toMatch(/customer_id/);
    const stranger = await feastError(
      post("/write-to-online-store", {
        feature_view_name: "customer",
        df: { customer_id: ["x"], event_timestamp: [new Date().toISOString()], cart_value: [1] },
      }),
      400,
    );
    expect(stranger.message).toMatch(
      /cart_value are not join keys \(customer_id\), timestamps or features of feature view 'customer'/,
    );
  });

  it("an unknown view is FeatureViewNotFoundException", async () => {
    const err = await feastError(
      post("/write-to-online-store", {
        feature_view_name: "nope",
        df: { customer_id: ["x"], event_timestamp: [new Date().toISOString()], age: [1] },
      }),
      404,
    );
    expect(err).toEqual({
      module: "feast.errors",
      class: "FeatureViewNotFoundException",
      message: "Feature view nope does not exist in project ai_etl",
    });
  });

  it("needs a token (401) and online:write (403)", async () => {
    const body = {
      feature_view_name: "customer",
      df: { customer_id: ["a1"], event_timestamp: [new Date().toISOString()], age: [1] },
    };
    expect((await feastError(post("/write-to-online-store", body, { token: null }), 401)).class).toBe("FeastError");
    const denied = await feastError(
      post("/write-to-online-store", body, { token: await token({ scopes: ["online:read", "offline:write"] }) }),
      403,
    );
    expect(denied.message).toMatch(/online:write/);
    await expectStatus(post("/write-to-online-store", body, { token: await token({ scopes: ["online:write"] }) }), 200);
  });
});

describe("the Feast routes in GET /openapi.json", () => {
  it("are documented, with health open and the rest behind the bearer token", async () => {
    type Op = {
      security?: unknown[];
      requestBody?: { content?: Record<string, { schema?: unknown }> };
      responses?: Record<string, unknown>;
    };
    const doc = await expectStatus<{ paths: Record<string, Record<string, Op>> }>(
      call("GET", "/openapi.json", { token: null }),
      200,
    );
    expect(doc.paths["/feast/health"].get.security).toEqual([]);
    for (const path of ["/feast/get-online-features", "/feast/push", "/feast/write-to-online-store"]) {
      const op = doc.paths[path].post;
      expect(op.security).toBeUndefined();
      expect(op.requestBody?.content?.["application/json"]?.schema).toEqual(expect.any(Object));
      expect(Object.keys(op.responses ?? {})).toEqual(expect.arrayContaining(["200", "400", "401", "403"]));
    }
    expect(Object.keys(doc.paths["/feast/push"].post.responses ?? {})).toContain("422");
  });
});

describe("feast/materialize and feast/materialize-incremental", () => {
  it("take Feast's request shapes, answer once the job has ended, need the materialize scope, and answer errors in Feast's form", async () => {
    // Nothing in this window: the job is completed before the answer (waiting is tested in feast-materialize.test.ts).
    const started = await call("POST", "/feast/materialize", {
      body: { start_ts: "2024-06-01T00:00:00", end_ts: "2024-06-30T23:59:59", feature_views: ["customer"] },
    });
    expect({ status: started.status, text: await started.text() }).toEqual({ status: 200, text: "null" });
    const id = started.headers.get("x-larder-materialization-id");
    const status = await expectStatus(call("GET", `/materialization-status/${id}`), 200);
    expect(status).toMatchObject({ status: "completed", feature_views: ["customer"] }); // nothing in that window
    const window = async (jobId: string | null) => {
      const row = await env.DB.prepare("SELECT spec FROM jobs WHERE id = ?").bind(jobId).first<{ spec: string }>();
      return (JSON.parse(row!.spec) as { windows: Record<string, { start: number; end: number }> }).windows.customer;
    };
    expect(await window(id)).toEqual({
      start: Date.parse("2024-06-01T00:00:00Z"),
      end: Date.parse("2024-06-30T23:59:59Z"),
    });
    const incremental = await call("POST", "/feast/materialize-incremental", {
      body: { end_ts: "2024-07-01T00:00:00", feature_views: ["customer"] },
    });
    expect(incremental.status).toBe(200);
    expect((await window(incremental.headers.get("x-larder-materialization-id"))).start).toBe(
      Date.parse("2024-06-30T23:59:59.001Z"),
    );
    const denied = await call("POST", "/feast/materialize", {
      body: { start_ts: "2024-06-01T00:00:00", end_ts: "2024-06-30T23:59:59" },
      token: await token({ scopes: ["online:read"] }),
    });
    expect(denied.status).toBe(403);
    const missing = await feastError(
      call("POST", "/feast/materialize", {
        body: { start_ts: "2024-06-01T00:00:00", end_ts: "2024-06-30T23:59:59", feature_views: ["nope"] },
      }),
      404,
    );
    expect(missing.class).toBe("FeatureViewNotFoundException");
  });
});
