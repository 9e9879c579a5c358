import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/http/error-response";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { LarderError } from "../../src/domain/errors";
import { bearerToken, verifyToken } from "../../src/auth/jwt";
import {
  canUseProject,
  hasScope,
  projectsFromClaims,
  SCOPES,
  scopesFromClaims,
  type Principal,
} from "../../src/auth/scopes";

const SECRET = "unit-test-secret-unit-test-secret-0123456789";
const OTHER_SECRET = "another-secret-another-secret-another-0123";

function principal(scopes: string[], projects: string[] | null = null): Principal {
  return { subject: "t", scopes: new Set(scopes), projects };
}

async function hs256(
  claims: JWTPayload,
  options: { secret?: string; exp?: number | string; iss?: string; aud?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("alice")
    .setIssuedAt()
    .setExpirationTime(options.exp ?? "1h");
  if (options.iss) jwt.setIssuer(options.iss);
  if (options.aud) jwt.setAudience(options.aud);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** What `verifyToken` rejected the token with; fails the test when it accepted it. */
async function rejection(promise: Promise<unknown>): Promise<LarderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LarderError) return err;
    throw new Error(`expected a LarderError, got ${String(err)}`);
  }
  throw new Error("expected the token to be rejected, it was accepted");
}

describe("scopes", () => {
  it("reads the OAuth space-separated `scope` string", () => {
    expect([...scopesFromClaims({ scope: "online:read  registry:read\tmaterialize " })].sort()).toEqual([
      "materialize",
      "online:read",
      "registry:read",
    ]);
  });

  it("reads a `scopes` array, ignoring non-strings, and merges it with `scope`", () => {
    expect([...scopesFromClaims({ scopes: ["online:write", 7, null, "offline:read"] })].sort()).toEqual([
      "offline:read",
      "online:write",
    ]);
    expect([...scopesFromClaims({ scope: "registry:read", scopes: ["registry:write"] })].sort()).toEqual([
      "registry:read",
      "registry:write",
    ]);
  });

  it("grants nothing without scope claims, or with claims of the wrong type", () => {
    expect(scopesFromClaims({}).size).toBe(0);
    expect(scopesFromClaims({ scope: "" }).size).toBe(0);
    expect(scopesFromClaims({ scope: ["admin"], scopes: "admin" }).size).toBe(0);
  });

  it("hasScope needs the exact scope", () => {
    const p = principal(["online:read"]);
    expect(hasScope(p, "online:read")).toBe(true);
    expect(hasScope(p, "online:write")).toBe(false);
    expect(hasScope(p, "registry:read")).toBe(false);
    expect(hasScope(principal(["online"]), "online:read")).toBe(false);
  });

  it("admin grants every scope", () => {
    const admin = principal(["admin"]);
    for (const scope of SCOPES) expect(hasScope(admin, scope)).toBe(true);
    const none = principal([]);
    for (const scope of SCOPES) expect(hasScope(none, scope)).toBe(false);
  });

  it("the projects claim limits the projects; absent means every project", () => {
    expect(projectsFromClaims({})).toBeNull();
    expect(projectsFromClaims({ projects: ["ai_etl", 3, "sandbox"] })).toEqual(["ai_etl", "sandbox"]);
    expect(projectsFromClaims({ projects: [] })).toEqual([]);
    expect(canUseProject(principal(["admin"], null), "anything")).toBe(true);
    expect(canUseProject(principal(["admin"], ["ai_etl"]), "ai_etl")).toBe(true);
    expect(canUseProject(principal(["admin"], ["ai_etl"]), "other")).toBe(false);
    expect(canUseProject(principal(["admin"], []), "ai_etl")).toBe(false);
  });
});

