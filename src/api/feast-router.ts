/**
 * The Feast-compatible route set of one scope (feast-scope.ts), as one router
 * whose `onError` answers every failure in Feast's error form.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env";
import { feastErrorHandler } from "./feast-errors";
import { addFeastMaterializeRoutes } from "./feast-materialize-routes";
import { addFeastServingRoutes } from "./feast-routes";
import type { FeastScope } from "./feast-scope";
import { addFeastSearchRoutes } from "./feast-search-routes";
import { router } from "./router";

export function feastRouter(scope: FeastScope): OpenAPIHono<AppEnv> {
  const app = router();
  app.onError(feastErrorHandler);
  addFeastServingRoutes(app, scope);
  addFeastMaterializeRoutes(app, scope);
  addFeastSearchRoutes(app, scope);
  return app;
}
