/** The demo definitions and small registries tests build on. */
import demo from "../../demo/definitions.json";
import { call, expectStatus } from "./helpers";

export const DEMO = demo;

/** The specification's single-view apply body, verbatim. */
export const SPEC_APPLY_BODY = {
  feature_view: {
    name: "product_features",
    entities: ["product"],
    schema: [
      { name: "category", dtype: "string" },
      { name: "price", dtype: "float64" },
      { name: "stock_quantity", dtype: "int32" },
      { name: "popularity_score", dtype: "float64" },
    ],
    source: {
      type: "batch",
      path: "s3://data-lake/products/features/",
      file_format: "parquet",
      timestamp_field: "event_timestamp",
    },
    ttl_seconds: 86400,
    online: true,
    tags: { team: "product", version: "v1" },
  },
};

export async function applyDemo(project?: string) {
  return expectStatus(call("POST", `/apply${project ? `?project=${project}` : ""}`, { body: DEMO }), 200);
}