describe("bearerToken", () => {
  it("takes the token from a Bearer header (scheme case-insensitive)", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer   abc.def.ghi ")).toBe("abc.def.ghi");
  });

  it.each([
    [undefined, "missing"],
    [null, "missing"],
    ["", "missing"],
    ["Basic dXNlcjpwYXNz", "malformed"],
    ["Bearer", "malformed"],
    ["Bearer a b", "malformed"],
    ["abc.def.ghi", "malformed"],
  ])("refuses %j as UNAUTHENTICATED (%s)", (header, reason) => {
    let caught: unknown;
    try {
      bearerToken(header);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LarderError);
    expect(caught).toMatchObject({ code: "UNAUTHENTICATED", details: { reason } });
  });
});

describe("verifyToken with HS256", () => {
  it("accepts a valid token and returns subject, scopes and projects", async () => {
    const token = await hs256({ scope: "online:read registry:read", projects: ["ai_etl"] });
    const p = await verifyToken(token, { secret: SECRET });
    expect(p.subject).toBe("alice");
    expect([...p.scopes].sort()).toEqual(["online:read", "registry:read"]);
    expect(p.projects).toEqual(["ai_etl"]);
  });

  it("accepts a `scopes` array and no projects claim (every project)", async () => {
    const p = await verifyToken(await hs256({ scopes: ["admin"] }), { secret: SECRET });
    expect([...p.scopes]).toEqual(["admin"]);
    expect(p.projects).toBeNull();
  });

  it("refuses an expired token", async () => {
    const token = await hs256({ scope: "admin" }, { exp: Math.floor(Date.now() / 1000) - 120 });
    const err = await rejection(verifyToken(token, { secret: SECRET }));
    expect(err).toMatchObject({
      code: "UNAUTHENTICATED",
      message: "Token has expired",
      details: { reason: "expired" },
    });
    expect(ERROR_STATUS[err.code]).toBe(401);
  });

  it("refuses a token signed with another secret", async () => {
    const token = await hs256({ scope: "admin" }, { secret: OTHER_SECRET });
    expect(await rejection(verifyToken(token, { secret: SECRET }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "bad_signature" },
    });
  });

  it("refuses a token whose payload was altered after signing", async () => {
    const [header, , signature] = (await hs256({ scope: "online:read" })).split(".");
    const forged = `${header}.${b64url({ sub: "alice", scope: "admin", exp: Math.floor(Date.now() / 1000) + 3600 })}.${signature}`;
    expect(await rejection(verifyToken(forged, { secret: SECRET }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "bad_signature" },
    });
  });

  it("refuses an unsigned alg=none token", async () => {
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "mallory", scope: "admin", exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    const err = await rejection(verifyToken(none, { secret: SECRET }));
    expect(err).toMatchObject({ code: "UNAUTHENTICATED", details: { reason: "algorithm_not_allowed" } });
    // Also when a JWKS is configured next to the secret.
    expect(await rejection(verifyToken(none, { secret: SECRET, jwks: createLocalJWKSet({ keys: [] }) }))).toMatchObject(
      { code: "UNAUTHENTICATED" },
    );
  });

  it("refuses an HS512 token even with the right secret", async () => {
    const token = await new SignJWT({ scope: "admin" })
      .setProtectedHeader({ alg: "HS512" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(SECRET));
    expect(await rejection(verifyToken(token, { secret: SECRET }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "algorithm_not_allowed" },
    });
  });

  it.each(["", "not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.!!!.abc"])(
    "refuses the malformed token %j",
    async (token) => {
      expect(await rejection(verifyToken(token, { secret: SECRET }))).toMatchObject({ code: "UNAUTHENTICATED" });
    },
  );

  it("reports a token that is not a JWT at all as malformed", async () => {
    expect(await rejection(verifyToken("not-a-jwt", { secret: SECRET }))).toMatchObject({
      details: { reason: "malformed" },
    });
  });

  it("checks the issuer when configured", async () => {
    const config = { secret: SECRET, issuer: "https://auth.example" };
    expect((await verifyToken(await hs256({ scope: "admin" }, { iss: "https://auth.example" }), config)).subject).toBe(
      "alice",
    );
    expect(
      await rejection(verifyToken(await hs256({ scope: "admin" }, { iss: "https://evil.example" }), config)),
    ).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "claim_iss" },
    });
    expect(await rejection(verifyToken(await hs256({ scope: "admin" }), config))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "claim_iss" },
    });
  });

  it("checks the audience when configured", async () => {
    const config = { secret: SECRET, audience: "larder" };
    expect((await verifyToken(await hs256({ scope: "admin" }, { aud: "larder" }), config)).subject).toBe("alice");
    expect(
      await rejection(verifyToken(await hs256({ scope: "admin" }, { aud: "someone-else" }), config)),
    ).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "claim_aud" },
    });
  });

  it("ignores issuer and audience when they are not configured (empty strings count as unset)", async () => {
    const token = await hs256({ scope: "admin" }, { iss: "anyone", aud: "anything" });
    expect((await verifyToken(token, { secret: SECRET, issuer: "", audience: "" })).subject).toBe("alice");
  });
});

