import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/http/error-response";
import { LarderError } from "../../src/domain/errors";
import type {
  BatchSourceDef,
  EntityDef,
  FeatureViewDef,
  PushSourceDef,
  RegistryContents,
} from "../../src/domain/registry-model";
import {
  assertDeletable,
  assertRegistryConsistent,
  referencesTo,
  type RuleProblem,
} from "../../src/domain/registry-rules";

function entity(name: string, joinKeys = [`${name}_id`]): EntityDef {
  return {
    name,
    join_keys: joinKeys,
    value_types: Object.fromEntries(joinKeys.map((k) => [k, "STRING" as const])),
    description: "",
    tags: {},
  };
}

function batch(name: string): BatchSourceDef {
  return {
    name,
    type: "batch",
    path: `r2://b/${name}/`,
    file_format: "parquet",
    timestamp_field: "event_timestamp",
    created_timestamp_column: null,
    description: "",
    tags: {},
  };
}

function push(name: string, batchSource: string): PushSourceDef {
  return { name, type: "push", batch_source: batchSource, description: "", tags: {} };
}

function view(name: string, over: Partial<FeatureViewDef> = {}): FeatureViewDef {
  return {
    name,
    entities: ["customer"],
    features: [
      { name: "age", dtype: "int32" },
      { name: "segment", dtype: "string" },
    ],
    source: "profile_src",
    ttl_seconds: 86400,
    online: true,
    tags: {},
    schedule: null,
    description: "",
    ...over,
  };
}

/** A small consistent registry: two entities, a batch source with a push source, three views, two services. */
function base(): RegistryContents {
  return {
    entities: [entity("customer"), entity("store_product", ["store_id", "product_id"]), entity("lonely")],
    data_sources: [
      batch("profile_src"),
      batch("events_batch"),
      push("events_push", "events_batch"),
      batch("unused_src"),
    ],
    feature_views: [
      view("customer"),
      view("realtime", { source: "events_push", features: [{ name: "cart_value", dtype: "float64" }] }),
      view("from_batch_of_push", { source: "events_batch", features: [{ name: "clicks", dtype: "int64" }] }),
      view("inventory", { entities: ["store_product"], features: [{ name: "stock", dtype: "int32" }] }),
    ],
    feature_services: [
      { name: "svc_refs", features: ["customer:age", "realtime:cart_value"], description: "", tags: {} },
      { name: "svc_whole", features: ["inventory", "customer:*"], description: "", tags: {} },
    ],
  };
}

/** The problems `assertRegistryConsistent` reports, or [] when it accepts. */
function problemsOf(contents: RegistryContents): RuleProblem[] {
  try {
    assertRegistryConsistent(contents);
    return [];
  } catch (err) {
    if (!(err instanceof LarderError)) throw err;
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(ERROR_STATUS[err.code]).toBe(400);
    return (err.details as { problems: RuleProblem[] }).problems;
  }
}

function mutated(change: (c: RegistryContents) => void): RegistryContents {
  const c = base();
  change(c);
  return c;
}

