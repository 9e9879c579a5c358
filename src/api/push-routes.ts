/** POST /push-features: streaming updates, validated row by row (API.md item 7). */
import { createRoute } from "@hono/zod-openapi";
import { assertCanPush } from "../auth/scopes";
import { requireAnyScope } from "../http/auth";
import { elapsedMs, measure } from "../http/request-context";
import { commonErrors, jsonBody, jsonResponse, notFound, ProjectQuery, tooLarge } from "../schemas/common";
import { PushRequest, PushResponse } from "../schemas/online";
import { pushRows } from "../services/push";
import { registryOf, router } from "./router";

export const pushRoutes = router();

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/push-features",
    tags: ["online"],
    summary: "Push feature rows (online, offline or both); bad rows are reported, good rows written",
    // The exact scopes depend on `to`; a token with neither write scope is refused before its body is read.
    middleware: [requireAnyScope(["online:write", "offline:write"])] as const,
    request: { query: ProjectQuery, ...jsonBody(PushRequest) },
    responses: {
      200: jsonResponse(PushResponse, "Accepted and rejected rows"),
      ...commonErrors,
      ...notFound,
      ...tooLarge,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    assertCanPush(c.get("principal"), c.get("project"), body.to);
    const registry = await registryOf(c);
    const services = c.get("services");
    const outcome = await measure(
      c,
      "write",
      pushRows(services, registry, body.push_source_name, body.features, body.to, Date.now()),
    );
    return c.json({ ...outcome, processing_time_ms: elapsedMs(c) }, 200);
  },
);
