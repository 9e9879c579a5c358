import { describe, expect, it } from "vitest";
import { call, expectStatus, token } from "./helpers";
import { applyDemo, DEMO } from "./fixtures";

const DEMO_VIEWS = ["connector", "customer", "customer_realtime", "pipeline", "support", "transactions", "user"];

const sortedNames = (items: { name: string }[]) => items.map((i) => i.name).sort();

describe("GET /feature-views", () => {
  it("lists every view of the project in the specification's shape", async () => {
    await applyDemo();
    const { feature_views } = await expectStatus(call("GET", "/feature-views"), 200);
    expect(sortedNames(feature_views)).toEqual(DEMO_VIEWS);
    const transactions = feature_views.find((v: { name: string }) => v.name === "transactions");
    expect(transactions).toMatchObject({
      name: "transactions",
      entities: ["customer"],
      join_keys: ["customer_id"],
      ttl_seconds: 172800,
      online: true,
      tags: { team: "payments" },
      source: "transactions_source",
      schedule: "1h",
    });
    expect(transactions.features).toEqual([
      { name: "total_count_30d", dtype: "int64" },
      { name: "count_30d", dtype: "int64" },
      { name: "avg_amount_30d", dtype: "float64" },
      { name: "total_amount_30d", dtype: "float64" },
    ]);
  });

  it("is empty for a project never applied", async () => {
    await applyDemo();
    expect(await expectStatus(call("GET", "/feature-views?project=empty_project"), 200)).toEqual({ feature_views: [] });
  });
});

describe("GET /feature-views/{name}", () => {
  it("returns one view", async () => {
    await applyDemo();
    const view = await expectStatus(call("GET", "/feature-views/customer_realtime"), 200);
    expect(view).toMatchObject({
      name: "customer_realtime",
      entities: ["customer"],
      source: "customer_realtime_batch",
      ttl_seconds: 86400,
      schedule: null,
    });
    expect(view.features.map((f: { name: string }) => f.name)).toEqual([
      "last_login_timestamp",
      "session_count_today",
      "cart_value",
      "items_in_cart",
      "current_session_duration",
      "pages_viewed",
    ]);
    expect(view.features[0]).toEqual({ name: "last_login_timestamp", dtype: "unix_timestamp" });
  });

  it("answers 404 FEATURE_VIEW_NOT_FOUND with available_views, as in the specification's error", async () => {
    await applyDemo();
    const res = await call("GET", "/feature-views/customer_features");
    const body = await expectStatus(res, 404);
    expect(body.error.code).toBe("FEATURE_VIEW_NOT_FOUND");
    expect(body.error.message).toBe("Feature view 'customer_features' not found in registry");
    expect(body.error.details.feature_view).toBe("customer_features");
    expect([...body.error.details.available_views].sort()).toEqual(DEMO_VIEWS);
    expect(body.request_id).toEqual(expect.any(String));
    expect(res.headers.get("x-request-id")).toBe(body.request_id);
  });

  it("answers 404 with an empty available_views on an empty project", async () => {
    const body = await expectStatus(call("GET", "/feature-views/customer"), 404);
    expect(body.error).toMatchObject({
      code: "FEATURE_VIEW_NOT_FOUND",
      details: { feature_view: "customer", available_views: [] },
    });
  });
});

describe("GET /entities", () => {
  it("lists entities with the specification's fields", async () => {
    await applyDemo();
    const { entities } = await expectStatus(call("GET", "/entities"), 200);
    expect(sortedNames(entities)).toEqual(["connector", "customer", "pipeline", "product", "user"]);
    for (const e of entities) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(["name", "join_keys", "value_type", "description"]));
      expect(e.value_type).toBe("STRING");
      expect(e.join_keys).toEqual([`${e.name}_id`]);
    }
    // The specification's example entities, verbatim.
    expect(entities).toContainEqual(
      expect.objectContaining({
        name: "customer",
        join_keys: ["customer_id"],
        value_type: "STRING",
        description: "Customer entity for all customer-related features",
      }),
    );
    expect(entities).toContainEqual(
      expect.objectContaining({
        name: "pipeline",
        join_keys: ["pipeline_id"],
        value_type: "STRING",
        description: "Pipeline entity for execution features",
      }),
    );
  });
});