describe("assertRegistryConsistent", () => {
  it("accepts a consistent registry, and an empty one", () => {
    expect(problemsOf(base())).toEqual([]);
    expect(problemsOf({ entities: [], data_sources: [], feature_views: [], feature_services: [] })).toEqual([]);
  });

  it("lists every problem at once, and names each in the message", () => {
    const c = mutated((c) => {
      c.feature_views[0].entities = ["ghost"];
      c.feature_services[0].features = ["nowhere:x"];
    });
    let message = "";
    try {
      assertRegistryConsistent(c);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/feature_views 'customer': entity 'ghost' does not exist/);
    expect(message).toMatch(/feature_services 'svc_refs': feature view 'nowhere' does not exist/);
    expect(problemsOf(c)).toHaveLength(2);
  });

  describe("names", () => {
    it.each(["entities", "data_sources", "feature_views", "feature_services"] as const)(
      "refuses an invalid %s name",
      (kind) => {
        const c = mutated((c) => {
          (c[kind][0] as { name: string }).name = "9lives";
        });
        expect(problemsOf(c)).toContainEqual({
          kind,
          name: "9lives",
          problem: expect.stringMatching(/name must match/),
        });
      },
    );

    it("refuses a name given twice within a kind", () => {
      const c = mutated((c) => c.entities.push(entity("customer")));
      expect(problemsOf(c)).toContainEqual({ kind: "entities", name: "customer", problem: "name is given twice" });
    });

    it("allows the same name across kinds (a view and an entity both called customer)", () => {
      expect(
        base().entities.some((e) => e.name === "customer") && base().feature_views.some((v) => v.name === "customer"),
      ).toBe(true);
      expect(problemsOf(base())).toEqual([]);
    });
  });

  describe("entities", () => {
    it("needs a join key", () => {
      const c = mutated((c) => (c.entities[2] = { ...entity("lonely"), join_keys: [], value_types: {} }));
      expect(problemsOf(c)).toContainEqual({
        kind: "entities",
        name: "lonely",
        problem: "needs at least one join key",
      });
    });

    it("refuses repeated join keys", () => {
      const c = mutated((c) => (c.entities[2].join_keys = ["lonely_id", "lonely_id"]));
      expect(problemsOf(c)).toContainEqual({ kind: "entities", name: "lonely", problem: "join keys repeat" });
    });

    it("refuses an invalid join-key name", () => {
      const c = mutated((c) => (c.entities[2] = entity("lonely", ["bad-key"])));
      expect(problemsOf(c)).toContainEqual({
        kind: "entities",
        name: "lonely",
        problem: "join key 'bad-key' is not a valid column name",
      });
    });

    it("needs a value type per join key", () => {
      const c = mutated((c) => (c.entities[1].value_types = { store_id: "INT64" }));
      expect(problemsOf(c)).toContainEqual({
        kind: "entities",
        name: "store_product",
        problem: "join key 'product_id' has no value type",
      });
    });
  });

  describe("data sources", () => {
    it("refuses a push source whose batch source does not exist", () => {
      const c = mutated((c) => c.data_sources.push(push("p2", "nowhere")));
      expect(problemsOf(c)).toContainEqual({
        kind: "data_sources",
        name: "p2",
        problem: "batch source 'nowhere' does not exist",
      });
    });

    it("refuses a push source backed by another push source", () => {
      const c = mutated((c) => c.data_sources.push(push("p2", "events_push")));
      expect(problemsOf(c)).toContainEqual({
        kind: "data_sources",
        name: "p2",
        problem: "'events_push' is not a batch source",
      });
    });
  });

  describe("feature views", () => {
    const viewProblem = (over: Partial<FeatureViewDef>) =>
      problemsOf(mutated((c) => (c.feature_views[0] = view("customer", over))));

    it("needs an entity, and each entity must exist", () => {
      expect(viewProblem({ entities: [] })).toContainEqual({
        kind: "feature_views",
        name: "customer",
        problem: "needs at least one entity",
      });
      expect(viewProblem({ entities: ["customer", "ghost"] })).toContainEqual({
        kind: "feature_views",
        name: "customer",
        problem: "entity 'ghost' does not exist",
      });
    });

    it("needs an existing source (batch or push)", () => {
      expect(viewProblem({ source: "nowhere" })).toContainEqual({
        kind: "feature_views",
        name: "customer",
        problem: "source 'nowhere' does not exist",
      });
      expect(viewProblem({ source: "events_push" })).toEqual([]);
    });

    it.each([-1, 1.5, Number.NaN])("refuses ttl_seconds %d", (ttl) => {
      expect(viewProblem({ ttl_seconds: ttl })).toContainEqual({
        kind: "feature_views",
        name: "customer",
        problem: "ttl_seconds must be a whole number >= 0",
      });
    });

    it("accepts ttl 0 (no limit)", () => {
      expect(viewProblem({ ttl_seconds: 0 })).toEqual([]);
    });

    it.each(["15m", "1h", "1d", "@hourly", "@daily", "60s"])("accepts the schedule %j", (schedule) => {
      expect(viewProblem({ schedule })).toEqual([]);
    });

    it.each(["often", "30s", "1w", "", "0m"])("refuses the schedule %j", (schedule) => {
      expect(viewProblem({ schedule })).toContainEqual({
        kind: "feature_views",
        name: "customer",
        problem: expect.stringMatching(/^schedule '.*' is not understood/),
      });
    });

    it("needs a feature", () => {
      expect(viewProblem({ features: [] })).toContainEqual({
        kind: "feature_views",
        name: "customer",
        problem: "needs at least one feature",
      });
    });

    it("refuses an invalid feature name, a repeated feature, a join-key name and reserved names", () => {
      const problems = viewProblem({
        features: [
          { name: "bad name", dtype: "int32" },
          { name: "age", dtype: "int32" },
          { name: "age", dtype: "int64" },
          { name: "customer_id", dtype: "string" },
          { name: "event_timestamp", dtype: "unix_timestamp" },
          { name: "created_timestamp", dtype: "unix_timestamp" },
        ],
      }).map((p) => p.problem);
      expect(problems).toEqual(
        expect.arrayContaining([
          "feature name 'bad name' is not valid",
          "feature 'age' is given twice",
          "feature 'customer_id' has the name of a join key",
          "feature name 'event_timestamp' is reserved",
          "feature name 'created_timestamp' is reserved",
        ]),
      );
    });

    it("checks join-key clashes against every join key of a composite entity", () => {
      const c = mutated((c) => (c.feature_views[3].features = [{ name: "product_id", dtype: "string" }]));
      expect(problemsOf(c)).toContainEqual({
        kind: "feature_views",
        name: "inventory",
        problem: "feature 'product_id' has the name of a join key",
      });
    });
  });

  describe("feature services", () => {
    const serviceProblems = (features: string[]) =>
      problemsOf(mutated((c) => (c.feature_services[0].features = features))).filter(
        (p) => p.kind === "feature_services",
      );

    it("accepts view:feature, view:* and a bare view", () => {
      expect(serviceProblems(["customer:age", "realtime:*", "inventory"])).toEqual([]);
    });

    it("needs a reference", () => {
      expect(serviceProblems([])).toEqual([
        { kind: "feature_services", name: "svc_refs", problem: "needs at least one feature reference" },
      ]);
    });

    it.each(["a:b:c", ":age", ""])("refuses the malformed reference %j", (ref) => {
      expect(serviceProblems([ref])).toEqual([
        {
          kind: "feature_services",
          name: "svc_refs",
          problem: `'${ref}' is not a feature reference (view:feature or view)`,
        },
      ]);
    });

    it("refuses a missing view and a missing feature", () => {
      expect(serviceProblems(["ghost:age"])).toEqual([
        { kind: "feature_services", name: "svc_refs", problem: "feature view 'ghost' does not exist" },
      ]);
      expect(serviceProblems(["ghost"])).toEqual([
        { kind: "feature_services", name: "svc_refs", problem: "feature view 'ghost' does not exist" },
      ]);
      expect(serviceProblems(["customer:shoe_size"])).toEqual([
        { kind: "feature_services", name: "svc_refs", problem: "feature 'customer:shoe_size' does not exist" },
      ]);
    });
  });
});

