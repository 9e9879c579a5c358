/**
 * Where the Feast routes are mounted, and which project they serve. A Feast
 * client sends no project: its `remote` online store posts to
 * `<online_store.path>/get-online-features` (and /push, /materialize, ...),
 * and `path` is a base URL that cannot carry a query string (the client
 * appends `/route` to it). So the routes are served twice:
 *
 * - `/feast/...`: the default project (`DEFAULT_PROJECT`; `?project=` still
 *   works for callers that can send one);
 * - `/projects/{project}/feast/...`: the project named in the path, checked
 *   by the same name rule as `?project=` (a 400 otherwise) and by the token's
 *   `projects` claim (403), exactly as `?project=` is. Giving `?project=` as
 *   well is refused unless it names the same project.
 *
 * Feast's `online_store.path` is then `https://<larder>/api/v1/features/feast`
 * or `https://<larder>/api/v1/features/projects/<project>/feast`.
 */
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { invalid } from "../domain/errors";
import { checkedProject, NAME_RULE } from "../domain/names";
import type { AppEnv } from "../http/app-env";
import { Name, ProjectQuery } from "../schemas/common";

export const ProjectPath = z.object({
  project: Name.openapi({
    param: { name: "project", in: "path" },
    description: `The project these Feast routes serve (${NAME_RULE})`,
    example: "ai_etl",
  }),
});

export interface FeastScope {
  /** Path before `/feast/`: "" or "/projects/{project}". */
  prefix: string;
  /** The path parameters of the scope (the project), if any. */
  params?: typeof ProjectPath;
  /** Runs after authentication: sets the request's project from the path (none for the default scope). */
  project: MiddlewareHandler<AppEnv>[];
  tags: string[];
}

/** The request parameters of a route of `scope`: its project parameter (query or path) and the route's query `flags`. */
export function scopeRequest<S extends z.ZodRawShape>(scope: FeastScope, flags: S = {} as S) {
  return scope.params ? { params: scope.params, query: z.object(flags) } : { query: ProjectQuery.extend(flags) };
}

/** Sets `project` from the path's `{project}`; VALIDATION_ERROR for a bad name or a different `?project=`. */
function projectFromPath(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const project = checkedProject(c.req.param("project"));
    const query = c.req.query("project");
    if (query !== undefined && query !== project) {
      throw invalid(`The path names project '${project}' but ?project= names another: give one project`, {
        field: "project",
      });
    }
    c.set("project", project);
    await next();
  };
}

export const DEFAULT_SCOPE: FeastScope = { prefix: "", project: [], tags: ["feast"] };

export const PROJECT_SCOPE: FeastScope = {
  prefix: "/projects/{project}",
  params: ProjectPath,
  project: [projectFromPath()],
  tags: ["feast (project in the path)"],
};

export const FEAST_SCOPES: readonly FeastScope[] = [DEFAULT_SCOPE, PROJECT_SCOPE];
