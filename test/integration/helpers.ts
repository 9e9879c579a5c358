/** Request helpers for integration tests: tokens, JSON calls against the worker. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import type { Scope } from "../../src/auth/scopes";
import worker from "../../src/index";

export const BASE = "http://larder.test/api/v1/features";

export interface TokenOptions {
  scopes?: Scope[] | string[];
  projects?: string[];
  expiresIn?: string | number;
  secret?: string;
}

export async function token(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({
    scope: (options.scopes ?? ["admin"]).join(" "),
    ...(options.projects ? { projects: options.projects } : {}),
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("test")
    .setIssuedAt();
  jwt.setExpirationTime(options.expiresIn ?? "1h");
  return jwt.sign(new TextEncoder().encode(options.secret ?? env.AUTH_JWT_SECRET));
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.token === undefined ? await token() : options.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  } else if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  return workerFetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

/**
 * The Worker's own fetch handler, waiting for its `waitUntil` work. Not the
 * pool's `exports.default`: that wraps its prototype in one more Proxy per
 * call, which slows every call and overflowed the stack after some thousands
 * of requests (the 10,000-request fuzz run met it).
 */
export async function workerFetch(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Calls and asserts the status, returning the parsed body. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export async function expectStatus<T = any>(res: Promise<Response> | Response, status: number): Promise<T> {
  const response = await res;
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
