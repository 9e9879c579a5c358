/**
 * The signed-in session: the bearer token, the project, and what the
 * token's claims say it may do.
 *
 * The token lives in `sessionStorage` only: it goes when the tab closes, it
 * is never written to `localStorage`, a cookie or a URL, and it is sent
 * only as an `Authorization` header to the Worker's own origin.
 *
 * The claims are read, not verified: the server verifies every call. The
 * console reads them only to leave out what the token cannot do (a
 * read-only token sees no apply or materialize button), with the rule of
 * src/auth/scopes.ts: scopes from `scope` (space-separated) and `scopes`
 * (an array), `admin` grants every scope, and a `projects` array limits the
 * projects.
 */

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

export interface TokenClaims {
  subject: string | null;
  scopes: ReadonlySet<string>;
  /** Projects the token is limited to; null: every project. */
  projects: string[] | null;
  /** Expiry (epoch ms); null when the token has none. */
  expiresAt: number | null;
}

export interface Session {
  token: string;
  /** The project every call names (`?project=`). */
  project: string;
  claims: TokenClaims;
}

/** What a session needs of a Storage: the tab's `sessionStorage`, or a stand-in in tests. */
export interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The tab's sessionStorage (named through globalThis so that this module also compiles without the DOM's types). */
const tabStorage = (): SessionStore => (globalThis as unknown as { sessionStorage: SessionStore }).sessionStorage;

const TOKEN_KEY = "larder.console.token";
const PROJECT_KEY = "larder.console.project";

function base64UrlJson(part: string): unknown {
  const base64 = part.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The claims of a JWT's payload; throws an Error saying what is wrong when `token` is not a JWT. */
export function readClaims(token: string): TokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[1]) {
    throw new Error("This is not a JWT: a bearer token has three base64url parts separated by dots");
  }
  let payload: unknown;
  try {
    payload = base64UrlJson(parts[1]);
  } catch {
    throw new Error("The token's payload is not base64url-encoded JSON");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
    throw new Error("The token's payload is not a JSON object");
  }
  const claims = payload as Record<string, unknown>;
  const scopes = new Set<string>();
  if (typeof claims.scope === "string") for (const s of claims.scope.split(/\s+/)) if (s) scopes.add(s);
  if (Array.isArray(claims.scopes)) for (const s of claims.scopes) if (typeof s === "string") scopes.add(s);
  let projects: string[] | null = null;
  if (claims.projects !== undefined) {
    projects = Array.isArray(claims.projects) ? claims.projects.filter((p): p is string => typeof p === "string") : [];
  }
  return {
    subject: typeof claims.sub === "string" ? claims.sub : null,
    scopes,
    projects,
    expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : null,
  };
}

/** Whether the token's claims grant `scope` (`admin` grants all). */
export function can(claims: TokenClaims, scope: Scope): boolean {
  return claims.scopes.has("admin") || claims.scopes.has(scope);
}

/** The session kept in this tab, or null (none, or its token no longer reads). */
export function loadSession(storage: SessionStore = tabStorage()): Session | null {
  const token = storage.getItem(TOKEN_KEY);
  const project = storage.getItem(PROJECT_KEY);
  if (!token || !project) return null;
  try {
    return { token, project, claims: readClaims(token) };
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage: SessionStore = tabStorage()): void {
  storage.setItem(TOKEN_KEY, session.token);
  storage.setItem(PROJECT_KEY, session.project);
}

export function clearSession(storage: SessionStore = tabStorage()): void {
  storage.removeItem(TOKEN_KEY);
  storage.removeItem(PROJECT_KEY);
}
