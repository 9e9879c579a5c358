/**
 * Auth middleware factories: `authenticate()` verifies the bearer token once
 * per request and picks the project; `requireScope(scope)` guards a route.
 */
import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import type { AppEnv, Bindings } from "../env";
import { LarderError } from "../errors";
import { NAME_PATTERN } from "../domain/names";
import { bearerToken, verifyTokenCached, type VerifierConfig } from "./jwt";
import { canUseProject, hasScope, type Principal, type Scope } from "./scopes";

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

function verifierConfig(env: Bindings): VerifierConfig {
  let jwks: JWTVerifyGetKey | undefined;
  if (env.AUTH_JWKS_URL) {
    jwks = remoteKeySets.get(env.AUTH_JWKS_URL);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(env.AUTH_JWKS_URL));
      remoteKeySets.set(env.AUTH_JWKS_URL, jwks);
    }
  }
  if (!env.AUTH_JWT_SECRET && !jwks) {
    throw new LarderError("UNAUTHENTICATED", "Authentication is not configured: set AUTH_JWT_SECRET or AUTH_JWKS_URL", {
      reason: "not_configured",
    });
  }
  return { secret: env.AUTH_JWT_SECRET, jwks, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
}

/** Verifies the bearer token and sets `principal` and `project`. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    c.set("principal", await verifyTokenCached(token, verifierConfig(c.env)));
    const project = c.req.query("project") ?? c.env.DEFAULT_PROJECT;
    if (!NAME_PATTERN.test(project))
      throw new LarderError("VALIDATION_ERROR", `Project name '${project}' is not valid`, { project });
    c.set("project", project);
    await next();
  };
}

/** 403 unless the principal has `scope` and may use `project`. */
export function assertAllowed(principal: Principal, scope: Scope, project: string): void {
  if (!hasScope(principal, scope)) {
    throw new LarderError("FORBIDDEN", `This token lacks the '${scope}' scope`, { required_scope: scope });
  }
  if (!canUseProject(principal, project)) {
    throw new LarderError("FORBIDDEN", `This token may not use project '${project}'`, { project });
  }
}

/** Route guard: the token needs `scope` for the request's project. */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertAllowed(c.get("principal"), scope, c.get("project"));
    await next();
  };
}
