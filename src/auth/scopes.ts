/** Scopes a token can carry (named like Feast's permissions) and what they grant. Pure. */
import { LarderError } from "../domain/errors";

export const SCOPES = [
  "online:read",
  "offline:read",
  "online:write",
  "offline:write",
  "registry:read",
  "registry:write",
  "materialize",
  "admin",
] as const;

export type Scope = (typeof SCOPES)[number];

export interface Principal {
  subject: string;
  scopes: ReadonlySet<string>;
  /** Projects the token is limited to; null means every project. */
  projects: readonly string[] | null;
}

/** `admin` grants every scope. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has("admin") || principal.scopes.has(scope);
}

export function canUseProject(principal: Principal, project: string): boolean {
  return principal.projects === null || principal.projects.includes(project);
}

/**
 * Scopes from the token's claims: the OAuth `scope` string (space-separated)
 * and/or a `scopes` array.
 */
export function scopesFromClaims(claims: Record<string, unknown>): Set<string> {
  const scopes = new Set<string>();
  if (typeof claims.scope === "string") for (const s of claims.scope.split(/\s+/)) if (s) scopes.add(s);
  if (Array.isArray(claims.scopes)) for (const s of claims.scopes) if (typeof s === "string") scopes.add(s);
  return scopes;
}

/**
 * The `projects` claim: absent means every project; an array names the
 * projects; anything else (a malformed claim) allows no project at all.
 */
export function projectsFromClaims(claims: Record<string, unknown>): string[] | null {
  if (claims.projects === undefined) return null;
  if (!Array.isArray(claims.projects)) return [];
  return claims.projects.filter((p): p is string => typeof p === "string");
}

/** FORBIDDEN unless the principal has `scope` and may use `project`. */
export function assertAllowed(principal: Principal, scope: Scope, project: string): void {
  if (!hasScope(principal, scope)) {
    throw new LarderError("FORBIDDEN", `This token lacks the '${scope}' scope`, { required_scope: scope });
  }
  if (!canUseProject(principal, project)) {
    throw new LarderError("FORBIDDEN", `This token may not use project '${project}'`, { project });
  }
}

/** Pushing online needs online:write; offline needs offline:write; both need both. */
export function assertCanPush(
  principal: Principal,
  project: string,
  to: "online" | "offline" | "online_and_offline",
): void {
  if (to !== "offline") assertAllowed(principal, "online:write", project);
  if (to !== "online") assertAllowed(principal, "offline:write", project);
}