describe("GET /feature-services", () => {
  it("lists services with their references and views", async () => {
    await applyDemo();
    const { feature_services } = await expectStatus(call("GET", "/feature-services"), 200);
    expect(sortedNames(feature_services)).toEqual(["churn_prediction_v1", "customer_features_v1"]);
    const v1 = feature_services.find((s: { name: string }) => s.name === "customer_features_v1");
    expect(v1.features).toEqual(DEMO.feature_services[0].features);
    expect([...v1.feature_views].sort()).toEqual(["customer", "transactions"]);
    const churn = feature_services.find((s: { name: string }) => s.name === "churn_prediction_v1");
    expect([...churn.feature_views].sort()).toEqual(["customer", "support", "transactions"]);
    expect(churn.description).toBe("Features of the churn model");
  });
});

describe("GET /push-sources", () => {
  it("lists push sources, each with the views it feeds (both feed customer_realtime)", async () => {
    await applyDemo();
    const { push_sources } = await expectStatus(call("GET", "/push-sources"), 200);
    expect(sortedNames(push_sources)).toEqual(["customer_realtime_updates", "customer_sessions"]);
    for (const p of push_sources) {
      expect(p.batch_source).toBe("customer_realtime_batch");
      expect(p.feature_views).toEqual(["customer_realtime"]);
    }
    expect(push_sources.find((p: { name: string }) => p.name === "customer_sessions").description).toBe(
      "Session summaries from the session tracker",
    );
  });
});

describe("GET /data-sources", () => {
  it("lists batch and push sources", async () => {
    await applyDemo();
    const { data_sources } = await expectStatus(call("GET", "/data-sources"), 200);
    expect(data_sources).toHaveLength(9);
    expect(data_sources.filter((s: { type: string }) => s.type === "batch")).toHaveLength(7);
    expect(data_sources).toContainEqual(
      expect.objectContaining({
        name: "transactions_source",
        type: "batch",
        path: "r2://larder-offline/transactions_source/",
        timestamp_field: "event_timestamp",
        created_timestamp_column: "created_timestamp",
      }),
    );
    expect(data_sources).toContainEqual(
      expect.objectContaining({ name: "customer_sessions", type: "push", batch_source: "customer_realtime_batch" }),
    );
  });
});

