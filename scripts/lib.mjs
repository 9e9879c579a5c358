// Shared helpers for the local scripts (start, token, bench): env for quiet,
// offline wrangler runs, the dev secret, and minting dev tokens.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { SignJWT } from "jose";

export const QUIET_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export const ALL_SCOPES = [
  "online:read",
  "offline:read",
  "online:write",
  "offline:write",
  "registry:read",
  "registry:write",
  "materialize",
  "admin",
];

/** Reads KEY=VALUE lines of a .dev.vars file. */
export function readDevVars(path = ".dev.vars") {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

/** Creates .dev.vars with a random dev secret when it is missing; returns the secret. */
export function ensureDevSecret(path = ".dev.vars") {
  const vars = readDevVars(path);
  if (vars.AUTH_JWT_SECRET) return { secret: vars.AUTH_JWT_SECRET, created: false };
  const secret = randomBytes(32).toString("hex");
  const previous = existsSync(path) ? readFileSync(path, "utf8") : "";
  writeFileSync(path, `${previous}${previous && !previous.endsWith("\n") ? "\n" : ""}AUTH_JWT_SECRET="${secret}"\n`, {
    mode: 0o600,
  });
  return { secret, created: true };
}

/** An HS256 dev token. */
export async function mintToken({ secret, scopes = ["admin"], projects, ttlSeconds = 86400, subject = "dev" }) {
  const jwt = new SignJWT({ scope: scopes.join(" "), ...(projects ? { projects } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  return jwt.sign(new TextEncoder().encode(secret));
}

export async function waitForHealth(baseUrl, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/api/v1/features/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`worker did not answer ${baseUrl}/api/v1/features/health within ${timeoutMs} ms`);
}

/** POSTs JSON with a bearer token; throws with the body on a non-2xx answer. */
export async function postJson(url, token, body) {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
