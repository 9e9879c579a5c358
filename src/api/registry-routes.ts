/** GET and DELETE routes for each kind of registry object. Reads come from the snapshot. */
import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../http/auth";
import { LarderError, type ErrorCode } from "../domain/errors";
import type { ObjectKind } from "../domain/registry-model";
import { measure } from "../http/request-context";
import { commonErrors, conflict, jsonResponse, notFound, ProjectQuery } from "../schemas/common";
import {
  DataSourceOut,
  DeleteResponse,
  EntityOut,
  FeatureServiceOut,
  FeatureViewOut,
  NamePath,
  PushSourceOut,
} from "../schemas/registry";
import { registryOf, router } from "./router";
import { dataSourceOut, entityOut, featureServiceOut, featureViewOut, pushSourceOut } from "./registry-views";

export const registryRoutes = router();
const read = requireScope("registry:read");
const write = requireScope("registry:write");

const list = <T extends z.ZodType>(path: string, key: string, item: T, summary: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["registry"],
    summary,
    middleware: [read] as const,
    request: { query: ProjectQuery },
    responses: { 200: jsonResponse(z.object({ [key]: z.array(item) }), summary), ...commonErrors },
  });

registryRoutes.openapi(list("/feature-views", "feature_views", FeatureViewOut, "List feature views"), async (c) => {
  const registry = await registryOf(c);
  return c.json({ feature_views: [...registry.views.keys()].map((name) => featureViewOut(registry, name)) }, 200);
});

registryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/feature-views/{name}",
    tags: ["registry"],
    summary: "Get one feature view",
    middleware: [read] as const,
    request: { params: NamePath, query: ProjectQuery },
    responses: { 200: jsonResponse(FeatureViewOut, "The feature view"), ...commonErrors, ...notFound },
  }),
  async (c) => c.json(featureViewOut(await registryOf(c), c.req.valid("param").name), 200),
);

registryRoutes.openapi(list("/entities", "entities", EntityOut, "List entities"), async (c) => {
  const registry = await registryOf(c);
  return c.json({ entities: registry.contents.entities.map(entityOut) }, 200);
});

registryRoutes.openapi(
  list("/feature-services", "feature_services", FeatureServiceOut, "List feature services"),
  async (c) => {
    const registry = await registryOf(c);
    return c.json({ feature_services: registry.contents.feature_services.map(featureServiceOut) }, 200);
  },
);

registryRoutes.openapi(list("/push-sources", "push_sources", PushSourceOut, "List push sources"), async (c) => {
  const registry = await registryOf(c);
  const pushes = registry.contents.data_sources.flatMap((s) => (s.type === "push" ? [pushSourceOut(registry, s)] : []));
  return c.json({ push_sources: pushes }, 200);
});

registryRoutes.openapi(
  list("/data-sources", "data_sources", DataSourceOut, "List data sources (batch and push)"),
  async (c) => {
    const registry = await registryOf(c);
    return c.json({ data_sources: registry.contents.data_sources.map(dataSourceOut) }, 200);
  },
);

/** What DELETE /<path>/{name} removes, and the error when it is absent. */
const DELETABLE: {
  path: string;
  kind: ObjectKind;
  code: ErrorCode;
  label: string;
  matches?: (obj: object) => boolean;
}[] = [
  { path: "/feature-views/{name}", kind: "feature_views", code: "FEATURE_VIEW_NOT_FOUND", label: "Feature view" },
  { path: "/entities/{name}", kind: "entities", code: "ENTITY_NOT_FOUND", label: "Entity" },
  {
    path: "/feature-services/{name}",
    kind: "feature_services",
    code: "FEATURE_SERVICE_NOT_FOUND",
    label: "Feature service",
  },
  {
    path: "/push-sources/{name}",
    kind: "data_sources",
    code: "PUSH_SOURCE_NOT_FOUND",
    label: "Push source",
    matches: (s) => "type" in s && s.type === "push",
  },
  { path: "/data-sources/{name}", kind: "data_sources", code: "DATA_SOURCE_NOT_FOUND", label: "Data source" },
];

for (const target of DELETABLE) {
  registryRoutes.openapi(
    createRoute({
      method: "delete",
      path: target.path,
      tags: ["registry"],
      summary: `Delete a ${target.label.toLowerCase()} (refused while referenced)`,
      middleware: [write] as const,
      request: { params: NamePath, query: ProjectQuery },
      responses: { 200: jsonResponse(DeleteResponse, "Deleted"), ...commonErrors, ...notFound, ...conflict },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const notFoundError = new LarderError(target.code, `${target.label} '${name}' not found in registry`, { name });
      const { registry } = c.get("services");
      const removal = registry.remove(c.get("project"), target.kind, name, notFoundError, target.matches);
      const version = await measure(c, "d1", removal);
      return c.json({ status: "deleted" as const, kind: target.kind, name, registry_version: version }, 200);
    },
  );
}
