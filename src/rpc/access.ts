/**
 * Who a service-binding call acts as. The trust model (README "Service
 * binding"):
 *
 * - A binding exists only because the caller's wrangler configuration names
 *   Larder's `Features` entrypoint, and only Workers of the same account can
 *   do that: there is no token, and the caller's identity is its deployment.
 * - Which projects a binding may use is Larder's decision: BINDING_PROJECTS
 *   (empty by default: the entrypoint serves nothing until the operator opts
 *   projects in), and what it may do is bounded by BINDING_SCOPES.
 * - The binding's `props` (set in the caller's configuration, not by its code
 *   at call time) choose one of those projects (`props.project`, default
 *   DEFAULT_PROJECT) and may narrow the scopes (`props.scopes`); they can
 *   never reach a project or scope Larder's configuration does not list.
 * - Call arguments never name a project: a request holding `project` is
 *   refused, so code cannot switch projects at run time.
 *
 * The result is a `Principal` like a token's, so the routes' own scope checks
 * (`assertAllowed`, `assertCanPush`) apply unchanged.
 */
import type { Principal } from "../auth/scopes";
import { LarderError } from "../domain/errors";
import { checkedProject } from "../domain/names";
import type { LarderConfig } from "../platform/config";

/** What a caller's binding may carry in `props` (its wrangler `services` entry). */
export interface FeaturesProps {
  /** The project this binding works on; one of BINDING_PROJECTS. Default: DEFAULT_PROJECT. */
  project?: string;
  /** Narrows the scopes of this binding (a subset of BINDING_SCOPES). */
  scopes?: string[];
}

export interface BindingAccess {
  project: string;
  principal: Principal;
}

/** The project and principal of a binding call; FORBIDDEN when Larder's configuration does not allow it. */
export function bindingAccess(config: LarderConfig, props: unknown): BindingAccess {
  const given = (typeof props === "object" && props !== null ? props : {}) as FeaturesProps;
  const project = checkedProject(given.project ?? config.defaultProject);
  if (config.bindingProjects.length === 0) {
    throw new LarderError(
      "FORBIDDEN",
      "The Features entrypoint serves no project: set BINDING_PROJECTS in Larder's configuration to opt projects in",
      { project, binding_projects: [] },
    );
  }
  if (!config.bindingProjects.includes(project)) {
    throw new LarderError(
      "FORBIDDEN",
      `Project '${project}' is not served to service bindings (BINDING_PROJECTS: ${config.bindingProjects.join(", ")})`,
      { project, binding_projects: config.bindingProjects },
    );
  }
  const narrowed = Array.isArray(given.scopes) ? given.scopes.filter((s) => typeof s === "string") : null;
  const scopes = narrowed ? config.bindingScopes.filter((s) => narrowed.includes(s)) : config.bindingScopes;
  return { project, principal: { subject: `binding:${project}`, scopes: new Set(scopes), projects: [project] } };
}

/** Refuses a request that tries to pick its own project. */
export function refuseProjectArgument(request: unknown): void {
  if (typeof request === "object" && request !== null && "project" in request) {
    throw new LarderError(
      "FORBIDDEN",
      "A binding call cannot choose its project: it is fixed by the binding's props.project and Larder's BINDING_PROJECTS",
      { field: "project" },
    );
  }
}
