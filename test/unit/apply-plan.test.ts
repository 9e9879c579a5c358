import { describe, expect, it } from "vitest";
import { LarderError } from "../../src/domain/errors";
import { canonicalJson, planApply, planDelete } from "../../src/domain/apply-plan";
import {
  emptyContents,
  type EntityDef,
  type FeatureServiceDef,
  type FeatureViewDef,
  type RegistryContents,
} from "../../src/domain/registry-model";

function entity(name: string, description = ""): EntityDef {
  return { name, join_keys: [`${name}_id`], value_types: { [`${name}_id`]: "STRING" }, description, tags: {} };
}

function view(name: string, over: Partial<FeatureViewDef> = {}): FeatureViewDef {
  return {
    name,
    entities: ["customer"],
    features: [{ name: "age", dtype: "int32" }],
    source: "src",
    ttl_seconds: 3600,
    online: true,
    tags: { team: "ds", tier: "gold" },
    schedule: null,
    description: "",
    ...over,
  };
}

function service(name: string, features: string[]): FeatureServiceDef {
  return { name, features, description: "", tags: {} };
}

function current(): RegistryContents {
  return {
    entities: [entity("customer"), entity("driver")],
    data_sources: [
      {
        name: "src",
        type: "batch",
        path: "r2://b/src/",
        file_format: "parquet",
        timestamp_field: "event_timestamp",
        created_timestamp_column: null,
        description: "",
        tags: {},
      },
    ],
    feature_views: [view("customer"), view("orphan")],
    feature_services: [service("svc", ["customer:age"])],
  };
}

function contents(over: Partial<RegistryContents>): RegistryContents {
  return { ...emptyContents(), ...over };
}

const names = (entries: { kind: string; name: string }[]) => entries.map((e) => `${e.kind}/${e.name}`).sort();

describe("canonicalJson", () => {
  it("ignores object key order at every depth", () => {
    const a = { name: "v", tags: { a: "1", b: "2" }, nested: [{ x: 1, y: { p: 1, q: 2 } }] };
    const b = { nested: [{ y: { q: 2, p: 1 }, x: 1 }], tags: { b: "2", a: "1" }, name: "v" };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"name":"v","nested":[{"x":1,"y":{"p":1,"q":2}}],"tags":{"a":"1","b":"2"}}');
  });

  it("keeps array order significant", () => {
    expect(canonicalJson({ entities: ["a", "b"] })).not.toBe(canonicalJson({ entities: ["b", "a"] }));
  });

  it("distinguishes values, null and absence", () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });
});

