/**
 * The web console's paths that are not files. The console itself is
 * static assets (wrangler.toml [assets], built from console/ into
 * dist/site), served before the Worker runs; what reaches the Worker under
 * /console/ is one of the console's own routes (/console/views/customer,
 * /console/jobs/...), answered with the console's page so that a reload or
 * a shared link opens that page, or a file that does not exist (a name
 * with an extension), which is a 404. `/` leads to the console.
 */
import type { Context } from "hono";
import { LarderError } from "../domain/errors";
import type { AppEnv } from "./app-env";

export const CONSOLE_PATH = "/console/";

/** GET /console/<route>: the console's page (index.html), with the headers the assets give it. */
export async function consolePage(c: Context<AppEnv>): Promise<Response> {
  const path = new URL(c.req.url).pathname;
  const missing = () =>
    new LarderError("NOT_FOUND", `No console file ${path}`, { method: c.req.method, path, console: CONSOLE_PATH });
  if (/\.[A-Za-z0-9]+$/.test(path) || !c.env.ASSETS) throw missing();
  const page = await c.env.ASSETS.fetch(new URL(CONSOLE_PATH, c.req.url));
  // No page: the console was not built (scripts/build.mjs writes it in `npm ci`'s prepare step).
  if (!page.ok) throw missing();
  return new Response(c.req.method === "HEAD" ? null : page.body, { status: 200, headers: page.headers });
}

/** GET /: to the console. */
export function toConsole(c: Context<AppEnv>): Response {
  return c.redirect(CONSOLE_PATH, 302);
}
