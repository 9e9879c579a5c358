/**
 * Auth middleware factories: `authenticate()` verifies the bearer token once
 * per request and picks the project; `requireScope(scope)` guards a route;
 * `requireAnyScope(scopes)` guards a route whose exact scope depends on the
 * body, so a token with none of them is refused before the body is read.
 */
import type { MiddlewareHandler } from "hono";
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { bearerToken, type VerifierConfig, verifyTokenCached } from "../auth/jwt";
import { assertAllowed, canUseProject, hasScope, type Scope } from "../auth/scopes";
import { LarderError } from "../domain/errors";
import { checkedProject } from "../domain/names";
import type { LarderConfig } from "../platform/config";
import type { AppEnv } from "./app-env";

/** HS256 keys shorter than the hash output are weak (RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;

const verifiers = new WeakMap<LarderConfig["auth"], VerifierConfig & { id: string }>();

function misconfigured(message: string): LarderError {
  return new LarderError("UNAUTHENTICATED", message, { reason: "server_misconfigured" });
}

/** The verifier for a configuration, built once per configuration object. */
function verifierConfig(auth: LarderConfig["auth"]): VerifierConfig & { id: string } {
  const built = verifiers.get(auth);
  if (built) return built;
  let jwks: JWTVerifyGetKey | undefined;
  if (auth.jwks) {
    try {
      jwks = createLocalJWKSet(JSON.parse(auth.jwks) as JSONWebKeySet);
    } catch {
      throw misconfigured("AUTH_JWKS is not a JSON Web Key Set; fix the setting");
    }
  } else if (auth.jwksUrl) jwks = createRemoteJWKSet(new URL(auth.jwksUrl));
  if (!auth.secret && !jwks) {
    throw new LarderError("UNAUTHENTICATED", "Authentication is not configured: set AUTH_JWT_SECRET or AUTH_JWKS_URL", {
      reason: "not_configured",
    });
  }
  if (auth.secret && new TextEncoder().encode(auth.secret).byteLength < MIN_SECRET_BYTES) {
    throw misconfigured(`AUTH_JWT_SECRET is shorter than ${MIN_SECRET_BYTES} bytes; set a longer secret`);
  }
  const id = JSON.stringify([auth.secret ?? null, auth.jwks ?? auth.jwksUrl ?? null, auth.issuer, auth.audience]);
  const config = { id, secret: auth.secret, jwks, issuer: auth.issuer, audience: auth.audience };
  verifiers.set(auth, config);
  return config;
}

/** Verifies the bearer token and sets `principal` and `project`. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config } = c.get("services");
    const token = bearerToken(c.req.header("authorization"));
    c.set("principal", await verifyTokenCached(token, verifierConfig(config.auth)));
    c.set("project", checkedProject(c.req.query("project") ?? config.defaultProject));
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

/** Route guard: the token needs one of `scopes` (the handler checks which the body needs) and the project. */
export function requireAnyScope(scopes: readonly Scope[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!scopes.some((s) => hasScope(principal, s))) {
      throw new LarderError("FORBIDDEN", `This token lacks the ${scopes.map((s) => `'${s}'`).join(" or ")} scope`, {
        required_scope: scopes,
      });
    }
    if (!canUseProject(principal, c.get("project"))) {
      throw new LarderError("FORBIDDEN", `This token may not use project '${c.get("project")}'`, {
        project: c.get("project"),
      });
    }
    await next();
  };
}
