/**
 * Feast's document search, `POST .../feast/search` and its deprecated alias
 * `POST .../feast/retrieve-online-documents`: not supported. Larder keeps no
 * document embeddings or vector index, so both answer 501 with Feast's error
 * form (`FeastError`, saying so) after the usual token and scope checks and a
 * valid body. Feast's remote online store (`get_remote_online_documents`)
 * tries /search, moves on to /retrieve-online-documents only on a 404, and
 * re-raises an error detail it can decode: a Feast client therefore gets a
 * `FeastError` with this message instead of a bare `RuntimeError`.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env";
import { authenticate, requireScope } from "../http/auth";
import { jsonBody } from "../schemas/common";
import { FeastDocumentsRequest, feastErrors, feastNotSupported } from "../schemas/feast";
import { FeastAnswerError } from "./feast-errors";
import { bodyAsJson } from "./feast-routes";
import { type FeastScope, scopeRequest } from "./feast-scope";

export const DOCUMENT_SEARCH_UNSUPPORTED =
  "Document search (retrieve_online_documents) is not supported by Larder: it keeps no document embeddings or vector index. " +
  "Read features with get_online_features instead.";

export function addFeastSearchRoutes(app: OpenAPIHono<AppEnv>, scope: FeastScope): void {
  for (const route of ["/search", "/retrieve-online-documents"]) {
    app.openapi(
      createRoute({
        method: "post",
        path: `${scope.prefix}/feast${route}`,
        tags: scope.tags,
        summary: `Feast ${route.slice(1)}: not supported (501 in Feast's error form)`,
        middleware: [authenticate(), ...scope.project, requireScope("online:read"), bodyAsJson()] as const,
        request: { ...scopeRequest(scope), ...jsonBody(FeastDocumentsRequest) },
        responses: { ...feastErrors, ...feastNotSupported },
      }),
      (c) => {
        c.req.valid("json");
        throw new FeastAnswerError(501, "FeastError", DOCUMENT_SEARCH_UNSUPPORTED);
      },
    );
  }
}