describe("referencesTo", () => {
  it("an entity is referenced by the views that use it", () => {
    const c = mutated((c) => c.feature_views.push(view("second", { source: "unused_src" })));
    expect(referencesTo(c, "entities", "customer")).toEqual([
      { kind: "feature_views", name: "customer" },
      { kind: "feature_views", name: "realtime" },
      { kind: "feature_views", name: "from_batch_of_push" },
      { kind: "feature_views", name: "second" },
    ]);
    expect(referencesTo(c, "entities", "store_product")).toEqual([{ kind: "feature_views", name: "inventory" }]);
    expect(referencesTo(c, "entities", "lonely")).toEqual([]);
  });

  it("a batch source is referenced by the views sourced from it and by push sources backed by it", () => {
    const c = base();
    expect(referencesTo(c, "data_sources", "events_batch")).toEqual([
      { kind: "feature_views", name: "from_batch_of_push" },
      { kind: "data_sources", name: "events_push" },
    ]);
    expect(referencesTo(c, "data_sources", "profile_src")).toEqual([
      { kind: "feature_views", name: "customer" },
      { kind: "feature_views", name: "inventory" },
    ]);
    expect(referencesTo(c, "data_sources", "unused_src")).toEqual([]);
  });

  it("a push source is referenced by the views sourced from it", () => {
    expect(referencesTo(base(), "data_sources", "events_push")).toEqual([{ kind: "feature_views", name: "realtime" }]);
  });

  it("a view is referenced by services naming it in any form (view:feature, view:*, bare view), once per service", () => {
    const c = base();
    expect(referencesTo(c, "feature_views", "customer")).toEqual([
      { kind: "feature_services", name: "svc_refs" },
      { kind: "feature_services", name: "svc_whole" },
    ]);
    expect(referencesTo(c, "feature_views", "inventory")).toEqual([{ kind: "feature_services", name: "svc_whole" }]);
    expect(referencesTo(c, "feature_views", "realtime")).toEqual([{ kind: "feature_services", name: "svc_refs" }]);
    expect(referencesTo(c, "feature_views", "from_batch_of_push")).toEqual([]);
  });

  it("does not match by prefix (view 'cust' is not referenced by 'customer:age')", () => {
    const c = mutated((c) => c.feature_views.push(view("cust", { source: "unused_src" })));
    expect(referencesTo(c, "feature_views", "cust")).toEqual([]);
  });

  it("nothing references a feature service", () => {
    expect(referencesTo(base(), "feature_services", "svc_refs")).toEqual([]);
  });
});

describe("assertDeletable", () => {
  it("refuses with CONFLICT (409) naming who still refers to the object", () => {
    let caught: unknown;
    try {
      assertDeletable(base(), "data_sources", "events_batch");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LarderError);
    const err = caught as LarderError;
    expect(err.code).toBe("CONFLICT");
    expect(ERROR_STATUS[err.code]).toBe(409);
    expect(err.details).toEqual({
      kind: "data_sources",
      name: "events_batch",
      referenced_by: [
        { kind: "feature_views", name: "from_batch_of_push" },
        { kind: "data_sources", name: "events_push" },
      ],
    });
    expect(err.message).toMatch(/feature_views 'from_batch_of_push'/);
    expect(err.message).toMatch(/data_sources 'events_push'/);
  });

  it("refuses deleting a referenced entity and view", () => {
    expect(() => assertDeletable(base(), "entities", "customer")).toThrow(
      expect.objectContaining({ code: "CONFLICT" }),
    );
    expect(() => assertDeletable(base(), "feature_views", "inventory")).toThrow(
      expect.objectContaining({ code: "CONFLICT" }),
    );
  });

  it("allows deleting what nothing refers to", () => {
    const c = base();
    expect(() => assertDeletable(c, "entities", "lonely")).not.toThrow();
    expect(() => assertDeletable(c, "data_sources", "unused_src")).not.toThrow();
    expect(() => assertDeletable(c, "feature_views", "from_batch_of_push")).not.toThrow();
    expect(() => assertDeletable(c, "feature_services", "svc_refs")).not.toThrow();
  });
});