describe("DELETE", () => {
  const list = async (path: string, key: string) => sortedNames((await expectStatus(call("GET", path), 200))[key]);

  describe("/feature-views/{name}", () => {
    it("deletes an unreferenced view and bumps the registry version", async () => {
      await applyDemo();
      const res = await expectStatus(call("DELETE", "/feature-views/connector"), 200);
      expect(res).toEqual({ status: "deleted", kind: "feature_views", name: "connector", registry_version: 2 });
      expect(await list("/feature-views", "feature_views")).toEqual(DEMO_VIEWS.filter((v) => v !== "connector"));
      await expectStatus(call("GET", "/feature-views/connector"), 404);
      // The entity and source it used are still there.
      expect(await list("/entities", "entities")).toContain("connector");
      expect(await list("/data-sources", "data_sources")).toContain("connector_source");
    });

    it("404 FEATURE_VIEW_NOT_FOUND for an unknown view", async () => {
      await applyDemo();
      const body = await expectStatus(call("DELETE", "/feature-views/ghost"), 404);
      expect(body.error.code).toBe("FEATURE_VIEW_NOT_FOUND");
    });

    it("409 CONFLICT while a feature service uses it, and nothing changes", async () => {
      await applyDemo();
      const body = await expectStatus(call("DELETE", "/feature-views/support"), 409);
      expect(body.error.code).toBe("CONFLICT");
      expect(body.error.details).toEqual({
        kind: "feature_views",
        name: "support",
        referenced_by: [{ kind: "feature_services", name: "churn_prediction_v1" }],
      });
      await expectStatus(call("GET", "/feature-views/support"), 200);
    });

    it("succeeds once the service using it is gone", async () => {
      await applyDemo();
      await expectStatus(call("DELETE", "/feature-services/churn_prediction_v1"), 200);
      const res = await expectStatus(call("DELETE", "/feature-views/support"), 200);
      expect(res.registry_version).toBe(3);
    });
  });

  describe("/entities/{name}", () => {
    it("deletes an unreferenced entity", async () => {
      await applyDemo();
      const res = await expectStatus(call("DELETE", "/entities/product"), 200);
      expect(res).toEqual({ status: "deleted", kind: "entities", name: "product", registry_version: 2 });
      expect(await list("/entities", "entities")).toEqual(["connector", "customer", "pipeline", "user"]);
    });

    it("404 ENTITY_NOT_FOUND for an unknown entity", async () => {
      await applyDemo();
      expect((await expectStatus(call("DELETE", "/entities/ghost"), 404)).error.code).toBe("ENTITY_NOT_FOUND");
    });

    it("409 CONFLICT while a view uses it", async () => {
      await applyDemo();
      const body = await expectStatus(call("DELETE", "/entities/pipeline"), 409);
      expect(body.error).toMatchObject({
        code: "CONFLICT",
        details: { kind: "entities", name: "pipeline", referenced_by: [{ kind: "feature_views", name: "pipeline" }] },
      });
      expect(await list("/entities", "entities")).toContain("pipeline");
    });
  });

  describe("/feature-services/{name}", () => {
    it("deletes a service", async () => {
      await applyDemo();
      const res = await expectStatus(call("DELETE", "/feature-services/customer_features_v1"), 200);
      expect(res).toEqual({
        status: "deleted",
        kind: "feature_services",
        name: "customer_features_v1",
        registry_version: 2,
      });
      expect(await list("/feature-services", "feature_services")).toEqual(["churn_prediction_v1"]);
    });

    it("404 FEATURE_SERVICE_NOT_FOUND for an unknown service", async () => {
      await applyDemo();
      expect((await expectStatus(call("DELETE", "/feature-services/ghost"), 404)).error.code).toBe(
        "FEATURE_SERVICE_NOT_FOUND",
      );
    });
  });

  describe("/push-sources/{name}", () => {
    it("deletes a push source and keeps its batch source and views", async () => {
      await applyDemo();
      const res = await expectStatus(call("DELETE", "/push-sources/customer_sessions"), 200);
      expect(res).toEqual({ status: "deleted", kind: "data_sources", name: "customer_sessions", registry_version: 2 });
      expect(await list("/push-sources", "push_sources")).toEqual(["customer_realtime_updates"]);
      expect(await list("/data-sources", "data_sources")).toContain("customer_realtime_batch");
      await expectStatus(call("GET", "/feature-views/customer_realtime"), 200);
    });

    it("404 PUSH_SOURCE_NOT_FOUND for an unknown name", async () => {
      await applyDemo();
      expect((await expectStatus(call("DELETE", "/push-sources/ghost"), 404)).error.code).toBe("PUSH_SOURCE_NOT_FOUND");
    });

    it("404 PUSH_SOURCE_NOT_FOUND for a batch source's name, which it leaves alone", async () => {
      await applyDemo();
      const body = await expectStatus(call("DELETE", "/push-sources/connector_source"), 404);
      expect(body.error.code).toBe("PUSH_SOURCE_NOT_FOUND");
      expect(await list("/data-sources", "data_sources")).toContain("connector_source");
    });

    it("409 CONFLICT while a view is sourced from it", async () => {
      await applyDemo();
      await expectStatus(
        call("POST", "/apply", {
          body: {
            feature_views: [
              {
                name: "sessions_direct",
                entities: ["customer"],
                schema: [{ name: "pages", dtype: "int32" }],
                source: "customer_sessions",
              },
            ],
          },
        }),
        200,
      );
      const body = await expectStatus(call("DELETE", "/push-sources/customer_sessions"), 409);
      expect(body.error).toMatchObject({
        code: "CONFLICT",
        details: { referenced_by: [{ kind: "feature_views", name: "sessions_direct" }] },
      });
    });
  });

  describe("/data-sources/{name}", () => {
    it("deletes an unreferenced batch source", async () => {
      await applyDemo();
      await expectStatus(call("DELETE", "/feature-views/connector"), 200);
      const res = await expectStatus(call("DELETE", "/data-sources/connector_source"), 200);
      expect(res).toEqual({ status: "deleted", kind: "data_sources", name: "connector_source", registry_version: 3 });
      expect(await list("/data-sources", "data_sources")).not.toContain("connector_source");
    });

    it("deletes a push source too (data sources include push sources)", async () => {
      await applyDemo();
      await expectStatus(call("DELETE", "/data-sources/customer_realtime_updates"), 200);
      expect(await list("/push-sources", "push_sources")).toEqual(["customer_sessions"]);
    });

    it("404 DATA_SOURCE_NOT_FOUND for an unknown source", async () => {
      await applyDemo();
      expect((await expectStatus(call("DELETE", "/data-sources/ghost"), 404)).error.code).toBe("DATA_SOURCE_NOT_FOUND");
    });

    it("409 CONFLICT for a batch source used by a view and by push sources", async () => {
      await applyDemo();
      const body = await expectStatus(call("DELETE", "/data-sources/customer_realtime_batch"), 409);
      expect(body.error.code).toBe("CONFLICT");
      expect(body.error.details.referenced_by).toEqual(
        expect.arrayContaining([
          { kind: "feature_views", name: "customer_realtime" },
          { kind: "data_sources", name: "customer_realtime_updates" },
          { kind: "data_sources", name: "customer_sessions" },
        ]),
      );
      expect(body.error.details.referenced_by).toHaveLength(3);
    });

    it("409 CONFLICT for a batch source only a push source uses", async () => {
      await applyDemo();
      await expectStatus(
        call("POST", "/apply", {
          body: {
            data_sources: [{ name: "lone_batch", type: "batch", path: "r2://b/lone/" }],
            push_sources: [{ name: "lone_push", batch_source: "lone_batch" }],
          },
        }),
        200,
      );
      const body = await expectStatus(call("DELETE", "/data-sources/lone_batch"), 409);
      expect(body.error.details.referenced_by).toEqual([{ kind: "data_sources", name: "lone_push" }]);
      expect(await list("/data-sources", "data_sources")).toContain("lone_batch");
    });
  });

  it("a refused delete leaves the registry version where it was", async () => {
    await applyDemo();
    await expectStatus(call("DELETE", "/entities/customer"), 409);
    await expectStatus(call("DELETE", "/entities/ghost"), 404);
    const res = await expectStatus(call("DELETE", "/entities/product"), 200);
    expect(res.registry_version).toBe(2);
  });

  it("deletes in the project named by ?project= only", async () => {
    await applyDemo();
    await applyDemo("other_project");
    await expectStatus(call("DELETE", "/entities/product?project=other_project"), 200);
    expect(await list("/entities?project=other_project", "entities")).not.toContain("product");
    expect(await list("/entities", "entities")).toContain("product");
  });
});

