/** POST /push-features: streaming updates, validated row by row (API.md item 7). */
import { createRoute } from "@hono/zod-openapi";
import { assertAllowed } from "../auth/middleware";
import { KvOnlineStore } from "../online/kv-store";
import { pushRows, type PushDestination } from "../online/push-service";
import type { Principal } from "../auth/scopes";
import { commonErrors, jsonBody, jsonResponse, notFound, ProjectQuery, tooLarge } from "./schemas/common";
import { PushRequest, PushResponse } from "./schemas/online";
import { registryOf, router } from "./context";

export const pushRoutes = router();

/** Pushing online needs online:write; offline needs offline:write; both need both. */
export function assertCanPush(principal: Principal, project: string, to: PushDestination): void {
  if (to !== "offline") assertAllowed(principal, "online:write", project);
  if (to !== "online") assertAllowed(principal, "offline:write", project);
}

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/push-features",
    tags: ["online"],
    summary: "Push feature rows (online, offline or both); bad rows are reported, good rows written",
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
    const outcome = await c
      .get("timing")
      .measure("write", () =>
        pushRows(
          { store: new KvOnlineStore(c.env.ONLINE_STORE), offlineQueue: c.env.OFFLINE_WRITES },
          registry,
          body.push_source_name,
          body.features,
          body.to,
          Date.now(),
        ),
      );
    return c.json(
      {
        push_id: outcome.push_id,
        accepted: outcome.accepted,
        rejected: outcome.rejected,
        errors: outcome.errors,
        written_online: outcome.written_online,
        processing_time_ms: Math.round(c.get("timing").elapsedMs() * 100) / 100,
      },
      200,
    );
  },
);
