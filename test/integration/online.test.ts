import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, expectStatus, token } from "./helpers";
import { applyDemo } from "./fixtures";
import { seedOnline } from "./seed";

const SPEC_ONLINE_BODY = {
  feature_service: "customer_features_v1",
  entities: { customer_id: ["cust_12345", "cust_67890"] },
  features: ["customer:age", "customer:lifetime_value", "customer:days_since_signup", "customer:segment"],
  full_feature_names: false,
};

const HOUR = 3600_000;

beforeEach(async () => {
  await applyDemo();
  const now = Date.now();
  await seedOnline("customer", "customer_id", [
    {
      id: "cust_12345",
      e: now - HOUR,
      v: { age: 34, lifetime_value: 2450.5, days_since_signup: 427, segment: "premium" },
    },
    {
      id: "cust_67890",
      e: now - HOUR,
      v: { age: 28, lifetime_value: 890.25, days_since_signup: 156, segment: "standard" },
    },
  ]);
});

describe("POST /online-features", () => {
  it("answers the specification's example in its shape", async () => {
    const res = await call("POST", "/online-features", { body: SPEC_ONLINE_BODY });
    const body = await expectStatus(res, 200);
    expect(body.feature_service).toBe("customer_features_v1");
    expect(body.entities).toEqual(SPEC_ONLINE_BODY.entities);
    expect(body.features).toEqual({
      cust_12345: { age: 34, lifetime_value: 2450.5, days_since_signup: 427, segment: "premium" },
      cust_67890: { age: 28, lifetime_value: 890.25, days_since_signup: 156, segment: "standard" },
    });
    expect(body.metadata).toMatchObject({
      features_count: 4,
      entities_count: 2,
      feature_views: ["customer"],
      keys_read: 2,
    });
    expect(typeof body.metadata.latency_ms).toBe("number");
    expect(body.statuses).toBeUndefined();
    expect(res.headers.get("server-timing")).toMatch(/registry;dur=.*kv;dur=.*total;dur=/);
  });

  it("a feature service alone gives all its features, across views", async () => {
    const body = await expectStatus(
      call("POST", "/online-features", {
        body: { feature_service: "customer_features_v1", entities: { customer_id: ["cust_12345"] } },
      }),
      200,
    );
    expect(Object.keys(body.features.cust_12345)).toEqual([
      "age",
      "lifetime_value",
      "days_since_signup",
      "segment",
      "total_count_30d",
      "avg_amount_30d",
    ]);
    expect(body.features.cust_12345.total_count_30d).toBeNull();
    expect(body.metadata.feature_views).toEqual(["customer", "transactions"]);
  });

  it("full_feature_names prefixes with the view, and statuses tell what happened", async () => {
    const body = await expectStatus(
      call("POST", "/online-features", {
        body: {
          features: ["customer:age", "transactions:count_30d"],
          entities: { customer_id: ["cust_12345", "nobody"] },
          full_feature_names: true,
          include_statuses: true,
        },
      }),
      200,
    );
    expect(body.features.cust_12345).toEqual({ customer__age: 34, transactions__count_30d: null });
    expect(body.features.nobody).toEqual({ customer__age: null, transactions__count_30d: null });
    expect(body.statuses.cust_12345).toEqual({ customer__age: "PRESENT", transactions__count_30d: "NOT_FOUND" });
    expect(body.statuses.nobody).toEqual({ customer__age: "NOT_FOUND", transactions__count_30d: "NOT_FOUND" });
  });

  it("applies the view's ttl on read: an old value is null with OUTSIDE_MAX_AGE", async () => {
    await seedOnline("customer", "customer_id", [
      { id: "cust_old", e: Date.now() - 172800_000 - 60_000, v: { age: 50, segment: "gone" } },
    ]);
    const body = await expectStatus(
      call("POST", "/online-features", {
        body: {
          features: ["customer:age", "customer:segment"],
          entities: { customer_id: ["cust_old", "cust_12345"] },
          include_statuses: true,
        },
      }),
      200,
    );
    expect(body.features.cust_old).toEqual({ age: null, segment: null });
    expect(body.statuses.cust_old).toEqual({ age: "OUTSIDE_MAX_AGE", segment: "OUTSIDE_MAX_AGE" });
    expect(body.statuses.cust_12345.age).toBe("PRESENT");
  });

  it("include_event_timestamps gives each value's event time (expired ones too), null where nothing was found", async () => {
    const old = Date.now() - 172800_000 - 60_000;
    await seedOnline("customer", "customer_id", [{ id: "cust_old", e: old, v: { age: 50, segment: "gone" } }]);
    const body = await expectStatus(
      call("POST", "/online-features", {
        body: {
          features: ["customer:age", "customer:segment"],
          entities: { customer_id: ["cust_old", "cust_12345", "nobody"] },
          include_event_timestamps: true,
        },
      }),
      200,
    );
    const at = new Date(old).toISOString();
    expect(body.event_timestamps.cust_old).toEqual({ age: at, segment: at });
    expect(Date.parse(body.event_timestamps.cust_12345.age)).toBeGreaterThan(Date.now() - 2 * HOUR);
    expect(body.event_timestamps.nobody).toEqual({ age: null, segment: null });
    expect(body.statuses).toBeUndefined();
    const without = await expectStatus(call("POST", "/online-features", { body: SPEC_ONLINE_BODY }), 200);
    expect(without.event_timestamps).toBeUndefined();
  });

  it("a stored null is NULL_VALUE, and a feature missing from an older record too", async () => {
    await seedOnline("customer", "customer_id", [{ id: "cust_partial", e: Date.now(), v: { age: null } }]);
    const body = await expectStatus(
      call("POST", "/online-features", {
        body: {
          features: ["customer:age", "customer:segment"],
          entities: { customer_id: ["cust_partial"] },
          include_statuses: true,
        },
      }),
      200,
    );
    expect(body.statuses.cust_partial).toEqual({ age: "NULL_VALUE", segment: "NULL_VALUE" });
  });

  it("reads composite keys, keyed by the join-key values joined with |", async () => {
    await expectStatus(
      call("POST", "/apply", {
        body: {
          entities: [
            {
              name: "store_product",
              join_keys: ["store_id", "product_id"],
              value_types: { store_id: "INT64", product_id: "STRING" },
            },
          ],
          data_sources: [{ name: "inventory_batch", type: "batch", path: "r2://larder-offline/inventory_batch/" }],
          push_sources: [{ name: "inventory_push", batch_source: "inventory_batch" }],
          feature_views: [
            {
              name: "inventory",
              entities: ["store_product"],
              schema: [{ name: "on_hand", dtype: "int32" }],
              source: "inventory_push",
              ttl_seconds: 0,
            },
          ],
        },
      }),
      200,
    );
    const push = await expectStatus(
      call("POST", "/push-features", {
        body: {
          push_source_name: "inventory_push",
          to: "online",
          features: [
            { store_id: 7, product_id: "sku-1", event_timestamp: "2024-01-01T00:00:00Z", features: { on_hand: 3 } },
            { store_id: 8, product_id: "sku-1", event_timestamp: "2024-01-01T00:00:00Z", features: { on_hand: 9 } },
          ],
        },
      }),
      200,
    );
    expect(push.accepted).toBe(2);
    const body = await expectStatus(
      call("POST", "/online-features", {
        body: {
          features: ["inventory:on_hand"],
          entities: { store_id: ["7", 8, 9], product_id: ["sku-1", "sku-1", "sku-1"] },
        },
      }),
      200,
    );
    expect(body.features).toEqual({
      "7|sku-1": { on_hand: 3 },
      "8|sku-1": { on_hand: 9 },
      "9|sku-1": { on_hand: null },
    });
  });

  describe("errors", () => {
    const cases: [string, unknown, number, string, RegExp][] = [
      [
        "an unknown view",
        { features: ["customer_features:age"], entities: { customer_id: ["x"] } },
        404,
        "FEATURE_VIEW_NOT_FOUND",
        /customer_features/,
      ],
      [
        "an unknown feature",
        { features: ["customer:shoe_size"], entities: { customer_id: ["x"] } },
        404,
        "FEATURE_NOT_FOUND",
        /shoe_size/,
      ],
      [
        "an unknown service",
        { feature_service: "nope", entities: { customer_id: ["x"] } },
        404,
        "FEATURE_SERVICE_NOT_FOUND",
        /nope/,
      ],
      [
        "a feature outside the service",
        {
          feature_service: "customer_features_v1",
          features: ["customer:tenure_days"],
          entities: { customer_id: ["x"] },
        },
        404,
        "FEATURE_NOT_FOUND",
        /not in feature service/,
      ],
      [
        "neither service nor features",
        { entities: { customer_id: ["x"] } },
        400,
        "VALIDATION_ERROR",
        /feature_service, a features list/,
      ],
      [
        "a bare-name collision",
        {
          features: ["transactions:count_30d", "customer:age", "support:ticket_count_90d"],
          entities: { customer_id: ["x"] },
        },
        200,
        "",
        /./,
      ],
      [
        "a missing join key",
        { features: ["customer:age"], entities: { user_id: ["x"] } },
        400,
        "VALIDATION_ERROR",
        /Missing join key\(s\) customer_id/,
      ],
      [
        "columns of different lengths",
        {
          features: ["pipeline:success_rate_7d", "customer:age"],
          entities: { customer_id: ["a", "b"], pipeline_id: ["p"] },
        },
        400,
        "VALIDATION_ERROR",
        /differ in length/,
      ],
      [
        "a wrongly typed entity value",
        { features: ["customer:age"], entities: { customer_id: [12] } },
        400,
        "VALIDATION_ERROR",
        /expected a string/,
      ],
      [
        "too many entities",
        { features: ["customer:age"], entities: { customer_id: Array.from({ length: 1001 }, (_, i) => `c${i}`) } },
        400,
        "VALIDATION_ERROR",
        /At most 1000/,
      ],
      [
        "an over-long entity value",
        { features: ["customer:age"], entities: { customer_id: ["x".repeat(600)] } },
        400,
        "VALIDATION_ERROR",
        /504 bytes/,
      ],
      [
        "a malformed reference",
        { features: ["age"], entities: { customer_id: ["x"] } },
        400,
        "VALIDATION_ERROR",
        /names a whole view|not a feature reference/,
      ],
      [
        "entities not an object of lists",
        { features: ["customer:age"], entities: { customer_id: "x" } },
        400,
        "VALIDATION_ERROR",
        /entities/,
      ],
    ];
    for (const [label, body, status, code, message] of cases) {
      if (status === 200) continue;
      it(label, async () => {
        const err = await expectStatus(call("POST", "/online-features", { body }), status);
        expect(err.error.code).toBe(code);
        expect(err.error.message).toMatch(message);
      });
    }

    it("the specification's FEATURE_VIEW_NOT_FOUND carries available_views", async () => {
      const err = await expectStatus(
        call("POST", "/online-features", {
          body: { features: ["customer_features:age"], entities: { customer_id: ["x"] } },
        }),
        404,
      );
      expect(err.error.details.feature_view).toBe("customer_features");
      expect(err.error.details.available_views).toEqual(expect.arrayContaining(["customer", "transactions"]));
    });

    it("two features with one bare name need full_feature_names", async () => {
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
      const err = await expectStatus(
        call("POST", "/online-features", {
          body: { features: ["customer:age", "customer_copy:age"], entities: { customer_id: ["x"] } },
        }),
        400,
      );
      expect(err.error.message).toMatch(/full_feature_names/);
      await expectStatus(
        call("POST", "/online-features", {
          body: {
            features: ["customer:age", "customer_copy:age"],
            entities: { customer_id: ["x"] },
            full_feature_names: true,
          },
        }),
        200,
      );
    });
  });

  it("needs online:read and the project", async () => {
    await expectStatus(call("POST", "/online-features", { body: SPEC_ONLINE_BODY, token: null }), 401);
    await expectStatus(
      call("POST", "/online-features", {
        body: SPEC_ONLINE_BODY,
        token: await token({ scopes: ["registry:read", "offline:read"] }),
      }),
      403,
    );
    await expectStatus(
      call("POST", "/online-features", {
        body: SPEC_ONLINE_BODY,
        token: await token({ scopes: ["online:read"], projects: ["elsewhere"] }),
      }),
      403,
    );
    await expectStatus(
      call("POST", "/online-features", {
        body: SPEC_ONLINE_BODY,
        token: await token({ scopes: ["online:read"], projects: ["ai_etl"] }),
      }),
      200,
    );
  });

  it("never touches D1 or R2: it still answers with the registry tables gone", async () => {
    // Warm nothing: a fresh isolate cache, so the registry must come from the KV snapshot.
    const { clearSnapshotCache } = await import("../../src/registry/snapshot");
    clearSnapshotCache();
    for (const table of ["entities", "data_sources", "feature_views", "feature_services", "projects"])
      await env.DB.exec(`DROP TABLE ${table}`);
    const body = await expectStatus(call("POST", "/online-features", { body: SPEC_ONLINE_BODY }), 200);
    expect(body.features.cust_12345.age).toBe(34);
    const push = await expectStatus(
      call("POST", "/push-features", {
        body: {
          push_source_name: "customer_sessions",
          to: "online",
          features: [
            { customer_id: "cust_12345", event_timestamp: new Date().toISOString(), features: { pages_viewed: 3 } },
          ],
        },
      }),
      200,
    );
    expect(push.accepted).toBe(1);
    expect((await env.OFFLINE_STORE.list()).objects).toHaveLength(0);
  });
});

