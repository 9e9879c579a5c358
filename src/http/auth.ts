/**
 * Auth middleware factories: `authenticate()` verifies the bearer token once
 * per request and picks the project; `requireScope(scope)` guards a route.
 */
import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { bearerToken, type VerifierConfig, verifyTokenCached } from "../auth/jwt";
import { assertAllowed, type Scope } from "../auth/scopes";
import { LarderError } from "../domain/errors";
import { NAME_PATTERN } from "../domain/names";
import type { LarderConfig } from "../platform/config";
import type { AppEnv } from "./app-env";

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

function verifierConfig(auth: LarderConfig["auth"]): VerifierConfig {
  let jwks: JWTVerifyGetKey | undefined;
  if (auth.jwksUrl) {
    jwks = remoteKeySets.get(auth.jwksUrl);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(auth.jwksUrl));
      remoteKeySets.set(auth.jwksUrl, jwks);
    }
  }
  if (!auth.secret && !jwks) {
    throw new LarderError("UNAUTHENTICATED", "Authentication is not configured: set AUTH_JWT_SECRET or AUTH_JWKS_URL", {
      reason: "not_configured",
    });
  }
  return { secret: auth.secret, jwks, issuer: auth.issuer, audience: auth.audience };
}

/** Verifies the bearer token and sets `principal` and `project`. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config } = c.get("services");
    const token = bearerToken(c.req.header("authorization"));
    c.set("principal", await verifyTokenCached(token, verifierConfig(config.auth)));
    const project = c.req.query("project") ?? config.defaultProject;
    if (!NAME_PATTERN.test(project)) {
      throw new LarderError("VALIDATION_ERROR", `Project name '${project}' is not valid`, { project });
    }
    c.set("project", project);
    await next();
  };
}

/** Route guard: the token needs `scope` for the request's project. */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertAllowed(c.get("principal"), scope, c.get("project"));
    await next();
  };
}