describe("auth on every registry route", () => {
  const ROUTES: [method: "GET" | "DELETE", path: string, scope: "registry:read" | "registry:write"][] = [
    ["GET", "/feature-views", "registry:read"],
    ["GET", "/feature-views/customer", "registry:read"],
    ["GET", "/entities", "registry:read"],
    ["GET", "/feature-services", "registry:read"],
    ["GET", "/push-sources", "registry:read"],
    ["GET", "/data-sources", "registry:read"],
    ["DELETE", "/feature-views/connector", "registry:write"],
    ["DELETE", "/entities/product", "registry:write"],
    ["DELETE", "/feature-services/customer_features_v1", "registry:write"],
    ["DELETE", "/push-sources/customer_sessions", "registry:write"],
    ["DELETE", "/data-sources/customer_sessions", "registry:write"],
  ];

  for (const [method, path, scope] of ROUTES) {
    describe(`${method} ${path}`, () => {
      it("401 UNAUTHENTICATED without a token", async () => {
        await applyDemo();
        const body = await expectStatus(call(method, path, { token: null }), 401);
        expect(body.error.code).toBe("UNAUTHENTICATED");
      });

      it(`403 FORBIDDEN without ${scope}, and changes nothing`, async () => {
        await applyDemo();
        const other =
          scope === "registry:read"
            ? ["registry:write", "online:read", "offline:read", "materialize"]
            : ["registry:read", "online:write", "offline:write", "materialize"];
        const body = await expectStatus(call(method, path, { token: await token({ scopes: other }) }), 403);
        expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: scope } });
        if (method === "DELETE")
          expect((await expectStatus(call("POST", "/refresh-registry"), 200)).registry_version).toBe(2);
      });

      it("403 FORBIDDEN for a token whose projects claim excludes the project", async () => {
        await applyDemo();
        const limited = await token({ scopes: [scope], projects: ["other_project"] });
        const body = await expectStatus(call(method, path, { token: limited }), 403);
        expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { project: "ai_etl" } });
      });

      it(`200 with just ${scope} for this project`, async () => {
        await applyDemo();
        await expectStatus(call(method, path, { token: await token({ scopes: [scope], projects: ["ai_etl"] }) }), 200);
      });
    });
  }
});