describe("planApply", () => {
  it("creates what is new, updates what changed, leaves the rest unchanged", () => {
    const incoming = contents({
      entities: [entity("customer"), entity("driver", "now described"), entity("store")],
      feature_views: [view("customer")],
    });
    const { plan, next } = planApply(current(), incoming, false);
    expect(plan.create).toEqual([{ kind: "entities", name: "store" }]);
    expect(plan.update).toEqual([{ kind: "entities", name: "driver" }]);
    expect(names(plan.unchanged)).toEqual(["entities/customer", "feature_views/customer"]);
    expect(plan.delete).toEqual([]);
    expect(next.entities.find((e) => e.name === "driver")?.description).toBe("now described");
    expect(next.entities.map((e) => e.name).sort()).toEqual(["customer", "driver", "store"]);
  });

  it("without replace, keeps every object the body does not name", () => {
    const { plan, next } = planApply(current(), contents({ entities: [entity("store")] }), false);
    expect(plan.delete).toEqual([]);
    expect(next.feature_views.map((v) => v.name)).toEqual(["customer", "orphan"]);
    expect(next.feature_services.map((s) => s.name)).toEqual(["svc"]);
    expect(next.data_sources.map((s) => s.name)).toEqual(["src"]);
  });

  it("does not count key order as a change", () => {
    const reordered = JSON.parse(
      JSON.stringify({
        tags: { tier: "gold", team: "ds" },
        description: "",
        schedule: null,
        online: true,
        ttl_seconds: 3600,
        source: "src",
        features: [{ dtype: "int32", name: "age" }],
        entities: ["customer"],
        name: "customer",
      }),
    ) as FeatureViewDef;
    const { plan } = planApply(current(), contents({ feature_views: [reordered] }), false);
    expect(plan.unchanged).toEqual([{ kind: "feature_views", name: "customer" }]);
    expect(plan.update).toEqual([]);
  });

  it("counts a change in array order, tags or any field as an update", () => {
    const changes: Partial<FeatureViewDef>[] = [
      { ttl_seconds: 60 },
      { tags: { team: "ds" } },
      { features: [{ name: "age", dtype: "int64" }] },
      { online: false },
      { schedule: "1h" },
    ];
    for (const change of changes) {
      const { plan } = planApply(current(), contents({ feature_views: [view("customer", change)] }), false);
      expect(plan.update).toEqual([{ kind: "feature_views", name: "customer" }]);
      expect(plan.unchanged).toEqual([]);
    }
  });

  it("with replace, deletes what the body omits", () => {
    const incoming = contents({
      entities: [entity("customer")],
      data_sources: current().data_sources,
      feature_views: [view("customer")],
      feature_services: [service("svc", ["customer:age"])],
    });
    const { plan, next } = planApply(current(), incoming, true);
    expect(names(plan.delete)).toEqual(["entities/driver", "feature_views/orphan"]);
    expect(plan.create).toEqual([]);
    expect(plan.update).toEqual([]);
    expect(plan.unchanged).toHaveLength(4);
    expect(next.entities.map((e) => e.name)).toEqual(["customer"]);
    expect(next.feature_views.map((v) => v.name)).toEqual(["customer"]);
  });

  it("with replace, deletes an object together with everything that referred to it", () => {
    const incoming = contents({ entities: [entity("driver")] });
    const { plan, next } = planApply(current(), incoming, true);
    expect(names(plan.delete)).toEqual([
      "data_sources/src",
      "entities/customer",
      "feature_services/svc",
      "feature_views/customer",
      "feature_views/orphan",
    ]);
    expect(next).toEqual(contents({ entities: [entity("driver")] }));
  });

  it("with replace, refuses (CONFLICT) to delete an object still referenced by what remains", () => {
    // The body keeps the service but omits the view it refers to.
    const incoming = contents({
      entities: [entity("customer")],
      data_sources: current().data_sources,
      feature_views: [view("orphan")],
      feature_services: [service("svc", ["customer:age"])],
    });
    let caught: unknown;
    try {
      planApply(current(), incoming, true);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LarderError);
    expect((caught as LarderError).code).toBe("CONFLICT");
    expect((caught as LarderError).details).toMatchObject({
      kind: "feature_views",
      name: "customer",
      referenced_by: [{ kind: "feature_services", name: "svc" }],
    });
  });

  it("with replace, refuses to delete an entity a kept view still uses", () => {
    const incoming = contents({ data_sources: current().data_sources, feature_views: [view("customer")] });
    expect(() => planApply(current(), incoming, true)).toThrow(
      expect.objectContaining({
        code: "CONFLICT",
        details: expect.objectContaining({ kind: "entities", name: "customer" }),
      }),
    );
  });

  it("does not modify the current registry it is given", () => {
    const before = current();
    const snapshot = structuredClone(before);
    planApply(before, contents({ entities: [entity("customer", "changed"), entity("x")] }), false);
    planApply(before, contents({ entities: [entity("driver")] }), true);
    expect(before).toEqual(snapshot);
  });

  it("plans everything as a create on an empty registry, and nothing on an empty body", () => {
    const first = planApply(emptyContents(), current(), false);
    expect(first.plan.create).toHaveLength(6);
    expect(first.next).toEqual(current());
    const none = planApply(current(), emptyContents(), false);
    expect(none.plan).toEqual({ create: [], update: [], delete: [], unchanged: [] });
    expect(none.next).toEqual(current());
  });
});

describe("planDelete", () => {
  it("removes one unreferenced object and nothing else", () => {
    const next = planDelete(current(), "feature_views", "orphan");
    expect(next.feature_views.map((v) => v.name)).toEqual(["customer"]);
    expect(next.entities).toEqual(current().entities);
    expect(next.feature_services).toEqual(current().feature_services);
  });

  it("refuses (CONFLICT) a referenced object and says who refers to it", () => {
    expect(() => planDelete(current(), "feature_views", "customer")).toThrow(
      expect.objectContaining({
        code: "CONFLICT",
        details: {
          kind: "feature_views",
          name: "customer",
          referenced_by: [{ kind: "feature_services", name: "svc" }],
        },
      }),
    );
    expect(() => planDelete(current(), "data_sources", "src")).toThrow(expect.objectContaining({ code: "CONFLICT" }));
  });
});