describe("pipeline, user and connector features", () => {
  beforeEach(async () => {
    const now = Date.now();
    await seedOnline("pipeline", "pipeline_id", [
      {
        id: "pipe_001",
        e: now,
        v: { success_rate_7d: 0.96, avg_duration_7d: 145.5, error_count_7d: 3, data_volume_trend: "increasing" },
      },
      {
        id: "pipe_002",
        e: now,
        v: { success_rate_7d: 0.89, avg_duration_7d: 320.2, error_count_7d: 12, data_volume_trend: "stable" },
      },
    ]);
    await seedOnline("user", "user_id", [
      {
        id: "user_123",
        e: now,
        v: {
          pipelines_created_30d: 4,
          pipelines_executed_30d: 40,
          total_data_processed_gb: 12.5,
          avg_pipeline_complexity: 3.2,
        },
      },
    ]);
    await seedOnline("connector", "connector_id", [
      {
        id: "conn_pg_001",
        e: now,
        v: { uptime_percentage_7d: 99.9, avg_query_time_7d: 12.1, error_rate_7d: 0.001, connection_pool_usage: 0.4 },
      },
    ]);
  });

  it("answers the specification's pipeline example", async () => {
    const body = await expectStatus(
      call("POST", "/pipeline-features", {
        body: {
          pipeline_ids: ["pipe_001", "pipe_002"],
          features: [
            "pipeline:success_rate_7d",
            "pipeline:avg_duration_7d",
            "pipeline:error_count_7d",
            "pipeline:data_volume_trend",
          ],
        },
      }),
      200,
    );
    expect(body.features).toEqual({
      pipe_001: { success_rate_7d: 0.96, avg_duration_7d: 145.5, error_count_7d: 3, data_volume_trend: "increasing" },
      pipe_002: { success_rate_7d: 0.89, avg_duration_7d: 320.2, error_count_7d: 12, data_volume_trend: "stable" },
    });
    expect(body.metadata.entities_count).toBe(2);
  });

  it("answers the user and connector examples, and defaults to all the view's features", async () => {
    const users = await expectStatus(
      call("POST", "/user-features", {
        body: {
          user_ids: ["user_123", "user_456"],
          features: [
            "user:pipelines_created_30d",
            "user:pipelines_executed_30d",
            "user:total_data_processed_gb",
            "user:avg_pipeline_complexity",
          ],
        },
      }),
      200,
    );
    expect(users.features.user_123.pipelines_executed_30d).toBe(40);
    expect(users.features.user_456).toEqual({
      pipelines_created_30d: null,
      pipelines_executed_30d: null,
      total_data_processed_gb: null,
      avg_pipeline_complexity: null,
    });
    const connectors = await expectStatus(
      call("POST", "/connector-features", { body: { connector_ids: ["conn_pg_001", "conn_ch_002"] } }),
      200,
    );
    expect(Object.keys(connectors.features.conn_pg_001)).toEqual([
      "uptime_percentage_7d",
      "avg_query_time_7d",
      "error_rate_7d",
      "connection_pool_usage",
    ]);
  });

  it("rejects bad bodies and missing scopes", async () => {
    expect(
      (await expectStatus(call("POST", "/pipeline-features", { body: { pipeline_ids: [] } }), 400)).error.code,
    ).toBe("VALIDATION_ERROR");
    expect(
      (
        await expectStatus(
          call("POST", "/user-features", { body: { user_ids: ["u"], features: ["customer:age"] } }),
          400,
        )
      ).error.message,
    ).toMatch(/Missing join key/);
    expect(
      (
        await expectStatus(
          call("POST", "/connector-features", { body: { connector_ids: ["c"], features: ["connector:nope"] } }),
          404,
        )
      ).error.code,
    ).toBe("FEATURE_NOT_FOUND");
    for (const path of ["/pipeline-features", "/user-features", "/connector-features"]) {
      await expectStatus(call("POST", path, { body: { pipeline_ids: ["x"] }, token: null }), 401);
      await expectStatus(
        call("POST", path, { body: { pipeline_ids: ["x"] }, token: await token({ scopes: ["online:write"] }) }),
        403,
      );
    }
  });
});