describe("verifyToken with a JWKS (RS256, ES256)", () => {
  interface Signer {
    alg: "RS256" | "ES256";
    kid: string;
    privateKey: CryptoKey;
    publicJwk: JWK;
  }
  const signers: Record<string, Signer> = {};
  let jwks: JWTVerifyGetKey;
  let stranger: Signer;

  async function signer(alg: "RS256" | "ES256", kid: string): Promise<Signer> {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
  }

  function sign(
    s: Signer,
    claims: JWTPayload,
    options: { kid?: string; exp?: number | string; iss?: string; aud?: string } = {},
  ): Promise<string> {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: s.alg, kid: options.kid ?? s.kid })
      .setSubject(`svc-${s.alg}`)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? "1h");
    if (options.iss) jwt.setIssuer(options.iss);
    if (options.aud) jwt.setAudience(options.aud);
    return jwt.sign(s.privateKey);
  }

  beforeAll(async () => {
    signers.RS256 = await signer("RS256", "rsa-1");
    signers.ES256 = await signer("ES256", "ec-1");
    stranger = await signer("RS256", "rsa-1"); // same kid, a key the JWKS does not hold
    jwks = createLocalJWKSet({ keys: [signers.RS256.publicJwk, signers.ES256.publicJwk] });
  });

  for (const alg of ["RS256", "ES256"] as const) {
    it(`accepts a valid ${alg} token`, async () => {
      const p = await verifyToken(await sign(signers[alg], { scopes: ["online:read"], projects: ["ai_etl"] }), {
        jwks,
      });
      expect(p.subject).toBe(`svc-${alg}`);
      expect([...p.scopes]).toEqual(["online:read"]);
      expect(p.projects).toEqual(["ai_etl"]);
    });

    it(`refuses an expired ${alg} token`, async () => {
      const token = await sign(signers[alg], { scope: "admin" }, { exp: Math.floor(Date.now() / 1000) - 120 });
      expect(await rejection(verifyToken(token, { jwks }))).toMatchObject({
        code: "UNAUTHENTICATED",
        details: { reason: "expired" },
      });
    });

    it(`checks issuer and audience on ${alg} tokens`, async () => {
      const config = { jwks, issuer: "https://idp.example", audience: "larder" };
      const good = await sign(signers[alg], { scope: "admin" }, { iss: "https://idp.example", aud: "larder" });
      expect((await verifyToken(good, config)).subject).toBe(`svc-${alg}`);
      const wrongIss = await sign(signers[alg], { scope: "admin" }, { iss: "https://other.example", aud: "larder" });
      expect(await rejection(verifyToken(wrongIss, config))).toMatchObject({ details: { reason: "claim_iss" } });
      const wrongAud = await sign(signers[alg], { scope: "admin" }, { iss: "https://idp.example", aud: "other" });
      expect(await rejection(verifyToken(wrongAud, config))).toMatchObject({ details: { reason: "claim_aud" } });
    });
  }

  it("refuses a token signed by a key the JWKS does not hold", async () => {
    const token = await sign(stranger, { scope: "admin" });
    expect(await rejection(verifyToken(token, { jwks }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "bad_signature" },
    });
  });

  it("refuses a token whose kid is unknown", async () => {
    const token = await sign(signers.ES256, { scope: "admin" }, { kid: "nobody" });
    expect(await rejection(verifyToken(token, { jwks }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "unknown_key" },
    });
  });

  it("refuses an HS256 token when only a JWKS is configured", async () => {
    const token = await hs256({ scope: "admin" });
    expect(await rejection(verifyToken(token, { jwks }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "algorithm_not_allowed" },
    });
  });

  it("refuses an RS256 token when only a secret is configured", async () => {
    const token = await sign(signers.RS256, { scope: "admin" });
    expect(await rejection(verifyToken(token, { secret: SECRET }))).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "algorithm_not_allowed" },
    });
  });

  it("accepts both kinds when secret and JWKS are configured together", async () => {
    const config = { secret: SECRET, jwks };
    expect((await verifyToken(await hs256({ scope: "admin" }), config)).subject).toBe("alice");
    expect((await verifyToken(await sign(signers.ES256, { scope: "admin" }), config)).subject).toBe("svc-ES256");
  });

  it("refuses an HS256 token forged with the public key as the HMAC secret (algorithm confusion)", async () => {
    const publicAsSecret = JSON.stringify(signers.RS256.publicJwk);
    const forged = await new SignJWT({ scope: "admin" })
      .setProtectedHeader({ alg: "HS256", kid: "rsa-1" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(publicAsSecret));
    expect(await rejection(verifyToken(forged, { jwks }))).toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

describe("verifyTokenCached", () => {
  const secret = "cache-secret-cache-secret-cache-secret-01";
  const config = { id: "config-1", secret };

  async function token(expSeconds: number) {
    const { SignJWT } = await import("jose");
    // A fresh jti: tokens of different tests never share a cache entry.
    return new SignJWT({ scope: "online:read", jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(expSeconds)
      .sign(new TextEncoder().encode(secret));
  }

  it("verifies once per configuration, then answers from the cache until the token expires", async () => {
    const { verifyTokenCached } = await import("../../src/auth/jwt");
    const now = Date.now();
    const exp = Math.floor(now / 1000) + 30;
    const jwt = await token(exp);
    const first = await verifyTokenCached(jwt, config, now);
    expect([...first.scopes]).toEqual(["online:read"]);
    // The same configuration: the cached answer, no second check.
    expect(await verifyTokenCached(jwt, config, now + 1000)).toBe(first);
    // Past its expiry the token is checked again, and refused.
    await expect(verifyTokenCached(jwt, config, exp * 1000 + 1)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("takes a rotated secret into account at once: another configuration never sees the cached answer", async () => {
    const { verifyTokenCached } = await import("../../src/auth/jwt");
    const now = Date.now();
    const jwt = await token(Math.floor(now / 1000) + 3600);
    await verifyTokenCached(jwt, config, now);
    const rotated = { id: "config-2", secret: "another-secret-another-secret-another-0" };
    await expect(verifyTokenCached(jwt, rotated, now + 1)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "bad_signature" },
    });
  });

  it("re-verifies a cached token after at most 60 s (a key set can change behind one URL)", async () => {
    const { verifyTokenCached, CACHE_TTL_MS } = await import("../../src/auth/jwt");
    expect(CACHE_TTL_MS).toBe(60_000);
    const now = Date.now();
    const jwt = await token(Math.floor(now / 1000) + 3600);
    const first = await verifyTokenCached(jwt, config, now);
    expect(await verifyTokenCached(jwt, config, now + CACHE_TTL_MS - 1)).toBe(first);
    const again = await verifyTokenCached(jwt, config, now + CACHE_TTL_MS + 1);
    expect(again).not.toBe(first);
    expect([...again.scopes]).toEqual(["online:read"]);
  });
});
