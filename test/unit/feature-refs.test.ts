import { describe, expect, it } from "vitest";
import { CompiledRegistry } from "../../src/domain/compiled-registry";
import { selectFeatures } from "../../src/domain/feature-refs";
import { emptyContents } from "../../src/domain/registry-model";

function registry() {
  const contents = emptyContents();
  contents.entities.push({
    name: "customer",
    join_keys: ["customer_id"],
    value_types: { customer_id: "STRING" },
    description: "",
    tags: {},
  });
  contents.data_sources.push({
    name: "src",
    type: "batch",
    path: "p/",
    file_format: "parquet",
    timestamp_field: "event_timestamp",
    created_timestamp_column: null,
    description: "",
    tags: {},
  });
  for (const name of ["a", "b"]) {
    contents.feature_views.push({
      name,
      entities: ["customer"],
      features: [
        { name: "x", dtype: "int64" },
        { name: `${name}_only`, dtype: "string" },
      ],
      source: "src",
      ttl_seconds: 0,
      online: name === "a",
      tags: {},
      schedule: null,
      description: "",
    });
  }
  contents.feature_services.push({ name: "svc", features: ["a", "b:b_only"], description: "", tags: {} });
  return new CompiledRegistry("p", 1, contents, "now");
}

describe("selectFeatures", () => {
  it("expands a service, keeps request order, names columns", () => {
    const r = registry();
    const s = selectFeatures(r, { feature_service: "svc", full_feature_names: true }, { onlineOnly: false });
    expect(s.columns).toEqual(["a__x", "a__a_only", "b__b_only"]);
    expect(s.views.map((v) => v.view.def.name)).toEqual(["a", "b"]);
  });

  it("answers a repeated request from its cache, and never caches an error", () => {
    const r = registry();
    const first = selectFeatures(r, { features: ["a:x"] }, { onlineOnly: true });
    expect(selectFeatures(r, { features: ["a:x"] }, { onlineOnly: true })).toBe(first);
    expect(selectFeatures(r, { features: ["a:x"], full_feature_names: true }, { onlineOnly: true })).not.toBe(first);
    expect(() => selectFeatures(r, { features: ["a:x", "b:x"] }, { onlineOnly: false })).toThrow(/full_feature_names/);
    expect(() => selectFeatures(r, { features: ["a:x", "b:x"] }, { onlineOnly: false })).toThrow(/full_feature_names/);
    expect(() => selectFeatures(r, { features: ["b:x"] }, { onlineOnly: true })).toThrow(/not online/);
    // A new registry version starts from nothing.
    expect(selectFeatures(registry(), { features: ["a:x"] }, { onlineOnly: true })).not.toBe(first);
  });
});
