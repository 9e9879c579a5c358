import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database as registryDb } from "../../src/db/database";
import { loadRegistry, saveRegistry } from "../../src/db/registry-store";
import { call, expectStatus, token } from "./helpers";
import { applyDemo, DEMO, SPEC_APPLY_BODY } from "./fixtures";

describe("POST /apply", () => {
  it("applies the demo project in one go and lists it", async () => {
    const applied = await applyDemo();
    expect(applied.status).toBe("success");
    expect(applied.plan.create).toHaveLength(5 + 9 + 7 + 2);
    expect(applied.registry_version).toBe(1);
    const { feature_views } = await expectStatus(call("GET", "/feature-views"), 200);
    expect(feature_views.map((v: { name: string }) => v.name).sort()).toEqual([
      "connector",
      "customer",
      "customer_realtime",
      "pipeline",
      "support",
      "transactions",
      "user",
    ]);
    const customer = feature_views.find((v: { name: string }) => v.name === "customer");
    expect(customer).toMatchObject({
      name: "customer",
      entities: ["customer"],
      ttl_seconds: 172800,
      online: true,
      tags: { team: "data-science" },
    });
    expect(customer.features[0]).toEqual({ name: "age", dtype: "int32" });
  });

  it("takes the specification's single feature_view body and answers in its shape", async () => {
    await applyDemo();
    const res = await expectStatus(call("POST", "/apply", { body: SPEC_APPLY_BODY }), 200);
    expect(res).toMatchObject({
      status: "success",
      feature_view: "product_features",
      online_store_ready: false,
      materialization_required: true,
    });
    expect(Date.parse(res.registered_at)).not.toBeNaN();
    expect(res.plan.create).toEqual([
      { kind: "data_sources", name: "product_features_source" },
      { kind: "feature_views", name: "product_features" },
    ]);
    const view = await expectStatus(call("GET", "/feature-views/product_features"), 200);
    expect(view).toMatchObject({
      name: "product_features",
      source: "product_features_source",
      ttl_seconds: 86400,
      tags: { team: "product", version: "v1" },
    });
    const { data_sources } = await expectStatus(call("GET", "/data-sources"), 200);
    expect(data_sources).toContainEqual(
      expect.objectContaining({
        name: "product_features_source",
        type: "batch",
        path: "s3://data-lake/products/features/",
      }),
    );
  });

  it("re-applying the same definitions changes nothing", async () => {
    await applyDemo();
    const again = await applyDemo();
    expect(again.plan.create).toEqual([]);
    expect(again.plan.update).toEqual([]);
    expect(again.plan.unchanged).toHaveLength(23);
  });

  it("plans updates and, with replace, deletes", async () => {
    await applyDemo();
    const changed = structuredClone(DEMO);
    changed.feature_views = changed.feature_views.filter((v) => v.name !== "connector");
    changed.data_sources = changed.data_sources.filter((s) => s.name !== "connector_source");
    changed.feature_views[0].ttl_seconds = 3600;
    const plan = await expectStatus(call("POST", "/apply", { body: { ...changed, dry_run: true } }), 200);
    expect(plan.status).toBe("planned");
    expect(plan.plan.update).toEqual([{ kind: "feature_views", name: "customer" }]);
    expect(plan.plan.delete).toEqual(
      expect.arrayContaining([
        { kind: "feature_views", name: "connector" },
        { kind: "data_sources", name: "connector_source" },
      ]),
    );
    const applied = await expectStatus(call("POST", "/apply", { body: changed }), 200);
    expect(applied.registry_version).toBe(2);
    expect((await expectStatus(call("GET", "/feature-views/customer"), 200)).ttl_seconds).toBe(3600);
    await expectStatus(call("GET", "/feature-views/connector"), 404);
  });

  it("a dry run changes nothing", async () => {
    await applyDemo();
    const before = await loadRegistry(registryDb(env.DB), "ai_etl");
    const res = await expectStatus(call("POST", "/apply", { body: { ...SPEC_APPLY_BODY, dry_run: true } }), 200);
    expect(res.status).toBe("planned");
    expect(res.plan.create).toHaveLength(2);
    expect(res.registry_version).toBe(before.version);
    expect(await loadRegistry(registryDb(env.DB), "ai_etl")).toEqual(before);
    await expectStatus(call("GET", "/feature-views/product_features"), 404);
  });

  it("is atomic: a multi-object apply with one bad object leaves the registry unchanged", async () => {
    await applyDemo();
    const before = await loadRegistry(registryDb(env.DB), "ai_etl");
    const body = {
      entities: [{ name: "driver", join_keys: ["driver_id"], value_type: "INT64" }],
      data_sources: [{ name: "driver_stats", type: "batch", path: "r2://b/driver/" }],
      feature_views: [
        {
          name: "driver_hourly",
          entities: ["driver"],
          schema: [{ name: "trips", dtype: "int64" }],
          source: "driver_stats",
        },
        { name: "broken", entities: ["nobody"], schema: [{ name: "x", dtype: "int64" }], source: "driver_stats" },
      ],
    };
    const err = await expectStatus(call("POST", "/apply", { body }), 400);
    expect(err.error.code).toBe("VALIDATION_ERROR");
    expect(err.error.details.problems).toContainEqual({
      kind: "feature_views",
      name: "broken",
      problem: "entity 'nobody' does not exist",
    });
    expect(await loadRegistry(registryDb(env.DB), "ai_etl")).toEqual(before);
  });

  it("is atomic in D1: a batch that loses a race writes nothing and answers 409", async () => {
    await applyDemo();
    const db = registryDb(env.DB);
    const stale = await loadRegistry(db, "ai_etl");
    await saveRegistry(db, "ai_etl", stale.version, stale.contents, stale.contents, new Date().toISOString()); // someone else's change
    const next = {
      ...stale.contents,
      entities: [
        ...stale.contents.entities,
        {
          name: "late",
          join_keys: ["late_id"],
          value_types: { late_id: "STRING" as const },
          description: "",
          tags: {},
        },
      ],
    };
    await expect(
      saveRegistry(db, "ai_etl", stale.version, stale.contents, next, new Date().toISOString()),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await loadRegistry(db, "ai_etl")).contents.entities.map((e) => e.name)).not.toContain("late");
  });

  it("keeps projects apart", async () => {
    await applyDemo("other_project");
    expect((await expectStatus(call("GET", "/feature-views?project=other_project"), 200)).feature_views).toHaveLength(
      7,
    );
    expect((await expectStatus(call("GET", "/feature-views"), 200)).feature_views).toEqual([]);
  });

  it("stores composite entity keys with a type per key", async () => {
    await applyDemo();
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
        },
      }),
      200,
    );
    const { entities } = await expectStatus(call("GET", "/entities"), 200);
    expect(entities).toContainEqual({
      name: "store_product",
      join_keys: ["store_id", "product_id"],
      value_type: null,
      value_types: { store_id: "INT64", product_id: "STRING" },
      description: "",
      tags: {},
    });
    expect(entities).toContainEqual(
      expect.objectContaining({
        name: "customer",
        join_keys: ["customer_id"],
        value_type: "STRING",
        description: "Customer entity for all customer-related features",
      }),
    );
  });

  describe("rejects bad bodies with a 400 that names what to fix", () => {
    const cases: [string, unknown, RegExp][] = [
      ["an empty object", {}, /feature_view, or one or more of/],
      ["a bad view name", { feature_view: { ...SPEC_APPLY_BODY.feature_view, name: "9lives" } }, /feature_view\.name/],
      [
        "an unknown dtype",
        { feature_view: { ...SPEC_APPLY_BODY.feature_view, schema: [{ name: "x", dtype: "decimal" }] } },
        /unknown dtype 'decimal'/,
      ],
      ["a negative ttl", { feature_view: { ...SPEC_APPLY_BODY.feature_view, ttl_seconds: -1 } }, /ttl_seconds/],
      ["no features", { feature_view: { ...SPEC_APPLY_BODY.feature_view, schema: undefined } }, /schema/],
      [
        "an unknown entity",
        { feature_view: { ...SPEC_APPLY_BODY.feature_view, entities: ["ghost"] } },
        /entity 'ghost' does not exist/,
      ],
      [
        "a service naming a missing feature",
        { feature_services: [{ name: "svc", features: ["customer:shoe_size"] }] },
        /feature 'customer:shoe_size' does not exist/,
      ],
      [
        "a push source on a missing batch source",
        { push_sources: [{ name: "p", batch_source: "nowhere" }] },
        /batch source 'nowhere' does not exist/,
      ],
      [
        "a feature named like a join key",
        {
          feature_views: [
            {
              name: "v",
              entities: ["customer"],
              schema: [{ name: "customer_id", dtype: "string" }],
              source: "customer_profile_source",
            },
          ],
        },
        /has the name of a join key/,
      ],
      [
        "a bad schedule",
        {
          feature_views: [
            {
              name: "v",
              entities: ["customer"],
              schema: [{ name: "x", dtype: "int32" }],
              source: "customer_profile_source",
              schedule: "often",
            },
          ],
        },
        /schedule 'often'/,
      ],
      ["a wrong type", { entities: "customer" }, /entities/],
    ];
    for (const [label, body, message] of cases) {
      it(label, async () => {
        await applyDemo();
        const err = await expectStatus(call("POST", "/apply", { body }), 400);
        expect(err.error.code).toBe("VALIDATION_ERROR");
        expect(err.error.message).toMatch(message);
        expect(typeof err.error.details).toBe("object");
      });
    }

    it("malformed JSON", async () => {
      const err = await expectStatus(call("POST", "/apply", { rawBody: "{not json" }), 400);
      expect(err.error.code).toBe("MALFORMED_JSON");
    });

    it("structured zod details, not a JSON string", async () => {
      const err = await expectStatus(call("POST", "/apply", { body: { feature_view: { name: 3 } } }), 400);
      expect(Array.isArray(err.error.details.issues)).toBe(true);
      expect(err.error.details.issues[0]).toHaveProperty("path");
    });

    it("a body over the size limit", async () => {
      const err = await expectStatus(
        call("POST", "/apply", { rawBody: JSON.stringify({ pad: "x".repeat(11 * 1024 * 1024) }) }),
        413,
      );
      expect(err.error.code).toBe("PAYLOAD_TOO_LARGE");
    });
  });

  it("needs registry:write", async () => {
    const readOnly = await token({ scopes: ["registry:read"] });
    const err = await expectStatus(call("POST", "/apply", { body: SPEC_APPLY_BODY, token: readOnly }), 403);
    expect(err.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: "registry:write" } });
    await expectStatus(call("POST", "/apply", { body: SPEC_APPLY_BODY, token: null }), 401);
  });
});
